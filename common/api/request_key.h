// A create's idempotency key: the caller's request id, and a fingerprint of everything else the
// request says. A retry (same id, same request) gets the resource the first call created; the
// same id with a different request is refused (FAILED_PRECONDITION naming the id), as payment
// APIs do, instead of silently answering with the first request's resource. Header-only and
// free of gRPC and MySQL, so every layer can carry it.
#pragma once

#include <string>

namespace sla::api {

struct RequestKey {
  std::string request_id;   // empty: the create is not idempotent
  std::string fingerprint;  // server::RequestFingerprint of the request; empty: not compared
};

}  // namespace sla::api
