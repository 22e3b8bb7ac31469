// One SLA clock of a ticket: its persisted state and the pure functions over it.
//
// A clock counts open time of its calendar from `segment_start`, minus `pauses`, plus
// `carried_seconds` consumed before the segment began (a priority change that keeps consumed
// time starts a new segment, possibly on another calendar). Every instant it reports (due,
// level thresholds, warning) is computed in closed form by the calendar engine; nothing steps.
//
// Instants are Unix seconds; calendar::kOpenEnded stands for "never, unless something changes"
// (an open pause stops the clock before the instant is reached).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/calendar/business_calendar.h"
#include "common/calendar/sla_clock.h"
#include "sla/v1/common.pb.h"

namespace sla::ticket {

using calendar::kOpenEnded;
using calendar::PauseSeconds;

enum class ClockStateKind { kRunning, kPaused, kMet, kBreached, kInactive };

struct ClockState {
  sla::v1::ClockKind kind = sla::v1::CLOCK_KIND_UNSPECIFIED;
  int64_t target_seconds = 0;
  sla::v1::TimeBasis basis = sla::v1::TIME_BASIS_BUSINESS;
  std::string calendar;  // name in the terms snapshot; unused for wall-clock targets
  int64_t segment_start = 0;
  int64_t carried_seconds = 0;         // consumed before segment_start
  int64_t carried_paused_seconds = 0;  // wall-clock paused before segment_start
  std::vector<PauseSeconds> pauses;    // sorted, disjoint; the last may be open (kOpenEnded)
  int64_t met_at = 0;                  // 0: not met
  int64_t breached_at = 0;             // 0: not breached
  uint64_t fired_levels = 0;           // bit n: escalation level n fired (this cycle)
  int32_t cycle = 0;                   // update-interval cycle; 0 for the other clocks
  bool active = true;                  // false: update interval with nothing awaiting an answer

  bool met() const { return met_at != 0; }
  bool breached() const { return breached_at != 0; }
  bool paused() const { return !pauses.empty() && pauses.back().end == kOpenEnded; }
  // Running or paused: neither met nor idle, so events may still fire.
  bool open() const { return active && !met(); }
  bool LevelFired(int level) const { return (fired_levels >> (level & 63)) & 1; }
  void MarkLevelFired(int level) { fired_levels |= uint64_t{1} << (level & 63); }
};

// What a clock looks like at an instant.
struct ClockView {
  ClockStateKind state = ClockStateKind::kRunning;
  int64_t consumed_seconds = 0;
  int64_t paused_seconds = 0;
  int64_t due_at = kOpenEnded;  // kOpenEnded while an open pause holds it
  int64_t consumed_ppm = 0;
  int64_t time_left_seconds = 0;
};

// Business (or wall-clock) seconds consumed at `now` (at met_at once met).
absl::StatusOr<int64_t> ConsumedAt(const ClockState& c, const calendar::BusinessCalendar& cal,
                                   int64_t now);

// The instant at which the clock's consumption reaches `amount` seconds: segment_start if the
// carried time already covers it, kOpenEnded if an open pause comes first.
absl::StatusOr<int64_t> InstantAtConsumed(const ClockState& c,
                                          const calendar::BusinessCalendar& cal, int64_t amount);

// The threshold of `ppm` of the target, in seconds, rounded up: a level fires once consumption
// has reached at least that share.
int64_t ThresholdSeconds(int64_t target_seconds, int64_t ppm);

absl::StatusOr<ClockView> Evaluate(const ClockState& c, const calendar::BusinessCalendar& cal,
                                   int64_t now);

// Starts a pause at `now` unless one is open. No-op for a met or idle clock.
void OpenPause(ClockState& c, int64_t now);
// Ends the open pause at `now` (dropping it if empty). No-op without one.
void ClosePause(ClockState& c, int64_t now);

// Starts a new segment at `now`: keeps the consumed time (keep_consumed) or starts from zero,
// and carries an open pause over.
absl::Status Resegment(ClockState& c, const calendar::BusinessCalendar& cal, int64_t now,
                       bool keep_consumed);

}  // namespace sla::ticket
