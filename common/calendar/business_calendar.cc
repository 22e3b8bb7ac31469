#include "common/calendar/business_calendar.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::calendar {
namespace {

using Span = std::pair<int64_t, int64_t>;  // [first, second) in Unix seconds

constexpr int kMinutesPerWeek = 7 * kMinutesPerDay;

std::string Path(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

// Monday = 0 … Sunday = 6.
int WeekdayIndex(absl::Weekday d) {
  switch (d) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

int LengthMinutes(const WeeklyInterval& w) {
  return w.end_minute > w.start_minute ? w.end_minute - w.start_minute
                                       : w.end_minute + kMinutesPerDay - w.start_minute;
}

// The instant of a local civil time under the rules in the header (gap → its end, overlap →
// first occurrence).
int64_t Resolve(const absl::TimeZone& tz, absl::CivilSecond cs) {
  const absl::TimeZone::TimeInfo ti = tz.At(cs);
  return absl::ToUnixSeconds(ti.kind == absl::TimeZone::TimeInfo::SKIPPED ? ti.trans : ti.pre);
}

// Sorts and merges overlapping or touching spans.
void SortAndMerge(std::vector<Span>& spans) {
  std::sort(spans.begin(), spans.end());
  size_t out = 0;
  for (const Span& s : spans) {
    if (s.second <= s.first) continue;
    if (out > 0 && s.first <= spans[out - 1].second) {
      spans[out - 1].second = std::max(spans[out - 1].second, s.second);
    } else {
      spans[out++] = s;
    }
  }
  spans.resize(out);
}

// open − closed, both sorted and merged.
std::vector<Span> Subtract(const std::vector<Span>& open, const std::vector<Span>& closed) {
  std::vector<Span> out;
  out.reserve(open.size());
  size_t j = 0;
  for (Span s : open) {
    while (j < closed.size() && closed[j].second <= s.first) ++j;
    size_t k = j;
    while (k < closed.size() && closed[k].first < s.second) {
      if (closed[k].first > s.first) out.push_back({s.first, closed[k].first});
      s.first = std::max(s.first, closed[k].second);
      ++k;
    }
    if (s.first < s.second) out.push_back(s);
  }
  return out;
}

}  // namespace

absl::Status ValidateSpec(const CalendarSpec& spec, absl::string_view prefix) {
  absl::TimeZone tz;
  if (spec.time_zone.empty()) return InvalidField(Path(prefix, "time_zone"), "is required");
  // IANA names are short; a longer value is refused before it is looked up or echoed back.
  if (spec.time_zone.size() > kMaxTimeZoneLength) {
    return InvalidField(Path(prefix, "time_zone"),
                        absl::StrCat("at most ", kMaxTimeZoneLength, " characters"));
  }
  if (!absl::LoadTimeZone(spec.time_zone, &tz)) {
    return InvalidField(Path(prefix, "time_zone"),
                        absl::StrCat("`", spec.time_zone, "` is not a known IANA time zone"));
  }
  if (spec.weekly.size() > kMaxWeeklyIntervals) {
    return InvalidField(Path(prefix, "weekly_intervals"),
                        absl::StrCat("at most ", kMaxWeeklyIntervals, " intervals"));
  }
  if (spec.holidays.size() > kMaxHolidays) {
    return InvalidField(Path(prefix, "holidays"),
                        absl::StrCat("at most ", kMaxHolidays, " holidays"));
  }
  if (spec.always_open && !spec.weekly.empty()) {
    return InvalidField(Path(prefix, "weekly_intervals"), "must be empty when always_open is set");
  }
  if (!spec.always_open && spec.weekly.empty()) {
    return InvalidField(Path(prefix, "weekly_intervals"),
                        "at least one interval is required unless always_open is set");
  }
  // Each interval as week-minute ranges (an interval past Sunday midnight wraps to Monday),
  // tagged with its index, to find overlaps across days too.
  struct WeekRange {
    int begin, end;
    size_t index;
  };
  std::vector<WeekRange> ranges;
  for (size_t i = 0; i < spec.weekly.size(); ++i) {
    const WeeklyInterval& w = spec.weekly[i];
    const std::string p = Path(prefix, absl::StrCat("weekly_intervals[", i, "]"));
    if (w.start_minute < 0 || w.start_minute >= kMinutesPerDay) {
      return InvalidField(p + ".start_minute", "must be within 0..1439");
    }
    if (w.end_minute < 0 || w.end_minute > kMinutesPerDay) {
      return InvalidField(p + ".end_minute", "must be within 0..1440");
    }
    if (w.end_minute == w.start_minute) {
      return InvalidField(p + ".end_minute",
                          "must differ from start_minute (use always_open for 24/7)");
    }
    const int begin = WeekdayIndex(w.day) * kMinutesPerDay + w.start_minute;
    const int end = begin + LengthMinutes(w);
    if (end <= kMinutesPerWeek) {
      ranges.push_back({begin, end, i});
    } else {
      ranges.push_back({begin, kMinutesPerWeek, i});
      ranges.push_back({0, end - kMinutesPerWeek, i});
    }
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const WeekRange& a, const WeekRange& b) { return a.begin < b.begin; });
  for (size_t k = 1; k < ranges.size(); ++k) {
    if (ranges[k].begin < ranges[k - 1].end) {
      const size_t a = std::min(ranges[k].index, ranges[k - 1].index);
      const size_t b = std::max(ranges[k].index, ranges[k - 1].index);
      return InvalidField(Path(prefix, absl::StrCat("weekly_intervals[", b, "]")),
                          absl::StrCat("overlaps weekly_intervals[", a, "]"));
    }
  }
  for (size_t i = 0; i < spec.holidays.size(); ++i) {
    const Holiday& h = spec.holidays[i];
    const std::string p = Path(prefix, absl::StrCat("holidays[", i, "]"));
    if (h.start_minute == 0 && h.end_minute == 0) continue;
    if (h.start_minute < 0 || h.start_minute >= kMinutesPerDay) {
      return InvalidField(p + ".start_minute", "must be within 0..1439");
    }
    if (h.end_minute <= h.start_minute || h.end_minute > kMinutesPerDay) {
      return InvalidField(p + ".end_minute", "must be after start_minute and at most 1440");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<BusinessCalendar> BusinessCalendar::Compile(const CalendarSpec& spec,
                                                           absl::Time horizon_begin,
                                                           absl::Time horizon_end) {
  if (absl::Status s = ValidateSpec(spec); !s.ok()) return s;
  BusinessCalendar cal;
  cal.begin_ = absl::ToUnixSeconds(horizon_begin);
  cal.end_ = absl::ToUnixSeconds(horizon_end);
  if (cal.end_ <= cal.begin_) {
    return absl::InvalidArgumentError("calendar horizon is empty: end must be after begin");
  }
  absl::TimeZone tz;
  absl::LoadTimeZone(spec.time_zone, &tz);  // validated above

  // One day of margin on each side: overnight shifts and holidays of the neighbouring local
  // days reach into the horizon.
  const absl::CivilDay first = absl::CivilDay(absl::ToCivilSecond(horizon_begin, tz)) - 1;
  const absl::CivilDay last = absl::CivilDay(absl::ToCivilSecond(horizon_end, tz)) + 1;

  std::vector<Span> open;
  if (spec.always_open) {
    open.push_back({cal.begin_, cal.end_});
  } else {
    std::vector<WeeklyInterval> by_day[7];
    for (const WeeklyInterval& w : spec.weekly) by_day[WeekdayIndex(w.day)].push_back(w);
    open.reserve(static_cast<size_t>(last - first + 1) * 2);
    for (absl::CivilDay d = first; d <= last; ++d) {
      const absl::CivilSecond midnight(d);
      for (const WeeklyInterval& w : by_day[WeekdayIndex(absl::GetWeekday(d))]) {
        const int end_minute = w.start_minute + LengthMinutes(w);
        open.push_back(
            {Resolve(tz, midnight + w.start_minute * 60), Resolve(tz, midnight + end_minute * 60)});
      }
    }
  }
  SortAndMerge(open);

  std::vector<Span> closed;
  closed.reserve(spec.holidays.size());
  for (const Holiday& h : spec.holidays) {
    if (h.date < first || h.date > last) continue;
    const absl::CivilSecond midnight(h.date);
    const bool whole = h.start_minute == 0 && h.end_minute == 0;
    closed.push_back({Resolve(tz, midnight + h.start_minute * 60),
                      Resolve(tz, midnight + (whole ? kMinutesPerDay : h.end_minute) * 60)});
  }
  SortAndMerge(closed);

  const std::vector<Span> spans = Subtract(open, closed);
  cal.starts_.reserve(spans.size());
  cal.ends_.reserve(spans.size());
  cal.cum_.reserve(spans.size() + 1);
  int64_t total = 0;
  for (const Span& s : spans) {
    const int64_t a = std::max(s.first, cal.begin_);
    const int64_t b = std::min(s.second, cal.end_);
    if (a >= b) continue;
    cal.starts_.push_back(a);
    cal.ends_.push_back(b);
    cal.cum_.push_back(total);
    total += b - a;
  }
  cal.cum_.push_back(total);
  return cal;
}

int64_t BusinessCalendar::CumulativeOpenSearch(int64_t t, size_t& hint) const {
  const size_t n = starts_.size();
  if (n == 0 || t <= starts_[0]) return 0;
  // Last index with starts_[i] <= t, by galloping forward from the hint: O(log distance).
  size_t lo = std::min(hint, n - 1);
  if (starts_[lo] > t) lo = 0;
  size_t step = 1;
  size_t hi = lo + step;
  while (hi < n && starts_[hi] <= t) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  hi = std::min(hi, n);
  // Invariant: starts_[lo] <= t, and hi == n or starts_[hi] > t.
  const auto it = std::upper_bound(starts_.begin() + lo + 1, starts_.begin() + hi, t);
  const size_t i = static_cast<size_t>(it - starts_.begin()) - 1;
  hint = i;
  return cum_[i] + std::min(t, ends_[i]) - starts_[i];
}

int64_t BusinessCalendar::InstantAtCumulative(int64_t level, size_t& hint) const {
  // Smallest i with cum_[i + 1] >= level; level is within (0, total].
  const size_t n = starts_.size();
  size_t lo = std::min(hint, n - 1);
  if (cum_[lo + 1] >= level) lo = 0;  // hint is past the answer (or the answer is 0)
  size_t step = 1;
  size_t hi = lo;
  while (hi < n && cum_[hi + 1] < level) {
    lo = hi;
    hi = lo + step;
    step *= 2;
  }
  hi = std::min(hi, n - 1);
  // Now the answer lies in [lo, hi]: cum_[hi + 1] >= level.
  const auto it = std::lower_bound(cum_.begin() + lo + 1, cum_.begin() + hi + 2, level);
  const size_t i = static_cast<size_t>(it - cum_.begin()) - 1;
  hint = i;
  return starts_[i] + (level - cum_[i]);
}

bool BusinessCalendar::IsOpen(absl::Time t) const {
  const int64_t s = absl::ToUnixSeconds(t);
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), s);
  if (it == starts_.begin()) return false;
  const size_t i = static_cast<size_t>(it - starts_.begin()) - 1;
  return s < ends_[i];
}

absl::StatusOr<absl::Duration> BusinessCalendar::OpenTimeBetween(absl::Time from,
                                                                 absl::Time to) const {
  const int64_t a = absl::ToUnixSeconds(from);
  const int64_t b = absl::ToUnixSeconds(to);
  if (a < begin_ || a > end_ || b < begin_ || b > end_) {
    return absl::OutOfRangeError("instant outside the calendar's compiled horizon");
  }
  if (b < a) return absl::InvalidArgumentError("`to` is before `from`");
  size_t hint = 0;
  const int64_t ca = CumulativeOpen(a, hint);
  return absl::Seconds(CumulativeOpen(b, hint) - ca);
}

absl::StatusOr<absl::Time> BusinessCalendar::AddOpenTime(absl::Time from,
                                                         absl::Duration amount) const {
  const int64_t a = absl::ToUnixSeconds(from);
  if (a < begin_ || a > end_) {
    return absl::OutOfRangeError("instant outside the calendar's compiled horizon");
  }
  if (amount < absl::ZeroDuration()) return absl::InvalidArgumentError("negative amount");
  const int64_t secs = absl::ToInt64Seconds(amount);
  if (secs == 0) return absl::FromUnixSeconds(a);
  size_t hint = 0;
  const int64_t level = CumulativeOpen(a, hint) + secs;
  if (level > cum_.back()) {
    return absl::OutOfRangeError("target not reached within the calendar's compiled horizon");
  }
  return absl::FromUnixSeconds(InstantAtCumulative(level, hint));
}

}  // namespace sla::calendar
