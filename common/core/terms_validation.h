// Validation of a contract's SLA terms (sla.v1.SlaTerms) before they are stored.
//
// Every rule returns INVALID_ARGUMENT naming the field path below `prefix` and the reason,
// e.g. ``field `terms.priority_targets[1].resolution.target_seconds`: must not be shorter
// than first_response``. Validation stops at the first error, in field order.
//
// The shared proto messages are the domain's value types for terms: the model has some sixty
// message types, and a parallel C++ copy would only add a translation layer to get wrong.
// This file includes generated messages only, never gRPC.
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sla/v1/terms.pb.h"

namespace sla::core {

// Whether a calendar resource name (`calendars/{calendar}`) exists.
using CalendarExists = std::function<bool(absl::string_view)>;

inline constexpr int kMaxServices = 100;
inline constexpr int kMaxEscalationLevels = 10;
inline constexpr int kMaxListItems = 100;
inline constexpr int64_t kPpm = 1'000'000;
inline constexpr int64_t kMaxTargetSeconds = 366LL * 24 * 3600;  // a year

absl::Status ValidateTerms(const sla::v1::SlaTerms& terms, const CalendarExists& calendar_exists,
                           absl::string_view prefix = "terms");

}  // namespace sla::core
