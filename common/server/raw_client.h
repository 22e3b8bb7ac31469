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
  std::string body;        // serialized response message
  std::string request_id;  // `x-request-id` the server echoed, if any
};

using MetadataList = std::vector<std::pair<std::string, std::string>>;

// Calls `method` ("/package.Service/Method") with `request` bytes; waits at most `timeout`.
RawResponse RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                         const std::string& request, const MetadataList& metadata,
                         absl::Duration timeout);

struct RawStreamResponse {
  grpc::Status status;  // how the stream ended (DEADLINE_EXCEEDED once `timeout` ran out)
  std::vector<std::string> messages;  // the serialized messages received, at most `max_messages`
};

// Calls the server-streaming `method` with `request` bytes and reads until the stream ends,
// `max_messages` arrived (then the call is cancelled: status CANCELLED), or `timeout` passed.
RawStreamResponse RawServerStreamingCall(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const std::string& request,
                                         const MetadataList& metadata, absl::Duration timeout,
                                         int max_messages);

// grpc.health.v1 Check: true if `service` ("" = the whole server) is SERVING. The error
// status of the call otherwise (e.g. UNAVAILABLE while nothing listens).
absl::StatusOr<bool> CheckServing(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& service, absl::Duration timeout);

// The services a server lists through gRPC server reflection (v1alpha).
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout);

}  // namespace sla::server
