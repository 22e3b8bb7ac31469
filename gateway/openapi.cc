#include "gateway/openapi.h"

#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "sla/gateway/v1/error.pb.h"

namespace sla::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using google::protobuf::Value;

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

Value Bool(bool b) {
  Value v;
  v.set_bool_value(b);
  return v;
}

Value Obj(std::initializer_list<std::pair<const char*, Value>> fields) {
  Value v;
  for (const auto& [k, val] : fields) (*v.mutable_struct_value()->mutable_fields())[k] = val;
  return v;
}

Value Ref(const std::string& schema) {
  return Obj({{"$ref", Str(absl::StrCat("#/components/schemas/", schema))}});
}

Value& Field(Value& v, const std::string& key) {
  return (*v.mutable_struct_value()->mutable_fields())[key];
}

// Message schemas, each once, by full name; collected as routes and fields reach them.
class Schemas {
 public:
  Value RefTo(const Descriptor* type) {
    if (const auto wkt = WellKnown(type)) return *wkt;
    Collect(type);
    return Ref(type->full_name());
  }

  Value All() const {
    Value out = Obj({});
    for (const auto& [name, schema] : schemas_) Field(out, name) = schema;
    return out;
  }

 private:
  // The well-known types' JSON forms (the proto3 JSON mapping).
  static std::optional<Value> WellKnown(const Descriptor* type) {
    const std::string& n = type->full_name();
    if (n == "google.protobuf.Timestamp")
      return Obj({{"type", Str("string")}, {"format", Str("date-time")}});
    if (n == "google.protobuf.Duration") {
      return Obj({{"type", Str("string")},
                  {"description", Str("seconds with an \"s\" suffix, e.g. \"3600s\"")}});
    }
    if (n == "google.protobuf.FieldMask") {
      return Obj({{"type", Str("string")},
                  {"description", Str("comma-separated lowerCamelCase field paths")}});
    }
    if (n == "google.protobuf.Struct") return Obj({{"type", Str("object")}});
    if (n == "google.protobuf.Value") return Obj({});
    if (n == "google.protobuf.Any") {
      Value any = Obj({{"type", Str("object")},
                       {"properties", Obj({{"@type", Obj({{"type", Str("string")}})}})}});
      Field(any, "additionalProperties") = Bool(true);
      return any;
    }
    if (n == "google.protobuf.StringValue" || n == "google.protobuf.BytesValue")
      return Obj({{"type", Str("string")}});
    if (n == "google.protobuf.BoolValue") return Obj({{"type", Str("boolean")}});
    if (n == "google.protobuf.Int32Value" || n == "google.protobuf.UInt32Value")
      return Obj({{"type", Str("integer")}});
    if (n == "google.protobuf.Int64Value" || n == "google.protobuf.UInt64Value") {
      return Obj({{"type", Str("string")}, {"format", Str("int64")}});
    }
    if (n == "google.protobuf.DoubleValue" || n == "google.protobuf.FloatValue")
      return Obj({{"type", Str("number")}});
    return std::nullopt;
  }

  Value ScalarOrRef(const FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return Obj({{"type", Str("integer")}, {"format", Str("int32")}});
      case FieldDescriptor::CPPTYPE_UINT32:
        return Obj({{"type", Str("integer")}, {"format", Str("int64")}});
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT64:
        // int64 is a string in proto3 JSON, so that JavaScript does not round it.
        return Obj({{"type", Str("string")}, {"format", Str("int64")}});
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return Obj({{"type", Str("number")}, {"format", Str("double")}});
      case FieldDescriptor::CPPTYPE_FLOAT:
        return Obj({{"type", Str("number")}, {"format", Str("float")}});
      case FieldDescriptor::CPPTYPE_BOOL:
        return Obj({{"type", Str("boolean")}});
      case FieldDescriptor::CPPTYPE_STRING:
        return f->type() == FieldDescriptor::TYPE_BYTES
                   ? Obj({{"type", Str("string")}, {"format", Str("byte")}})
                   : Obj({{"type", Str("string")}});
      case FieldDescriptor::CPPTYPE_ENUM: {
        Value e = Obj({{"type", Str("string")}});
        Value& values = Field(e, "enum");
        values.mutable_list_value();
        for (int i = 0; i < f->enum_type()->value_count(); ++i) {
          *values.mutable_list_value()->add_values() = Str(f->enum_type()->value(i)->name());
        }
        return e;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return RefTo(f->message_type());
    }
    return Obj({});
  }

 public:
  Value FieldSchema(const FieldDescriptor* f) {
    if (f->is_map()) {
      Value m = Obj({{"type", Str("object")}});
      Field(m, "additionalProperties") = ScalarOrRef(f->message_type()->map_value());
      return m;
    }
    Value one = ScalarOrRef(f);
    if (!f->is_repeated()) return one;
    return Obj({{"type", Str("array")}, {"items", one}});
  }

 private:
  void Collect(const Descriptor* type) {
    if (schemas_.count(type->full_name()) > 0) return;
    schemas_[type->full_name()] = Obj({});  // placeholder: recursion ends here
    Value schema = Obj({{"type", Str("object")}});
    Value properties = Obj({});
    for (int i = 0; i < type->field_count(); ++i) {
      Field(properties, type->field(i)->json_name()) = FieldSchema(type->field(i));
    }
    Field(schema, "properties") = properties;
    schemas_[type->full_name()] = schema;
  }

  std::map<std::string, Value> schemas_;
};

// The query parameters of a route: the scalar fields (through singular messages) that neither
// the path nor the body sets, by their dotted JSON names.
void QueryParameters(const Descriptor* type, const std::string& prefix,
                     const std::set<std::string>& taken, Schemas& schemas, Value& out,
                     int depth = 0) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    const std::string proto_path = absl::StrCat(prefix.empty() ? "" : prefix + ".", f->name());
    if (taken.count(proto_path) > 0) continue;
    const bool scalar_json = f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
                             absl::StartsWith(f->message_type()->full_name(), "google.protobuf.");
    if (f->is_map()) continue;
    if (!scalar_json) {
      if (!f->is_repeated() && depth < 3) {
        QueryParameters(f->message_type(), proto_path, taken, schemas, out, depth + 1);
      }
      continue;
    }
    // Each step of the dotted name in lowerCamelCase, as the gateway accepts it.
    std::string camel;
    bool upper = false;
    for (char c : proto_path) {
      if (c == '_') {
        upper = true;
      } else {
        camel += upper ? absl::ascii_toupper(static_cast<unsigned char>(c)) : c;
        upper = false;
      }
    }
    Value p = Obj({{"name", Str(camel)}, {"in", Str("query")}, {"schema", schemas.FieldSchema(f)}});
    if (f->is_repeated()) {
      Field(p, "style") = Str("form");
      Field(p, "explode") = Bool(true);
    }
    *out.mutable_list_value()->add_values() = p;
  }
}

// An operation's parameters: the path's, then (unless the body takes every field) the query's.
Value Parameters(const Route& r, const std::vector<std::string>& params, Schemas& schemas) {
  Value parameters;
  parameters.mutable_list_value();
  for (const std::string& p : params) {
    *parameters.mutable_list_value()->add_values() =
        Obj({{"name", Str(p)},
             {"in", Str("path")},
             {"required", Bool(true)},
             {"schema", Obj({{"type", Str("string")}})}});
  }
  std::set<std::string> taken;
  for (const std::string& f : r.path.FieldPaths()) taken.insert(f);
  if (r.body != "*") {
    if (!r.body.empty()) taken.insert(r.body);
    QueryParameters(r.method->input_type(), "", taken, schemas, parameters);
  }
  return parameters;
}

// An operation's responses: its message (or, streaming, Server-Sent Events), or an error.
Value Responses(const google::protobuf::MethodDescriptor& method, Schemas& schemas,
                const Value& error_ref) {
  const auto* m = &method;
  Value ok =
      m->server_streaming()
          ? Obj({{"description",
                  Str(absl::StrCat("Server-Sent Events, one ", m->output_type()->name(),
                                   " per event (id: its sequence; resume with Last-Event-ID)"))},
                 {"content",
                  Obj({{"text/event-stream", Obj({{"schema", Obj({{"type", Str("string")}})}})}})}})
          : Obj({{"description", Str(m->output_type()->name())},
                 {"content", Obj({{"application/json",
                                   Obj({{"schema", schemas.RefTo(m->output_type())}})}})}});
  return Obj({{"200", ok},
              {"default",
               Obj({{"description", Str("An error: the HTTP status of its gRPC code, and details")},
                    {"content", Obj({{"application/json", Obj({{"schema", error_ref}})}})}})}});
}

}  // namespace

std::string OpenApiJson(const RouteTable& routes) {
  Schemas schemas;
  const Value error_ref = schemas.RefTo(gateway::v1::ErrorBody::descriptor());
  Value paths = Obj({});
  std::map<std::string, int>
      bindings;  // operationIds must be unique: additional bindings get _2, _3…
  Value tag_list;
  tag_list.mutable_list_value();
  std::set<std::string> tagged;
  for (const Route& r : routes.routes()) {
    std::vector<std::string> params;
    const std::string path = r.path.OpenApiPath(&params);
    Value& item = Field(paths, path);
    if (item.kind_case() != Value::kStructValue) item = Obj({});
    const auto* m = r.method;
    std::string operation_id = absl::StrCat(m->service()->name(), "_", m->name());
    if (const int n = ++bindings[operation_id]; n > 1) absl::StrAppend(&operation_id, "_", n);
    if (tagged.insert(m->service()->name()).second) {
      *tag_list.mutable_list_value()->add_values() = Obj(
          {{"name", Str(m->service()->name())}, {"description", Str(m->service()->full_name())}});
    }
    Value op = Obj({{"operationId", Str(operation_id)},
                    {"summary", Str(absl::StrCat(m->name(), " (", m->full_name(), ")"))}});
    Value tags;
    *tags.mutable_list_value()->add_values() = Str(m->service()->name());
    Field(op, "tags") = tags;
    Field(op, "parameters") = Parameters(r, params, schemas);
    if (!r.body.empty()) {
      Value body_schema = r.body == "*"
                              ? schemas.RefTo(m->input_type())
                              : schemas.FieldSchema(m->input_type()->FindFieldByName(r.body));
      Field(op, "requestBody") =
          Obj({{"required", Bool(r.body != "*")},
               {"content", Obj({{"application/json", Obj({{"schema", body_schema}})}})}});
    }
    Field(op, "responses") = Responses(*m, schemas, error_ref);
    Field(item, absl::AsciiStrToLower(r.http_method)) = op;
  }
  Value empty_list;
  empty_list.mutable_list_value();
  Value security;
  *security.mutable_list_value()->add_values() = Obj({{"bearer", empty_list}});
  Value doc =
      Obj({{"openapi", Str("3.0.3")},
           {"info",
            Obj({{"title", Str("SLA platform")},
                 {"version", Str("v1")},
                 {"description", Str("The REST/JSON surface of contract-, ticket-, billing- and "
                                     "reporting-svc, generated from their protos' google.api.http "
                                     "rules. Send a bearer token (JWT) on every call.")}})},
           {"tags", tag_list},
           {"paths", paths},
           {"components",
            Obj({{"schemas", schemas.All()},
                 {"securitySchemes", Obj({{"bearer", Obj({{"type", Str("http")},
                                                          {"scheme", Str("bearer")},
                                                          {"bearerFormat", Str("JWT")}})}})}})},
           {"security", security}});
  std::string out;
  google::protobuf::util::JsonPrintOptions pretty;
  pretty.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(doc.struct_value(), &out, pretty);
  return out;
}

}  // namespace sla::gateway
