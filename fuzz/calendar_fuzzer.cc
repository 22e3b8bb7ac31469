// A business calendar from the wire: conversion and validation (common/calendar), then, if
// valid, compilation over a year and the SLA clock on it with pauses, checked against its own
// invariants (due time ≥ start; the consumed time at the due time is the target).
#include <algorithm>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/calendar/calendar_proto.h"
#include "common/calendar/sla_clock.h"
#include "fuzz/fuzz_util.h"
#include "sla/v1/calendar.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sla::v1::BusinessCalendar proto;
  if (!sla::fuzz::Parse(data, size, &proto)) return 0;
  absl::StatusOr<sla::calendar::CalendarSpec> spec =
      sla::calendar::SpecFromProto(proto, "calendar");
  sla::fuzz::ExpectClientError(spec.status());
  if (!spec.ok()) return 0;
  const absl::Time begin = absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone());
  absl::StatusOr<sla::calendar::BusinessCalendar> cal =
      sla::calendar::BusinessCalendar::Compile(*spec, begin, begin + absl::Hours(24 * 400));
  sla::fuzz::ExpectClientError(cal.status());
  if (!cal.ok()) return 0;
  // Starts, targets and pauses from the bytes themselves.
  const int64_t b = absl::ToUnixSeconds(begin);
  for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
    const int64_t start =
        b + (static_cast<int64_t>(data[i]) << 16 | data[i + 1] << 8 | data[i + 2]) * 60;
    const int64_t target = 60 * (1 + data[i + 3] * 7);
    std::vector<sla::calendar::PauseSeconds> pauses;
    if (data[i] & 1) pauses.push_back({start + 600, start + 600 + 60 * (data[i + 1] + 1)});
    absl::StatusOr<int64_t> due = sla::calendar::DueAtSeconds(*cal, start, target, pauses);
    sla::fuzz::ExpectClientError(due.status());
    if (!due.ok() || *due == sla::calendar::kOpenEnded) continue;
    if (*due < start) __builtin_trap();
    absl::StatusOr<int64_t> consumed = sla::calendar::ConsumedSeconds(*cal, start, *due, pauses);
    if (consumed.ok() && *consumed != target) __builtin_trap();
  }
  return 0;
}
