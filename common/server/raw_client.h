// Client-side helpers that call any method by name with raw protobuf bytes: the CLI's health
// probe and the tests use them, so no health or reflection .proto files are needed.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sla::server {

struct RawResponse {
  grpc::Status status;
  std::string body;                 // serialized response message
  std::string request_id;           // `x-request-id` the server echoed, if any
};

using MetadataList = std::vector<std::pair<std::string, std::string>>;

// Calls `method` ("/package.Service/Method") with `request` bytes; waits at most `timeout`.
RawResponse RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                         const std::string& request, const MetadataList& metadata,
                         absl::Duration timeout);

// grpc.health.v1 Check: true if `service` ("" = the whole server) is SERVING. The error
// status of the call otherwise (e.g. UNAVAILABLE while nothing listens).
absl::StatusOr<bool> CheckServing(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& service, absl::Duration timeout);

// The services a server lists through gRPC server reflection (v1alpha).
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout);

}  // namespace sla::server
