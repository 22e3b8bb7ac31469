// A create's idempotency key: the caller's request id, and a fingerprint of everything else the
// request says. A retry (same id, same request) gets the resource the first call created; the
// same id with a different request is refused (FAILED_PRECONDITION naming the id), as payment
// APIs do, instead of silently answering with the first request's resource. Header-only and
// free of gRPC and MySQL, so every layer can carry it.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sla::api {

struct RequestKey {
  std::string request_id;   // empty: the create is not idempotent
  std::string fingerprint;  // server::RequestFingerprint of the request; empty: not compared
};

// OK if a request with `key` may be answered with `existing`, the resource an earlier request
// with its id created and whose fingerprint was `stored` (empty: not kept, not compared);
// FAILED_PRECONDITION naming the id otherwise.
inline absl::Status SameRequest(const RequestKey& key, const std::string& existing,
                                const std::string& stored) {
  if (stored.empty() || key.fingerprint.empty() || stored == key.fingerprint) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "request_id `", key.request_id, "` was used before with a different request (it created ",
      existing, "); send a new request_id for a new request"));
}

}  // namespace sla::api
