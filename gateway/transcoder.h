// REST/JSON ⇄ gRPC transcoding driven by the services' descriptors and their google.api.http
// options: no route is written twice. The proto3 JSON mapping is protobuf's own
// (google/protobuf/util/json_util.h); this file only decides which JSON goes into which field.
//
// A request message is built in the order http.proto gives precedence: the body (the field the
// rule names, or the whole message for "*"), then query parameters for the fields neither the
// path nor the body sets, then the path variables, which win.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/path_template.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sla::gateway {

struct Route {
  std::string http_method;  // GET, POST, PUT, PATCH or DELETE
  PathTemplate path;
  std::string body;  // "" (none), "*" or a top-level field name
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string rpc_path;  // "/sla.ticket.v1.TicketService/GetTicket"
};

class RouteTable {
 public:
  // Every method of `services` with a google.api.http option, its additional_bindings too.
  // INVALID_ARGUMENT naming the method for a template or body that does not fit its request.
  static absl::StatusOr<RouteTable> Build(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  struct Found {
    const Route* route = nullptr;  // null: nothing serves this method and path
    bool path_known = false;       // the path matches a route of another HTTP method (405)
    PathTemplate::Bindings bindings;
  };
  Found Find(absl::string_view http_method, absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }
  // The methods of the services Build saw that have no route.
  const std::vector<const google::protobuf::MethodDescriptor*>& unrouted() const {
    return unrouted_;
  }

 private:
  std::vector<Route> routes_;
  std::vector<const google::protobuf::MethodDescriptor*> unrouted_;
};

// What the transcoder takes from an HTTP request besides its path.
struct HttpInput {
  absl::string_view query;  // the raw query string, after '?'
  absl::string_view body;
  std::string idempotency_key;  // Idempotency-Key → the request's `request_id`, if it has one
  std::string if_match;         // If-Match → the request's `etag`, if it has one
};

// The gRPC request for a found route. INVALID_ARGUMENT naming the parameter, field or body
// fault (malformed JSON, an unknown field or query parameter, a value of the wrong type).
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildRequest(
    const RouteTable::Found& found, const HttpInput& in);

// The proto3 JSON of a response (lowerCamelCase, RFC 3339, enums by name, int64 as strings).
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

// The HTTP status for a gRPC status code (the table Google's APIs and grpc-gateway use).
int HttpStatusFor(int grpc_code);

// A google.rpc.Status (serialized) with a BadRequest for one of BuildRequest's errors, naming
// the query parameter or path variable it is about ("body" otherwise).
std::string BadRequestDetails(absl::string_view message);

// {"error": {"code", "message", "status", "details"}}; `details_bin` is the call's
// grpc-status-details-bin trailer (a google.rpc.Status), whose details are passed through.
std::string ErrorJson(int grpc_code, absl::string_view message, absl::string_view details_bin);

}  // namespace sla::gateway
