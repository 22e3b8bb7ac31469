// The SLA clock's reference implementation, for tests and benchmarks only: it decides minute
// by minute whether the calendar is open, by asking each local day around that minute whether
// one of its shifts (resolved with the calendar's local-time rules) contains it and no holiday
// does, and counts open, unpaused minutes one at a time. It shares no data structure or search
// with the engine in common/calendar, which is what makes it a useful oracle.
//
// Instants are Unix seconds on whole minutes; targets are whole minutes.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/calendar/business_calendar.h"
#include "common/calendar/sla_clock.h"

namespace sla::test {

inline constexpr int64_t kRefNotReached = -1;     // target not reached before the limit
inline constexpr int64_t kRefPausedForever = -2;  // an open-ended pause stopped the clock

class ReferenceCalendar {
 public:
  explicit ReferenceCalendar(calendar::CalendarSpec spec);

  // Whether the calendar is open at instant `t` (memoizes each local day it resolves).
  bool IsOpenAt(int64_t t);

  // Steps from `start` one minute at a time until `target_minutes` open, unpaused minutes are
  // counted, giving up at `limit`. The due instant, kRefNotReached or kRefPausedForever.
  int64_t DueAt(int64_t start, int64_t target_minutes, const std::vector<calendar::Pause>& pauses,
                int64_t limit);

  // Open, unpaused minutes in [start, now).
  int64_t ConsumedMinutes(int64_t start, int64_t now, const std::vector<calendar::Pause>& pauses);

  // Caches IsOpenAt for every minute of [h0, h1) so that later calls there are array reads
  // (the differential test runs 100,000 cases on a few hundred calendars).
  void Precompute(int64_t h0, int64_t h1);

 private:
  using Spans = std::vector<std::pair<int64_t, int64_t>>;
  const Spans& Shifts(absl::CivilDay d);
  const Spans& Closures(absl::CivilDay d);
  bool OpenCached(int64_t t);

  calendar::CalendarSpec spec_;
  absl::TimeZone tz_;
  std::map<absl::CivilDay, Spans> shifts_;
  std::map<absl::CivilDay, Spans> closures_;
  int64_t cache_begin_ = 0;
  std::vector<bool> cache_;
};

}  // namespace sla::test
