// Penalty credits of one contract for one billing period, from its credit schedule: per-event
// rules, availability bands, linear shortfall and the at-risk pool, then caps in a fixed order
// (per rule, per service, per contract and period), a minimum payable credit, and the one
// rounding at the end. Pure: the facts (breaches, availabilities, fees) come from the caller.
//
// Amounts stay exact rationals until the end. The final amounts are the rounded total of the
// capped exact lines (half-up unless the terms choose half-even), spread over the lines by the
// largest-remainder method, so the lines always sum to the total; each line keeps its
// explanation: the rule, the facts behind it, every interval operation and the arithmetic.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/availability.h"
#include "common/core/rational.h"
#include "common/money/money.h"
#include "sla/v1/terms.pb.h"

namespace sla::core {

struct BreachFact {
  std::string ticket;  // customers/{c}/tickets/{t}
  sla::v1::ClockKind clock = sla::v1::CLOCK_KIND_UNSPECIFIED;
  sla::v1::Priority priority = sla::v1::PRIORITY_UNSPECIFIED;
  int64_t time = 0;
};

struct ServiceAvailability {
  std::string service_id;
  Availability availability;
};

// A fee as a credit base, exact: a prorated fee (fee × active days / days in the period) is
// not rounded before the credit computed from it, whose rounding is the only one.
struct CreditBase {
  std::string currency;
  Rational minor;  // in minor units
  static CreditBase Of(const money::Money& m) {
    return {m.currency_code(), Rational(m.amount_minor())};
  }
};

struct CreditInput {
  std::string terms_version;
  const sla::v1::SlaTerms* terms = nullptr;
  CreditBase fee = {"USD", Rational()};            // the period's contract fee (prorated, exact)
  std::map<std::string, CreditBase> service_fees;  // by service, where the terms price one
  std::vector<BreachFact> breaches;                // clocks breached in the period
  std::vector<ServiceAvailability> availability;   // per service with a target
};

// How a recorded credit stands: issued (or, once deferred, paid out by a later period),
// deferred (below the minimum payable, waiting for later credits), or dropped.
enum class CreditStatus { kIssued = 1, kDeferred = 2, kDropped = 3 };

struct CreditLine {
  std::string rule_id;
  std::string kind;  // "per_event", "availability", "linear_shortfall", "at_risk"
  std::string service_id;
  Rational exact;   // before caps
  Rational capped;  // after caps
  int64_t amount_minor = 0;
  std::vector<std::string> explanation;
};

struct CreditResult {
  std::string currency;
  std::vector<CreditLine> lines;
  int64_t total_minor = 0;
  // Rules whose level was missed this period (for chronic breach), whether or not they pay.
  std::vector<std::string> missed_rules;
  // Set when the total is below the terms' minimum payable credit.
  bool below_minimum = false;
  bool deferred = false;           // below minimum and the terms defer it (else it is dropped)
  std::vector<std::string> notes;  // caps that bound, minimum handling
};

// INVALID_ARGUMENT for inconsistent terms (currency mismatch, pool allocations over 100 %).
absl::StatusOr<CreditResult> ComputeCredits(const CreditInput& in);

// Spreads `total` (an integer) over `parts` (non-negative exact amounts) in proportion, by the
// largest-remainder method: each share is within one unit of its exact value and the shares
// sum to `total`. Ties go to the earlier part.
std::vector<int64_t> LargestRemainder(const std::vector<Rational>& parts, int64_t total);

// Chronic breach: whether `breached` (one flag per period, oldest first, the current period
// last) has at least rule.breached_periods flags within the last rule.window_periods.
bool ChronicBreachAccrued(const std::vector<bool>& breached,
                          const sla::v1::ChronicBreachRule& rule);

}  // namespace sla::core
