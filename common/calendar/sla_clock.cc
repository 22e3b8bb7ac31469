#include "common/calendar/sla_clock.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::calendar {
namespace {

int64_t Seconds(absl::Time t) {
  return t == absl::InfiniteFuture() ? kOpenEnded : absl::ToUnixSeconds(t);
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

namespace {

absl::Status ValidatePauseSeconds(absl::Span<const PauseSeconds> pauses) {
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

// Up to 32 pauses convert on the stack.
using PauseBuffer = absl::InlinedVector<PauseSeconds, 32>;

PauseBuffer ToSeconds(absl::Span<const Pause> pauses) {
  PauseBuffer out;
  out.reserve(pauses.size());
  for (const Pause& p : pauses) out.push_back({Seconds(p.start), Seconds(p.end)});
  return out;
}

}  // namespace

absl::Status ValidatePauses(absl::Span<const Pause> pauses) {
  // Validated as the engine sees them: at one-second resolution.
  return ValidatePauseSeconds(ToSeconds(pauses));
}

absl::StatusOr<int64_t> DueAtSeconds(const BusinessCalendar& cal, int64_t start,
                                     int64_t target_seconds,
                                     absl::Span<const PauseSeconds> pauses) {
  if (target_seconds <= 0) return InvalidField("target", "must be positive");
  if (absl::Status s = ValidatePauseSeconds(pauses); !s.ok()) return s;
  if (absl::Status s = CheckInHorizon(cal, start, "clock start"); !s.ok()) return s;

  // Sweep forward: `cursor` is where counting resumes, `level` the calendar's cumulative open
  // time there, `remaining` what is left of the target.
  int64_t remaining = target_seconds;
  size_t hint = 0;
  int64_t cursor = start;
  int64_t level = cal.CumulativeOpen(cursor, hint);
  for (const PauseSeconds& p : pauses) {
    if (p.end <= cursor) continue;
    const int64_t p_start = std::max(p.start, cursor);
    const int64_t at_pause = cal.CumulativeOpen(p_start, hint);
    if (at_pause - level >= remaining) break;  // due before this pause begins
    // A pause beyond the horizon cannot matter: the target is not reached within it anyway.
    if (p_start >= cal.end_seconds()) break;
    remaining -= at_pause - level;
    if (p.end == kOpenEnded) return kOpenEnded;
    cursor = p.end;
    level = cal.CumulativeOpen(std::min(cursor, cal.end_seconds()), hint);
  }
  if (remaining > cal.total_open_seconds() - level) {
    return absl::OutOfRangeError("target not reached within the calendar's compiled horizon");
  }
  // The due instant is at or after `cursor`; the inverse lookup searches from the same hint.
  return cal.InstantAtCumulative(level + remaining, hint);
}

absl::StatusOr<int64_t> ConsumedSeconds(const BusinessCalendar& cal, int64_t a, int64_t b,
                                        absl::Span<const PauseSeconds> pauses) {
  if (absl::Status s = ValidatePauseSeconds(pauses); !s.ok()) return s;
  if (absl::Status s = CheckInHorizon(cal, a, "clock start"); !s.ok()) return s;
  if (absl::Status s = CheckInHorizon(cal, b, "instant"); !s.ok()) return s;
  if (b <= a) return 0;
  size_t hint = 0;
  int64_t consumed = 0;
  int64_t cursor = a;
  int64_t level = cal.CumulativeOpen(a, hint);
  for (const PauseSeconds& p : pauses) {
    if (p.end <= cursor) continue;
    const int64_t p_start = std::max(p.start, cursor);
    if (p_start >= b) break;
    consumed += cal.CumulativeOpen(p_start, hint) - level;
    cursor = std::min(p.end, b);
    level = cal.CumulativeOpen(cursor, hint);
    if (cursor == b) return consumed;
  }
  return consumed + cal.CumulativeOpen(b, hint) - level;
}

absl::StatusOr<absl::Time> DueAt(const BusinessCalendar& cal, absl::Time start,
                                 absl::Duration target, absl::Span<const Pause> pauses) {
  if (target <= absl::ZeroDuration()) return InvalidField("target", "must be positive");
  const PauseBuffer secs = ToSeconds(pauses);
  absl::StatusOr<int64_t> due =
      DueAtSeconds(cal, absl::ToUnixSeconds(start), absl::ToInt64Seconds(target), secs);
  if (!due.ok()) return due.status();
  return *due == kOpenEnded ? absl::InfiniteFuture() : absl::FromUnixSeconds(*due);
}

absl::StatusOr<absl::Duration> Consumed(const BusinessCalendar& cal, absl::Time start,
                                        absl::Time now, absl::Span<const Pause> pauses) {
  const PauseBuffer secs = ToSeconds(pauses);
  absl::StatusOr<int64_t> consumed =
      ConsumedSeconds(cal, absl::ToUnixSeconds(start), absl::ToUnixSeconds(now), secs);
  if (!consumed.ok()) return consumed.status();
  return absl::Seconds(*consumed);
}

}  // namespace sla::calendar
