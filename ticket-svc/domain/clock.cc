#include "ticket-svc/domain/clock.h"

#include <algorithm>

#include "common/status/status_macros.h"

namespace sla::ticket {

absl::StatusOr<int64_t> ConsumedAt(const ClockState& c, const calendar::BusinessCalendar& cal,
                                   int64_t now) {
  const int64_t end = c.met() ? std::min(c.met_at, now) : now;
  SLA_ASSIGN_OR_RETURN(int64_t in_segment,
                       calendar::ConsumedSeconds(cal, c.segment_start, end, c.pauses));
  return c.carried_seconds + in_segment;
}

absl::StatusOr<int64_t> InstantAtConsumed(const ClockState& c,
                                          const calendar::BusinessCalendar& cal, int64_t amount) {
  if (amount <= c.carried_seconds) return c.segment_start;
  return calendar::DueAtSeconds(cal, c.segment_start, amount - c.carried_seconds, c.pauses);
}

int64_t ThresholdSeconds(int64_t target_seconds, int64_t ppm) {
  if (ppm <= 0) return 0;
  const __int128 product = static_cast<__int128>(target_seconds) * ppm;
  return static_cast<int64_t>((product + 999'999) / 1'000'000);
}

absl::StatusOr<ClockView> Evaluate(const ClockState& c, const calendar::BusinessCalendar& cal,
                                   int64_t now) {
  ClockView v;
  if (!c.active) {
    v.state = ClockStateKind::kInactive;
    v.time_left_seconds = c.target_seconds;
    return v;
  }
  SLA_ASSIGN_OR_RETURN(v.consumed_seconds, ConsumedAt(c, cal, now));
  SLA_ASSIGN_OR_RETURN(v.due_at, InstantAtConsumed(c, cal, c.target_seconds));
  const int64_t end = c.met() ? std::min(c.met_at, now) : now;
  v.paused_seconds = c.carried_paused_seconds;
  for (const PauseSeconds& p : c.pauses) {
    if (p.start < end) v.paused_seconds += std::min(p.end, end) - p.start;
  }
  v.consumed_ppm = c.target_seconds > 0
                       ? static_cast<int64_t>(static_cast<__int128>(v.consumed_seconds) *
                                              1'000'000 / c.target_seconds)
                       : 0;
  v.time_left_seconds = c.target_seconds - v.consumed_seconds;
  if (c.breached()) {
    v.state = ClockStateKind::kBreached;
  } else if (c.met()) {
    v.state = ClockStateKind::kMet;
  } else if (c.paused()) {
    v.state = ClockStateKind::kPaused;
  } else {
    v.state = ClockStateKind::kRunning;
  }
  return v;
}

void OpenPause(ClockState& c, int64_t now) {
  if (!c.open() || c.paused()) return;
  // A pause cannot start before the segment or inside an earlier pause.
  int64_t start = std::max(now, c.segment_start);
  if (!c.pauses.empty()) start = std::max(start, c.pauses.back().end);
  c.pauses.push_back({start, kOpenEnded});
}

void ClosePause(ClockState& c, int64_t now) {
  if (!c.paused()) return;
  if (now <= c.pauses.back().start) {
    c.pauses.pop_back();
  } else {
    c.pauses.back().end = now;
  }
}

absl::Status Resegment(ClockState& c, const calendar::BusinessCalendar& cal, int64_t now,
                       bool keep_consumed) {
  const bool was_paused = c.paused();
  int64_t consumed = 0;
  if (keep_consumed) {
    SLA_ASSIGN_OR_RETURN(consumed, ConsumedAt(c, cal, now));
  }
  for (const PauseSeconds& p : c.pauses) {
    if (p.start < now) c.carried_paused_seconds += std::min(p.end, now) - p.start;
  }
  c.carried_seconds = consumed;
  c.segment_start = now;
  c.pauses.clear();
  if (was_paused) c.pauses.push_back({now, kOpenEnded});
  return absl::OkStatus();
}

}  // namespace sla::ticket
