// The error catalogue: every service builds its errors here so that codes and message formats
// live in one place (docs/api.md lists them).
//
//   return InvalidField("terms.priority_targets[2].resolution", "must be positive");
//   → INVALID_ARGUMENT "field `terms.priority_targets[2].resolution`: must be positive"
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sla {

// Bad input in one field: INVALID_ARGUMENT naming the field path and the reason.
absl::Status InvalidField(absl::string_view field_path, absl::string_view reason);
// A resource that does not exist (or that the caller may not know exists): NOT_FOUND.
absl::Status NotFound(absl::string_view resource_name);
// A create that collides with an existing resource: ALREADY_EXISTS.
absl::Status AlreadyExists(absl::string_view resource_name);
// An update with a stale etag: ABORTED, so that the client re-reads and retries.
absl::Status EtagMismatch(absl::string_view resource_name);
// The resource is not in a state that allows the operation: FAILED_PRECONDITION.
absl::Status WrongState(absl::string_view resource_name, absl::string_view reason);
// No or bad credentials: UNAUTHENTICATED.
absl::Status Unauthenticated(absl::string_view reason);
// Authenticated but not allowed: PERMISSION_DENIED.
absl::Status PermissionDenied(absl::string_view reason);

// A consumer's position that the event stream no longer holds (its database was restored or
// failed over): FAILED_PRECONDITION with reason STREAM_REWOUND. Consumers stop on it.
absl::Status StreamRewound(absl::string_view detail);
bool IsStreamRewound(const absl::Status& status);

// Returns the field path of an InvalidField status, or "" for any other status.
std::string InvalidFieldPath(const absl::Status& status);

}  // namespace sla
