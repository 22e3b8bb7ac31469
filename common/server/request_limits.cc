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
  return InvalidField(path, absl::StrCat("at most ", limits.max_string_bytes, " bytes (got ", size, ")"));
}

absl::Status CheckMessage(const Message& m, const std::string& prefix, const RequestLimits& limits, int depth) {
  if (depth > limits.max_depth) return InvalidField(prefix, absl::StrCat("nested deeper than ", limits.max_depth));
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);  // only the fields present: cheap for the usual small request
  std::string scratch;
  for (const FieldDescriptor* f : fields) {
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) {
      const int n = r->FieldSize(m, f);
      if (n > limits.max_list_items) {
        return InvalidField(path, absl::StrCat("at most ", limits.max_list_items, " items (got ", n, ")"));
      }
      for (int i = 0; i < n; ++i) {
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          SLA_RETURN_IF_ERROR(CheckString(absl::StrCat(path, "[", i, "]"),
                                          r->GetRepeatedStringReference(m, f, i, &scratch).size(), limits));
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          SLA_RETURN_IF_ERROR(
              CheckMessage(r->GetRepeatedMessage(m, f, i), absl::StrCat(path, "[", i, "]"), limits, depth + 1));
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      SLA_RETURN_IF_ERROR(CheckString(path, r->GetStringReference(m, f, &scratch).size(), limits));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      SLA_RETURN_IF_ERROR(CheckMessage(r->GetMessage(m, f), path, limits, depth + 1));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequest(const Message& request, const RequestLimits& limits) {
  const size_t bytes = request.ByteSizeLong();
  if (bytes > limits.max_request_bytes) {
    return InvalidField("request", absl::StrCat("at most ", limits.max_request_bytes, " bytes (got ", bytes, ")"));
  }
  return CheckMessage(request, "", limits, 0);
}

}  // namespace sla::server
