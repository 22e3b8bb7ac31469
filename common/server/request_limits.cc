#include "common/server/request_limits.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::server {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

absl::Status CheckString(const std::string& path, size_t size, const RequestLimits& limits) {
  if (size <= limits.max_string_bytes) return absl::OkStatus();
  return InvalidField(path,
                      absl::StrCat("at most ", limits.max_string_bytes, " bytes (got ", size, ")"));
}

// Text that renders as something other than it is: control characters (C0 but tab, newline
// and carriage return; DEL; C1), and the bidirectional embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069) that make "txt.exe" read as "exe.txt" in a name. Protobuf has
// already refused invalid UTF-8 in string fields; bytes fields are not text and are not checked.
absl::Status CheckText(const std::string& path, const std::string& v) {
  const auto* b = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = b[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      return InvalidField(
          path, absl::StrCat("contains a control character (byte ", static_cast<int>(c), ")"));
    }
    if (c == 0xC2 && i + 1 < n && b[i + 1] >= 0x80 && b[i + 1] <= 0x9F) {
      return InvalidField(path, "contains a control character (C1)");
    }
    if (c == 0xE2 && i + 2 < n &&
        ((b[i + 1] == 0x80 && b[i + 2] >= 0xAA && b[i + 2] <= 0xAE) ||
         (b[i + 1] == 0x81 && b[i + 2] >= 0xA6 && b[i + 2] <= 0xA9))) {
      return InvalidField(path,
                          "contains a bidirectional override or isolate character (U+202A–U+202E, "
                          "U+2066–U+2069)");
    }
  }
  return absl::OkStatus();
}

// Proto3 keeps an enum number it does not know (99 for a priority): refused here with the names
// it may take, rather than reaching validation as an unset or unheard-of value.
absl::Status CheckEnum(const std::string& path, const FieldDescriptor* f, int value) {
  const google::protobuf::EnumDescriptor* e = f->enum_type();
  if (e->FindValueByNumber(value) != nullptr) return absl::OkStatus();
  std::string names;
  for (int i = 0; i < e->value_count(); ++i)
    absl::StrAppend(&names, i == 0 ? "" : ", ", e->value(i)->name());
  return InvalidField(path, absl::StrCat(value, " is not a known value (one of ", names, ")"));
}

absl::Status CheckMessage(const Message& m, const std::string& prefix, const RequestLimits& limits,
                          int depth) {
  if (depth > limits.max_depth)
    return InvalidField(prefix, absl::StrCat("nested deeper than ", limits.max_depth));
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);  // only the fields present: cheap for the usual small request
  std::string scratch;
  for (const FieldDescriptor* f : fields) {
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) {
      const int n = r->FieldSize(m, f);
      if (n > limits.max_list_items) {
        return InvalidField(
            path, absl::StrCat("at most ", limits.max_list_items, " items (got ", n, ")"));
      }
      for (int i = 0; i < n; ++i) {
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          const std::string item = absl::StrCat(path, "[", i, "]");
          const std::string& v = r->GetRepeatedStringReference(m, f, i, &scratch);
          SLA_RETURN_IF_ERROR(CheckString(item, v.size(), limits));
          if (f->type() == FieldDescriptor::TYPE_STRING) SLA_RETURN_IF_ERROR(CheckText(item, v));
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          SLA_RETURN_IF_ERROR(CheckMessage(r->GetRepeatedMessage(m, f, i),
                                           absl::StrCat(path, "[", i, "]"), limits, depth + 1));
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
          SLA_RETURN_IF_ERROR(
              CheckEnum(absl::StrCat(path, "[", i, "]"), f, r->GetRepeatedEnumValue(m, f, i)));
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      const std::string& v = r->GetStringReference(m, f, &scratch);
      SLA_RETURN_IF_ERROR(CheckString(path, v.size(), limits));
      if (f->type() == FieldDescriptor::TYPE_STRING) SLA_RETURN_IF_ERROR(CheckText(path, v));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      SLA_RETURN_IF_ERROR(CheckMessage(r->GetMessage(m, f), path, limits, depth + 1));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      SLA_RETURN_IF_ERROR(CheckEnum(path, f, r->GetEnumValue(m, f)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequest(const Message& request, const RequestLimits& limits) {
  const size_t bytes = request.ByteSizeLong();
  if (bytes > limits.max_request_bytes) {
    return InvalidField(
        "request", absl::StrCat("at most ", limits.max_request_bytes, " bytes (got ", bytes, ")"));
  }
  return CheckMessage(request, "", limits, 0);
}

}  // namespace sla::server
