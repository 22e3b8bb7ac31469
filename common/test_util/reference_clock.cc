#include "common/test_util/reference_clock.h"

#include <limits>

namespace sla::test {
namespace {

int64_t Resolve(const absl::TimeZone& tz, absl::CivilSecond cs) {
  const auto ti = tz.At(cs);
  return absl::ToUnixSeconds(ti.kind == absl::TimeZone::TimeInfo::SKIPPED ? ti.trans : ti.pre);
}

int64_t End(const calendar::Pause& p) {
  return p.end == absl::InfiniteFuture() ? std::numeric_limits<int64_t>::max()
                                         : absl::ToUnixSeconds(p.end);
}

bool Paused(const std::vector<calendar::Pause>& pauses, int64_t t) {
  for (const calendar::Pause& p : pauses) {
    if (absl::ToUnixSeconds(p.start) <= t && t < End(p)) return true;
  }
  return false;
}

}  // namespace

ReferenceCalendar::ReferenceCalendar(calendar::CalendarSpec spec) : spec_(std::move(spec)) {
  absl::LoadTimeZone(spec_.time_zone, &tz_);
}

const ReferenceCalendar::Spans& ReferenceCalendar::Shifts(absl::CivilDay d) {
  auto [it, inserted] = shifts_.try_emplace(d);
  if (inserted) {
    for (const calendar::WeeklyInterval& w : spec_.weekly) {
      if (w.day != absl::GetWeekday(d)) continue;
      const int end = w.end_minute > w.start_minute ? w.end_minute : w.end_minute + 1440;
      it->second.push_back({Resolve(tz_, absl::CivilSecond(d) + w.start_minute * 60),
                            Resolve(tz_, absl::CivilSecond(d) + end * 60)});
    }
  }
  return it->second;
}

const ReferenceCalendar::Spans& ReferenceCalendar::Closures(absl::CivilDay d) {
  auto [it, inserted] = closures_.try_emplace(d);
  if (inserted) {
    for (const calendar::Holiday& h : spec_.holidays) {
      if (h.date != d) continue;
      const bool whole = h.start_minute == 0 && h.end_minute == 0;
      it->second.push_back(
          {Resolve(tz_, absl::CivilSecond(d) + h.start_minute * 60),
           Resolve(tz_, absl::CivilSecond(d) + (whole ? 1440 : h.end_minute) * 60)});
    }
  }
  return it->second;
}

bool ReferenceCalendar::IsOpenAt(int64_t t) {
  const absl::CivilDay d(absl::ToCivilSecond(absl::FromUnixSeconds(t), tz_));
  bool open = spec_.always_open;
  // An overnight shift of the day before (or, across a DST overlap, of neighbouring days) may
  // contain t: look two days back and one ahead.
  for (absl::CivilDay x = d - 2; x <= d + 1 && !open; ++x) {
    for (const auto& [a, b] : Shifts(x)) open = open || (a <= t && t < b);
  }
  for (absl::CivilDay x = d - 1; x <= d + 1 && open; ++x) {
    for (const auto& [a, b] : Closures(x)) open = open && !(a <= t && t < b);
  }
  return open;
}

void ReferenceCalendar::Precompute(int64_t h0, int64_t h1) {
  cache_.clear();
  for (int64_t t = h0; t < h1; t += 60) cache_.push_back(IsOpenAt(t));
  cache_begin_ = h0;
}

bool ReferenceCalendar::OpenCached(int64_t t) {
  const int64_t i = (t - cache_begin_) / 60;
  if (t >= cache_begin_ && i < static_cast<int64_t>(cache_.size())) return cache_[i];
  return IsOpenAt(t);
}

int64_t ReferenceCalendar::DueAt(int64_t start, int64_t target_minutes,
                                 const std::vector<calendar::Pause>& pauses, int64_t limit) {
  int64_t count = 0;
  for (int64_t t = start; t < limit; t += 60) {
    if (Paused(pauses, t)) {
      for (const calendar::Pause& p : pauses) {
        if (p.end == absl::InfiniteFuture() && absl::ToUnixSeconds(p.start) <= t) {
          return kRefPausedForever;
        }
      }
      continue;
    }
    if (OpenCached(t) && ++count == target_minutes) return t + 60;
  }
  return kRefNotReached;
}

int64_t ReferenceCalendar::ConsumedMinutes(int64_t start, int64_t now,
                                           const std::vector<calendar::Pause>& pauses) {
  int64_t count = 0;
  for (int64_t t = start; t < now; t += 60) {
    if (OpenCached(t) && !Paused(pauses, t)) ++count;
  }
  return count;
}

}  // namespace sla::test
