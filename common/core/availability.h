// Availability of a service over a billing period, in whole minutes, decided exactly.
//
//   period P          = [period_start, period_end), whole minutes
//   maintenance M     = announced maintenance windows within P
//   eligible E        = |P| − |M|   (or |P| when the terms count maintenance as up)
//   downtime D        = |(∪ outages ∩ P) − verified exclusions − M|
//   availability      = (E − D) / E
// Outage instants are taken to whole minutes outward (a started minute counts as down);
// overlapping outages are unioned, so no minute is counted twice; an outage over the period's
// edge counts in both periods, each its own part. Thresholds are compared on integers:
// availability ≥ t  ⟺  (E − D) × 1,000,000 ≥ E × t_ppm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/rational.h"
#include "sla/v1/credit_schedule.pb.h"

namespace sla::core {

// [start, end) in Unix seconds.
struct Interval {
  int64_t start = 0;
  int64_t end = 0;
};

struct AvailabilityInput {
  int64_t period_start = 0;
  int64_t period_end = 0;
  std::vector<Interval> outages;      // unplanned downtime, not excluded
  std::vector<Interval> exclusions;   // downtime a verified exclusion clause covers
  std::vector<Interval> maintenance;  // announced maintenance windows
  bool maintenance_counts_as_up = false;
};

struct Availability {
  int64_t period_minutes = 0;
  int64_t maintenance_minutes = 0;
  int64_t excluded_minutes = 0;    // downtime removed by exclusions or maintenance
  int64_t eligible_minutes = 0;    // E
  int64_t downtime_minutes = 0;    // D
  std::vector<std::string> steps;  // every interval operation, for the credit's explanation

  // (E − D) / E exactly; 1 when E = 0.
  Rational ratio() const;
  // availability ≥ ppm (inclusive) or > ppm (exclusive), on integers.
  bool AtLeast(int64_t ppm, bool inclusive) const;
  // availability ≤ ppm (inclusive) or < ppm.
  bool AtMost(int64_t ppm, bool inclusive) const;
  // Meets a target: availability ≥ target.
  bool Meets(int64_t target_ppm) const { return AtLeast(target_ppm, true); }
};

// INVALID_ARGUMENT for an empty period or an interval that ends before it starts.
absl::StatusOr<Availability> ComputeAvailability(const AvailabilityInput& in);

// Merges overlapping or touching intervals; sorted output.
std::vector<Interval> Union(std::vector<Interval> intervals);
// a − b (both unioned).
std::vector<Interval> Subtract(const std::vector<Interval>& a, const std::vector<Interval>& b);
int64_t Length(const std::vector<Interval>& unioned);

// The credit share (ppm) of the worst band containing the availability; 0 if none does.
// Works for disjoint tables ("at least 99.0 % but less than 99.95 %") and cumulative ones
// ("less than 99.95 %", "less than 99.0 %" …) alike. `band_index` gets the band used (-1).
int64_t BandCreditPpm(const Availability& a,
                      const google::protobuf::RepeatedPtrField<sla::v1::AvailabilityBand>& bands,
                      int* band_index);

}  // namespace sla::core
