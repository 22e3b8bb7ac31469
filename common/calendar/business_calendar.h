// Business calendars: when SLA time counts, compiled for O(log n) queries.
//
// A CalendarSpec says, in local civil time of an IANA zone, when the calendar is open: weekly
// intervals (split shifts and overnight shifts allowed), or 24/7, minus holidays (whole or
// partial days). BusinessCalendar::Compile turns it into the sorted, merged list of open
// intervals in absolute time over a horizon, with prefix sums of open time, so that
//   - open time between two instants is two binary searches, and
//   - the instant at which an amount of open time is reached is one more,
// whatever the target, with no stepping and no allocation per query.
//
// Local-time rules (DST): a civil time inside a DST gap resolves to the instant the gap ends;
// a civil time inside a DST overlap resolves to its first occurrence. A shift therefore never
// has a hole in an overlap, and one that starts in a gap starts when the gap ends.
//
// All instants are handled at one-second resolution (sub-second parts are floored).
// A compiled calendar is immutable and safe to share between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace sla::calendar {

inline constexpr int kMinutesPerDay = 24 * 60;

// One opening in the weekly schedule, in local minutes after midnight.
struct WeeklyInterval {
  absl::Weekday day = absl::Weekday::monday;
  int start_minute = 0;  // 0..1439
  int end_minute = 0;    // 0..1440; at or before start → ends on the next day (overnight)
};

// A closed local date, or a closed part of it.
struct Holiday {
  absl::CivilDay date;
  int start_minute = 0;  // both 0 → the whole day
  int end_minute = 0;
};

struct CalendarSpec {
  std::string time_zone;  // IANA name, e.g. "Asia/Bangkok"
  bool always_open = false;
  std::vector<WeeklyInterval> weekly = {};
  std::vector<Holiday> holidays = {};
};

inline constexpr size_t kMaxTimeZoneLength = 64;  // the longest IANA name is 32
inline constexpr int kMaxWeeklyIntervals = 100;
inline constexpr int kMaxHolidays = 2000;

// Checks a spec. Errors are INVALID_ARGUMENT naming the field path below `field_prefix`
// (e.g. prefix "calendar" → "calendar.weekly_intervals[2].end_minute") and the reason.
absl::Status ValidateSpec(const CalendarSpec& spec, absl::string_view field_prefix = "");

class BusinessCalendar {
 public:
  // Validates `spec` and compiles it over the horizon [horizon_begin, horizon_end).
  // INVALID_ARGUMENT for a bad spec or an empty horizon.
  static absl::StatusOr<BusinessCalendar> Compile(const CalendarSpec& spec,
                                                  absl::Time horizon_begin, absl::Time horizon_end);

  absl::Time horizon_begin() const { return absl::FromUnixSeconds(begin_); }
  absl::Time horizon_end() const { return absl::FromUnixSeconds(end_); }
  // Number of merged open intervals in the horizon.
  size_t interval_count() const { return starts_.size(); }
  // Total open time in the horizon.
  absl::Duration total_open() const { return absl::Seconds(cum_.back()); }

  // Whether the calendar is open at `t` (false outside the horizon).
  bool IsOpen(absl::Time t) const;
  // Open time in [from, to). OUT_OF_RANGE if either instant is outside the horizon,
  // INVALID_ARGUMENT if to < from.
  absl::StatusOr<absl::Duration> OpenTimeBetween(absl::Time from, absl::Time to) const;
  // The earliest instant t ≥ from with OpenTimeBetween(from, t) == amount (amount ≥ 0).
  // OUT_OF_RANGE if `from` is outside the horizon or the amount is not reached within it.
  absl::StatusOr<absl::Time> AddOpenTime(absl::Time from, absl::Duration amount) const;

  // --- Low-level interface in Unix seconds, for the SLA clock's hot path. ---
  int64_t begin_seconds() const { return begin_; }
  int64_t end_seconds() const { return end_; }
  // Open seconds in [begin, t), t clamped to the horizon. `hint` (in/out) is an interval index
  // at or before the answer from an earlier call with a smaller t; pass 0 when unknown.
  int64_t CumulativeOpen(int64_t t, size_t& hint) const {
    // Fast path, inline: successive lookups of one clock (pause edges) mostly stay in the
    // hinted interval or move to the next one.
    const size_t n = starts_.size();
    const size_t k = hint;
    if (k < n && starts_[k] <= t) {
      if (k + 1 == n || starts_[k + 1] > t) return cum_[k] + std::min(t, ends_[k]) - starts_[k];
      if (k + 2 == n || starts_[k + 2] > t) {
        hint = k + 1;
        return cum_[k + 1] + std::min(t, ends_[k + 1]) - starts_[k + 1];
      }
    }
    return CumulativeOpenSearch(t, hint);
  }
  // The earliest instant at which CumulativeOpen reaches `level` (0 < level ≤ total).
  // `hint` as above, over the same increasing sequence of levels.
  int64_t InstantAtCumulative(int64_t level, size_t& hint) const;
  int64_t total_open_seconds() const { return cum_.back(); }

 private:
  BusinessCalendar() = default;
  // CumulativeOpen's general case: galloping search from the hint, then binary search.
  int64_t CumulativeOpenSearch(int64_t t, size_t& hint) const;

  int64_t begin_ = 0;
  int64_t end_ = 0;
  // Open intervals [starts_[i], ends_[i]), sorted, disjoint and non-adjacent.
  std::vector<int64_t> starts_;
  std::vector<int64_t> ends_;
  // cum_[i] = open seconds before starts_[i]; cum_[n] = total. Size n + 1.
  std::vector<int64_t> cum_;
};

}  // namespace sla::calendar
