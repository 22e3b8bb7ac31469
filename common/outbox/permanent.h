// Whether an error will come back however often the work is tried again (bad input, something
// that does not exist or is in the wrong state, unreadable data): a consumer sets such an event
// aside, a retry loop drops such work. Apart from follower.h so that use cases can ask without
// depending on the consumer's tables.
#pragma once

#include "absl/status/status.h"

namespace sla::outbox {

inline bool PermanentError(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kDataLoss:
      return true;
    default:
      return false;
  }
}

}  // namespace sla::outbox
