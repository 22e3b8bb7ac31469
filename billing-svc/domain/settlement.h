// How a closing period's credit is settled: against the minimum payable credit (issued,
// deferred until later credits reach it, or dropped, per the terms), and what it adds to a
// chronic-breach count (termination rights). Pure: the closing transaction supplies what
// earlier periods left behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/core/credits.h"
#include "sla/v1/credit_schedule.pb.h"

namespace sla::billing {

struct Settlement {
  core::CreditStatus status = core::CreditStatus::kIssued;
  // Earlier deferred credits are paid out with this period's (their sum in released_minor).
  bool releases_deferred = false;
  int64_t released_minor = 0;
  // What the period's credit note pays: its own credit and any released.
  int64_t note_total_minor = 0;
  // What the caps took away, for reports: the exact credit before caps, rounded once, less the
  // credit computed.
  int64_t cap_cut_minor = 0;
};

// `waiting_minor`: earlier periods' deferred credits not paid yet. Deferred credits are paid
// out once, together with this period's, they reach the minimum, and in any case with the
// contract's last period.
Settlement SettleCredit(const core::CreditResult& credits, const sla::v1::CreditSchedule& schedule,
                        int64_t waiting_minor, bool last_period);

// A right to terminate for chronic breach, earned by missing `rule_id` in
// `breached_periods` of the last `window_periods` periods (this one included).
struct TerminationRight {
  std::string rule_id;
  int breached_periods = 0;
  int window_periods = 0;
  int64_t exercise_by = 0;  // Unix seconds: the period's end plus the terms' exercise window
};

// A credit an earlier period recorded: the rule and the period (year × 12 + month − 1).
struct PastCredit {
  std::string rule_id;
  int period_index = 0;
};

// The rights this period's credits accrue under `rule` (none when the terms have no chronic
// breach clause), given the credits of earlier periods.
std::vector<TerminationRight> AccruedTerminationRights(const core::CreditResult& credits,
                                                       const sla::v1::ChronicBreachRule& rule,
                                                       int period_index, int64_t period_end,
                                                       const std::vector<PastCredit>& past);

}  // namespace sla::billing
