// The fingerprint of a create request for its idempotency key (common/api/request_key.h):
// SHA-256, in hex, of the request's deterministic serialization with its `request_id` field
// cleared, so that a retry of the same request matches and any other change does not.
#pragma once

#include <string>

#include "common/api/request_key.h"
#include "google/protobuf/message.h"

namespace sla::server {

std::string RequestFingerprint(const google::protobuf::Message& request);

// {request.request_id, RequestFingerprint(request)}; empty when the request has no request id.
api::RequestKey RequestKeyOf(const google::protobuf::Message& request);

}  // namespace sla::server
