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
#pragma once

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

// OK if the pauses are sorted by start, each non-empty, and non-overlapping (touching is
// fine); INVALID_ARGUMENT naming the offending index otherwise.
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

}  // namespace sla::calendar
