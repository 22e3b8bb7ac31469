// The SLA clock: how much of a target a ticket has consumed, and when it falls due.
//
// A clock starts at `start`, counts open time of its coverage calendar, and does not count
// while paused (waiting on the customer, an excluded event). Both functions run in
// O(k · log(distance) + log n) for k pauses over n open intervals, allocate nothing, and treat
// pauses in closed form: one forward sweep, no iteration to a fixed point.
//
//   SLA_ASSIGN_OR_RETURN(absl::Time due, DueAt(cal, opened, absl::Hours(4), pauses));
//
// A wall-clock target is a business target on a calendar compiled with always_open.
//
// The core works on Unix seconds (DueAtSeconds, ConsumedSeconds): that is the hot path, for
// callers that keep instants as integers (ticket-svc stores them so). The absl::Time
// functions convert and call it; they allocate nothing for up to 32 pauses.
#pragma once

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/calendar/business_calendar.h"

namespace sla::calendar {

// A pause [start, end); end == absl::InfiniteFuture() while the pause is still open.
struct Pause {
  absl::Time start;
  absl::Time end;
};

// The end of a pause that is still open, in Unix seconds; also what DueAtSeconds returns
// when such a pause stops the clock before the target.
inline constexpr int64_t kOpenEnded = std::numeric_limits<int64_t>::max();

// A pause [start, end) in Unix seconds; end == kOpenEnded while still open.
struct PauseSeconds {
  int64_t start;
  int64_t end;
};

// OK if the pauses are sorted by start, each non-empty at one-second resolution, and
// non-overlapping (touching is fine); INVALID_ARGUMENT naming the offending index otherwise.
absl::Status ValidatePauses(absl::Span<const Pause> pauses);

// Sorts and merges pauses into the form the clock functions take.
std::vector<Pause> NormalizePauses(std::vector<Pause> pauses);

// The instant at which the clock started at `start` has consumed `target` of open time,
// skipping `pauses`. absl::InfiniteFuture() if an open-ended pause stops it first.
// INVALID_ARGUMENT for a non-positive target or malformed pauses; OUT_OF_RANGE if `start` is
// outside the calendar's horizon or the target is not reached within it.
absl::StatusOr<absl::Time> DueAt(const BusinessCalendar& calendar, absl::Time start,
                                 absl::Duration target, absl::Span<const Pause> pauses);

// Open time consumed in [start, now), minus paused time. Zero if now ≤ start.
// INVALID_ARGUMENT for malformed pauses; OUT_OF_RANGE outside the horizon.
absl::StatusOr<absl::Duration> Consumed(const BusinessCalendar& calendar, absl::Time start,
                                        absl::Time now, absl::Span<const Pause> pauses);

// DueAt in Unix seconds (target in seconds); kOpenEnded where DueAt gives InfiniteFuture.
absl::StatusOr<int64_t> DueAtSeconds(const BusinessCalendar& calendar, int64_t start,
                                     int64_t target_seconds, absl::Span<const PauseSeconds> pauses);

// Consumed in seconds, with instants in Unix seconds.
absl::StatusOr<int64_t> ConsumedSeconds(const BusinessCalendar& calendar, int64_t start,
                                        int64_t now, absl::Span<const PauseSeconds> pauses);

}  // namespace sla::calendar
