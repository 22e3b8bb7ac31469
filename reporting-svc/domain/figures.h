// The figures of a compliance report, as pure functions of the read model's rows: compliance
// per priority (met shares in ppm, mean and p90 durations, breaches, reopen rate, RCA
// completion), availability per service (billing-svc's exact period computation, so a report
// and a credit can never disagree), and the contract's wording of each target.
//
// Definitions (docs/architecture.md, "reporting-svc"):
// - a ticket counts in the period it was opened (in the contract's billing time zone);
// - a clock is decided once met or breached; met share = met on time / decided, 100 % when
//   nothing was decided; pending clocks are not counted either way;
// - durations are those of the clock when met: business time on its calendar and wall-clock
//   time since it started; mean rounded half-up, p90 by nearest rank (the ⌈0.9·n⌉-th smallest);
// - reopen rate = tickets reopened at least once / tickets resolved at least once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/v1/terms.pb.h"

namespace sla::reporting {

namespace pb = ::sla::reporting::v1;

enum ClockOutcome : int { kPending = 0, kMetOnTime = 1, kBreached = 2 };

// One ticket's row, as the read model keeps it.
struct TicketFigures {
  sla::v1::Priority priority = sla::v1::PRIORITY_UNSPECIFIED;
  int resp_state = kPending;
  int64_t resp_business = -1;  // -1: not met (yet)
  int64_t resp_wall = -1;
  int res_state = kPending;
  int64_t res_business = -1;
  int64_t res_wall = -1;
  int breach_count = 0;
  int reopen_count = 0;
  bool resolved = false;
  bool rca_required = false;
  bool rca_recorded = false;
  bool closed = false;
};

// 1,000,000 × met / decided, rounded down; 1,000,000 when nothing was decided.
int64_t SharePpm(int64_t part, int64_t whole);
// ⌈0.9·n⌉-th smallest (nearest rank); 0 for no values. Reorders `values`.
int64_t P90(std::vector<int64_t>& values);
// sum / n rounded half-up; 0 for n = 0.
int64_t MeanHalfUp(int64_t sum, int64_t n);

// Per priority present (ascending), and all together (`total`, priority unspecified).
void Aggregate(const std::vector<TicketFigures>& rows,
               google::protobuf::RepeatedPtrField<pb::PriorityCompliance>* per_priority,
               pb::PriorityCompliance* total);

// The contract's wording of a clock target ("15 minutes of business time (Bangkok office)").
std::string TargetWording(const sla::v1::SlaTerms& terms, const sla::v1::ClockTarget& target);
// Fills the target wording of each priority figure from `terms`.
void AddTargetWording(const sla::v1::SlaTerms& terms,
                      google::protobuf::RepeatedPtrField<pb::PriorityCompliance>* figures);

struct OutageRow {
  std::string service_id;
  int64_t start = 0;
  int64_t end = 0;  // 0 while open
  bool planned = false;
  std::string exclusion_id;
};

// Availability of each service with a target over [period_start, period_end) — the month
// `year`-`month` in the terms' billing zone — from the outages; open outages end at `now`.
absl::StatusOr<std::vector<pb::ServiceAvailabilityFigure>> AvailabilityFigures(
    const sla::v1::SlaTerms& terms, const std::string& terms_version, int year, int month,
    const std::vector<OutageRow>& outages, int64_t now);

// "2026-12" ↔ year × 12 + month − 1.
std::string PeriodText(int period_index);
absl::StatusOr<int> ParsePeriod(const std::string& text, const std::string& field);

}  // namespace sla::reporting
