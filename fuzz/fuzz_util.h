// What every fuzz target shares: the input is a serialized protobuf message (the corpus in
// fuzz/corpus/<target>/ holds realistic ones); an input that does not parse is skipped.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"

namespace sla::fuzz {

template <typename Message>
bool Parse(const uint8_t* data, size_t size, Message* out) {
  return out->ParseFromArray(data, static_cast<int>(size));
}

// Only INVALID_ARGUMENT, OUT_OF_RANGE or FAILED_PRECONDITION may come back from validation of
// bad input; anything else (INTERNAL, UNKNOWN…) is a bug, reported as a crash.
inline void ExpectClientError(const absl::Status& s) {
  if (s.ok()) return;
  const absl::StatusCode c = s.code();
  if (c != absl::StatusCode::kInvalidArgument && c != absl::StatusCode::kOutOfRange &&
      c != absl::StatusCode::kFailedPrecondition && c != absl::StatusCode::kNotFound) {
    __builtin_trap();
  }
}

}  // namespace sla::fuzz
