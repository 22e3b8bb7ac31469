#include "gateway/transcoder.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/code.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "sla/gateway/v1/error.pb.h"

namespace sla::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

// The text of a protobuf util status (its message is a StringPiece).
std::string Why(const google::protobuf::util::Status& s) {
  return std::string(s.message().data(), s.message().size());
}

// A field of `type` by its proto name or its lowerCamelCase JSON name.
const FieldDescriptor* FieldByName(const Descriptor* type, absl::string_view name) {
  if (const FieldDescriptor* f = type->FindFieldByName(std::string(name))) return f;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == name) return type->field(i);
  }
  return nullptr;
}

// The fields a dotted path names, each singular and a message but the last.
absl::StatusOr<std::vector<const FieldDescriptor*>> ResolvePath(const Descriptor* type,
                                                                absl::string_view path) {
  std::vector<const FieldDescriptor*> out;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (type == nullptr)
      return absl::InvalidArgumentError(
          absl::StrCat("`", path, "` goes through a non-message field"));
    const FieldDescriptor* f = FieldByName(type, part);
    if (f == nullptr)
      return absl::InvalidArgumentError(absl::StrCat("`", path, "` is not a field"));
    if (!out.empty() && out.back()->is_repeated()) {
      return absl::InvalidArgumentError(absl::StrCat("`", path, "` goes through a repeated field"));
    }
    out.push_back(f);
    type = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ? f->message_type() : nullptr;
  }
  return out;
}

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

bool IsStringValuedMessage(const Descriptor* type) {
  // The well-known types whose JSON is a string or a scalar.
  static const std::set<std::string> kScalarJson = {
      "google.protobuf.Timestamp",   "google.protobuf.Duration",    "google.protobuf.FieldMask",
      "google.protobuf.StringValue", "google.protobuf.BytesValue",  "google.protobuf.Int32Value",
      "google.protobuf.Int64Value",  "google.protobuf.UInt32Value", "google.protobuf.UInt64Value",
      "google.protobuf.FloatValue",  "google.protobuf.DoubleValue", "google.protobuf.BoolValue"};
  return kScalarJson.count(type->full_name()) > 0;
}

// Sets (or, for a repeated field, appends) the field at `path` of `root` from text, converted
// by protobuf's JSON parser as if it were that field's JSON value.
absl::Status SetFromText(Message* root, const std::vector<const FieldDescriptor*>& path,
                         absl::string_view text) {
  Message* parent = root;
  for (size_t i = 0; i + 1 < path.size(); ++i)
    parent = parent->GetReflection()->MutableMessage(parent, path[i]);
  const FieldDescriptor* leaf = path.back();
  if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
      !IsStringValuedMessage(leaf->message_type())) {
    return absl::InvalidArgumentError("is a message: set its fields one by one");
  }
  std::string value;
  const bool boolean = leaf->cpp_type() == FieldDescriptor::CPPTYPE_BOOL ||
                       (leaf->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                        leaf->message_type()->full_name() == "google.protobuf.BoolValue");
  if (boolean && (text == "true" || text == "false")) {
    value = std::string(text);
  } else {
    value = JsonQuote(text);
  }
  if (leaf->is_repeated()) value = absl::StrCat("[", value, "]");
  const std::string json = absl::StrCat("{", JsonQuote(leaf->json_name()), ":", value, "}");
  std::unique_ptr<Message> part(parent->New());
  google::protobuf::util::JsonParseOptions options;
  if (auto s = google::protobuf::util::JsonStringToMessage(json, part.get(), options); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a valid ", leaf->is_repeated() ? "element" : "value", " of this field: ", Why(s)));
  }
  if (!leaf->is_repeated()) parent->GetReflection()->ClearField(parent, leaf);
  parent->MergeFrom(*part);
  return absl::OkStatus();
}

std::string PathName(const std::vector<const FieldDescriptor*>& path) {
  std::vector<std::string> names;
  for (const FieldDescriptor* f : path) names.push_back(f->name());
  return absl::StrJoin(names, ".");
}

absl::Status AddRule(const google::api::HttpRule& rule, const MethodDescriptor* method,
                     std::vector<Route>& out) {
  Route r;
  r.method = method;
  r.rpc_path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
  std::string path;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      r.http_method = "GET", path = rule.get();
      break;
    case google::api::HttpRule::kPost:
      r.http_method = "POST", path = rule.post();
      break;
    case google::api::HttpRule::kPut:
      r.http_method = "PUT", path = rule.put();
      break;
    case google::api::HttpRule::kPatch:
      r.http_method = "PATCH", path = rule.patch();
      break;
    case google::api::HttpRule::kDelete:
      r.http_method = "DELETE", path = rule.delete_();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(method->full_name(), ": custom HTTP methods are not served"));
  }
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse(path);
  if (!t.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": ", t.status().message()));
  for (const std::string& fp : t->FieldPaths()) {
    auto resolved = ResolvePath(method->input_type(), fp);
    if (!resolved.ok())
      return absl::InvalidArgumentError(
          absl::StrCat(method->full_name(), ": ", resolved.status().message()));
    if (resolved->back()->is_repeated() ||
        resolved->back()->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return absl::InvalidArgumentError(
          absl::StrCat(method->full_name(), ": path variable `", fp, "` must be a scalar"));
    }
  }
  r.path = *std::move(t);
  r.body = rule.body();
  if (!r.body.empty() && r.body != "*" &&
      method->input_type()->FindFieldByName(r.body) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": body `", r.body, "` is not a field"));
  }
  out.push_back(std::move(r));
  for (const google::api::HttpRule& more : rule.additional_bindings()) {
    if (more.additional_bindings_size() > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(method->full_name(), ": additional_bindings may not nest"));
    }
    if (absl::Status s = AddRule(more, method, out); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Splits a query string into decoded (name, value) pairs ('+' is a space, as forms send it).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    absl::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    std::string name_raw(part.substr(0, eq));
    std::string value_raw(eq == absl::string_view::npos ? "" : part.substr(eq + 1));
    std::replace(name_raw.begin(), name_raw.end(), '+', ' ');
    std::replace(value_raw.begin(), value_raw.end(), '+', ' ');
    std::string name, value;
    if (!PercentDecode(name_raw, false, &name) || !PercentDecode(value_raw, false, &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter `", name_raw, "`: malformed percent-encoding"));
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

bool HasPrefixPath(absl::string_view path, absl::string_view prefix) {
  return path == prefix || absl::StartsWith(path, absl::StrCat(prefix, "."));
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::Build(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* m = service->method(i);
      if (!m->options().HasExtension(google::api::http)) {
        table.unrouted_.push_back(m);
        continue;
      }
      if (m->client_streaming()) {
        return absl::InvalidArgumentError(
            absl::StrCat(m->full_name(), ": client streaming has no HTTP form"));
      }
      if (absl::Status s = AddRule(m->options().GetExtension(google::api::http), m, table.routes_);
          !s.ok())
        return s;
    }
  }
  return table;
}

RouteTable::Found RouteTable::Find(absl::string_view http_method, absl::string_view path) const {
  Found best;
  int best_score = -1;
  for (const Route& r : routes_) {
    PathTemplate::Bindings b;
    if (!r.path.Match(path, &b)) continue;
    if (r.http_method != http_method) {
      best.path_known = true;
      continue;
    }
    if (r.path.Specificity() > best_score) {
      best_score = r.path.Specificity();
      best.route = &r;
      best.bindings = std::move(b);
    }
  }
  return best;
}

// The query parameters into `request` (none where the body takes every field); a field the
// path or the body sets is refused rather than overwritten.
absl::Status ApplyQuery(const Route& route, absl::string_view query, Message* request) {
  const Descriptor* type = request->GetDescriptor();
  const std::vector<std::string> bound = route.path.FieldPaths();
  if (route.body != "*") {
    auto params = ParseQuery(query);
    if (!params.ok()) return params.status();
    for (const auto& [name, value] : *params) {
      auto path = ResolvePath(type, name);
      if (!path.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("query parameter `", name, "`: not a field of ", type->name()));
      }
      const std::string canonical = PathName(*path);
      for (const std::string& b : bound) {
        if (HasPrefixPath(canonical, b) || HasPrefixPath(b, canonical)) {
          return absl::InvalidArgumentError(
              absl::StrCat("query parameter `", name, "`: the path sets it"));
        }
      }
      if (!route.body.empty() && HasPrefixPath(canonical, route.body)) {
        return absl::InvalidArgumentError(
            absl::StrCat("query parameter `", name, "`: the body sets it"));
      }
      if (absl::Status s = SetFromText(request, *path, value); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("query parameter `", name, "`: ", s.message()));
      }
    }
  } else if (!query.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(route.http_method, " ", route.path.text(),
                                                   " takes its fields in the body, not the query"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Message>> BuildRequest(const RouteTable::Found& found,
                                                      const HttpInput& in) {
  const Route& route = *found.route;
  const Descriptor* type = route.method->input_type();
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  google::protobuf::util::JsonParseOptions
      strict;  // unknown fields are errors: a typo is not silently dropped
  if (!route.body.empty()) {
    absl::string_view body = absl::StripAsciiWhitespace(in.body);
    if (route.body == "*") {
      if (!body.empty()) {
        if (auto s = google::protobuf::util::JsonStringToMessage(std::string(body), request.get(),
                                                                 strict);
            !s.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("body: ", Why(s)));
        }
      }
    } else if (!body.empty()) {
      const FieldDescriptor* f = type->FindFieldByName(route.body);
      const std::string json = absl::StrCat("{", JsonQuote(f->json_name()), ":", body, "}");
      if (auto s = google::protobuf::util::JsonStringToMessage(json, request.get(), strict);
          !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("body (the `", f->name(), "` field): ", Why(s)));
      }
    }
  } else if (!absl::StripAsciiWhitespace(in.body).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(route.http_method, " ", route.path.text(), " takes no body"));
  }
  if (absl::Status s = ApplyQuery(route, in.query, request.get()); !s.ok()) return s;
  for (const auto& [field_path, value] : found.bindings) {
    auto path = ResolvePath(type, field_path);
    if (!path.ok()) return path.status();
    if (absl::Status s = SetFromText(request.get(), *path, value); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("path `", field_path, "`: ", s.message()));
    }
  }
  // Idempotency-Key and If-Match fill `request_id` and `etag` when the request has them and
  // neither the body nor the query set them.
  const google::protobuf::Reflection* r = request->GetReflection();
  auto fill = [&](const char* field, const std::string& value) {
    const FieldDescriptor* f = type->FindFieldByName(field);
    if (value.empty() || f == nullptr || f->type() != FieldDescriptor::TYPE_STRING ||
        f->is_repeated())
      return;
    if (r->GetString(*request, f).empty()) r->SetString(request.get(), f, value);
  };
  fill("request_id", in.idempotency_key);
  std::string etag(absl::StripAsciiWhitespace(in.if_match));
  etag = std::string(absl::StripPrefix(etag, "W/"));
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  if (etag != "*") fill("etag", etag);
  return request;
}

absl::StatusOr<std::string> ToJson(const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  // Front ends get a stable shape: empty lists as [], zeros, false and default enums printed.
  options.always_print_primitive_fields = true;
  if (auto s = google::protobuf::util::MessageToJsonString(message, &out, options); !s.ok()) {
    return absl::InternalError(absl::StrCat("response to JSON: ", Why(s)));
  }
  return out;
}

int HttpStatusFor(int grpc_code) {
  switch (grpc_code) {
    case 0:
      return 200;  // OK
    case 1:
      return 499;  // CANCELLED
    case 2:
      return 500;  // UNKNOWN
    case 3:
      return 400;  // INVALID_ARGUMENT
    case 4:
      return 504;  // DEADLINE_EXCEEDED
    case 5:
      return 404;  // NOT_FOUND
    case 6:
      return 409;  // ALREADY_EXISTS
    case 7:
      return 403;  // PERMISSION_DENIED
    case 8:
      return 429;  // RESOURCE_EXHAUSTED
    case 9:
      return 400;  // FAILED_PRECONDITION
    case 10:
      return 409;  // ABORTED
    case 11:
      return 400;  // OUT_OF_RANGE
    case 12:
      return 501;  // UNIMPLEMENTED
    case 13:
      return 500;  // INTERNAL
    case 14:
      return 503;  // UNAVAILABLE
    case 15:
      return 500;  // DATA_LOSS
    case 16:
      return 401;  // UNAUTHENTICATED
    default:
      return 500;
  }
}

std::string BadRequestDetails(absl::string_view message) {
  // "query parameter `x`: ...", "path `x`: ...", "body ...": the field a form should mark.
  std::string field = "body";
  for (absl::string_view prefix : {"query parameter `", "path `"}) {
    absl::string_view rest = message;
    if (absl::ConsumePrefix(&rest, prefix)) field = std::string(rest.substr(0, rest.find('`')));
  }
  google::rpc::Status status;
  status.set_code(3);
  status.set_message(std::string(message));
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field(field);
  v->set_description(std::string(message));
  status.add_details()->PackFrom(bad);
  return status.SerializeAsString();
}

std::string ErrorJson(int grpc_code, absl::string_view message, absl::string_view details_bin) {
  // The detail types are printed through the generated pool: touching them links them in.
  static const bool kLinked = [] {
    (void)google::rpc::ErrorInfo::descriptor();
    (void)google::rpc::BadRequest::descriptor();
    (void)google::rpc::PreconditionFailure::descriptor();
    (void)google::rpc::RetryInfo::descriptor();
    (void)google::rpc::QuotaFailure::descriptor();
    (void)google::rpc::ResourceInfo::descriptor();
    (void)google::rpc::Help::descriptor();
    (void)google::rpc::LocalizedMessage::descriptor();
    (void)google::rpc::DebugInfo::descriptor();
    (void)google::rpc::RequestInfo::descriptor();
    return true;
  }();
  (void)kLinked;
  gateway::v1::ErrorBody body;
  auto* e = body.mutable_error();
  e->set_code(HttpStatusFor(grpc_code));
  e->set_message(std::string(message));
  e->set_status(google::rpc::Code_IsValid(grpc_code)
                    ? google::rpc::Code_Name(static_cast<google::rpc::Code>(grpc_code))
                    : "UNKNOWN");
  google::rpc::Status status;
  if (!details_bin.empty() &&
      status.ParseFromArray(details_bin.data(), static_cast<int>(details_bin.size()))) {
    *e->mutable_details() = status.details();
  }
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(body, &out).ok()) {
    // A detail of a type this binary does not know cannot be printed: drop the details.
    e->clear_details();
    out.clear();
    (void)google::protobuf::util::MessageToJsonString(body, &out);
  }
  return out;
}

}  // namespace sla::gateway
