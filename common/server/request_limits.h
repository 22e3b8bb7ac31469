// Bounds every request obeys before its handler runs, whatever its fields mean: the request's
// size, each string or bytes field, each repeated field, and nesting. They are the backstop:
// validation sets tighter, field-specific limits (a ticket title at most 300 bytes, at most 100
// services in terms…); this catches every field validation does not look at, output-only
// fields included, so no request can make a service hold or store an unbounded value.
//
// INVALID_ARGUMENT names the field by its path, e.g.
//   field `contract.terms.services[3].display_name`: at most 65536 bytes (got 70000)
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace sla::server {

struct RequestLimits {
  size_t max_request_bytes = 128 << 10;  // --max_message_bytes (gRPC enforces it first, unparsed)
  size_t max_string_bytes = 64 << 10;
  int max_list_items = 1000;
  int max_depth = 16;
};

absl::Status CheckRequest(const google::protobuf::Message& request, const RequestLimits& limits);

}  // namespace sla::server
