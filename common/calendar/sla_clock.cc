#include "common/calendar/sla_clock.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::calendar {
namespace {

constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

int64_t Seconds(absl::Time t) {
  return t == absl::InfiniteFuture() ? kForever : absl::ToUnixSeconds(t);
}

absl::Status CheckInHorizon(const BusinessCalendar& cal, int64_t t, const char* what) {
  if (t < cal.begin_seconds() || t > cal.end_seconds()) {
    return absl::OutOfRangeError(
        absl::StrCat(what, " ", absl::FormatTime(absl::FromUnixSeconds(t), absl::UTCTimeZone()),
                     " is outside the calendar's compiled horizon"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePauses(absl::Span<const Pause> pauses) {
  for (size_t i = 0; i < pauses.size(); ++i) {
    if (pauses[i].end <= pauses[i].start) {
      return InvalidField(absl::StrCat("pauses[", i, "]"), "must end after it starts");
    }
    if (i > 0 && pauses[i].start < pauses[i - 1].end) {
      return InvalidField(absl::StrCat("pauses[", i, "]"),
                          "must start at or after the previous pause ends");
    }
  }
  return absl::OkStatus();
}

std::vector<Pause> NormalizePauses(std::vector<Pause> pauses) {
  std::sort(pauses.begin(), pauses.end(),
            [](const Pause& a, const Pause& b) { return a.start < b.start; });
  std::vector<Pause> out;
  out.reserve(pauses.size());
  for (const Pause& p : pauses) {
    if (p.end <= p.start) continue;
    if (!out.empty() && p.start <= out.back().end) {
      out.back().end = std::max(out.back().end, p.end);
    } else {
      out.push_back(p);
    }
  }
  return out;
}

absl::StatusOr<absl::Time> DueAt(const BusinessCalendar& cal, absl::Time start,
                                 absl::Duration target, absl::Span<const Pause> pauses) {
  if (target <= absl::ZeroDuration()) return InvalidField("target", "must be positive");
  if (absl::Status s = ValidatePauses(pauses); !s.ok()) return s;
  const int64_t s0 = absl::ToUnixSeconds(start);
  if (absl::Status s = CheckInHorizon(cal, s0, "clock start"); !s.ok()) return s;

  // Sweep forward: `cursor` is where counting resumes, `level` the calendar's cumulative open
  // time there, `remaining` what is left of the target.
  int64_t remaining = absl::ToInt64Seconds(target);
  size_t hint = 0;
  int64_t cursor = s0;
  int64_t level = cal.CumulativeOpen(cursor, hint);
  for (const Pause& p : pauses) {
    const int64_t p_end = Seconds(p.end);
    if (p_end <= cursor) continue;
    const int64_t p_start = std::max(Seconds(p.start), cursor);
    const int64_t at_pause = cal.CumulativeOpen(p_start, hint);
    if (at_pause - level >= remaining) break;  // due before this pause begins
    // A pause beyond the horizon cannot matter: the target is not reached within it anyway.
    if (p_start >= cal.end_seconds()) break;
    remaining -= at_pause - level;
    if (p_end == kForever) return absl::InfiniteFuture();
    cursor = p_end;
    level = cal.CumulativeOpen(std::min(cursor, cal.end_seconds()), hint);
  }
  if (remaining > cal.total_open_seconds() - level) {
    return absl::OutOfRangeError("target not reached within the calendar's compiled horizon");
  }
  // The due instant is at or after `cursor`; the inverse lookup searches from the same hint.
  return absl::FromUnixSeconds(cal.InstantAtCumulative(level + remaining, hint));
}

absl::StatusOr<absl::Duration> Consumed(const BusinessCalendar& cal, absl::Time start,
                                        absl::Time now, absl::Span<const Pause> pauses) {
  if (absl::Status s = ValidatePauses(pauses); !s.ok()) return s;
  const int64_t a = absl::ToUnixSeconds(start);
  const int64_t b = absl::ToUnixSeconds(now);
  if (absl::Status s = CheckInHorizon(cal, a, "clock start"); !s.ok()) return s;
  if (absl::Status s = CheckInHorizon(cal, b, "instant"); !s.ok()) return s;
  if (b <= a) return absl::ZeroDuration();
  size_t hint = 0;
  int64_t consumed = 0;
  int64_t cursor = a;
  int64_t level = cal.CumulativeOpen(a, hint);
  for (const Pause& p : pauses) {
    const int64_t p_end = Seconds(p.end);
    if (p_end <= cursor) continue;
    const int64_t p_start = std::max(Seconds(p.start), cursor);
    if (p_start >= b) break;
    consumed += cal.CumulativeOpen(p_start, hint) - level;
    cursor = std::min(p_end, b);
    level = cal.CumulativeOpen(cursor, hint);
    if (cursor == b) return absl::Seconds(consumed);
  }
  consumed += cal.CumulativeOpen(b, hint) - level;
  return absl::Seconds(consumed);
}

}  // namespace sla::calendar
