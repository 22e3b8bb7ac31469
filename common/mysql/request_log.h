// Idempotent creates by request id, on the `request_log` table every service's V0001
// migration creates:
//   request_log(request_id, method, caller) → resource_name, request_hash
//
// Inside the create's transaction, ClaimRequestId inserts the key before the resource is
// written. If a committed transaction claimed it already, it returns that resource's name, and
// the caller returns that resource instead of creating another. Two concurrent retries with
// one key serialise on the key's unique index: the second waits for the first to commit, then
// finds its row. The key is scoped by caller, so one caller's id never reveals another's. The
// request's fingerprint is stored with it: the same id with a different request is refused
// with FAILED_PRECONDITION naming the id (rows written before fingerprints were kept, with an
// empty hash, are not compared).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/api/request_key.h"
#include "common/mysql/connection_pool.h"

namespace sla::mysql {

// nullopt: claimed now, go on and create `resource_name`. A value: the name of the resource an
// earlier committed request with this key created. An empty request_id claims nothing.
absl::StatusOr<std::optional<std::string>> ClaimRequestId(Connection& conn,
                                                          const api::RequestKey& key,
                                                          const std::string& method,
                                                          const std::string& caller,
                                                          const std::string& resource_name);

// The resource a committed request with this key created, if any (for writers that claim the
// key inside a statement of their own, such as a stored procedure).
absl::StatusOr<std::optional<std::string>> LookupRequestId(Connection& conn,
                                                           const api::RequestKey& key,
                                                           const std::string& method,
                                                           const std::string& caller);

}  // namespace sla::mysql
