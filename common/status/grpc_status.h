// The one mapping between absl::Status (used everywhere inside) and grpc::Status (the edge).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sla {

// Converts an internal status to what a client sees. INTERNAL, UNKNOWN and DATA_LOSS details
// never leave the process: the client gets a generic message carrying `request_id`, and the
// caller is expected to have logged the detail with the same id.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id);

// Converts a status received from another service back to absl (codes map one to one).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace sla
