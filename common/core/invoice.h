// Billing periods and invoice lines. A period is a calendar month in the contract's billing time
// zone; a contract that starts or ends inside it pays for the days it is in force (a started
// local day counts). A credit earned in a period is applied on the next period's invoice as a
// negative line (and issued as a credit note of its own). Every amount is integer minor units;
// each proration or discount is one rounding; the lines sum to the total.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/money/money.h"
#include "sla/v1/terms.pb.h"

namespace sla::core {

struct Period {
  int year = 0;
  int month = 0;  // 1..12
  friend bool operator==(const Period&, const Period&) = default;
};

struct PeriodBounds {
  int64_t start = 0;  // local midnight of the 1st, as Unix seconds
  int64_t end = 0;    // local midnight of the next month's 1st
  int days = 0;
};

// INVALID_ARGUMENT naming `period` or `time_zone`.
absl::StatusOr<PeriodBounds> Bounds(const Period& p, const std::string& time_zone);
Period Next(const Period& p);
// The period containing instant `t` in `time_zone`.
absl::StatusOr<Period> PeriodOf(int64_t t, const std::string& time_zone);

// Local days of the period within [active_from, active_until) (active_until 0: open-ended).
absl::StatusOr<int> ActiveDays(const PeriodBounds& b, const std::string& time_zone,
                               int64_t active_from, int64_t active_until);

struct Line {
  std::string kind;  // "fee", "discount", "credit", "debit"
  std::string description;
  int64_t amount_minor = 0;
  std::string rule_id;
};

struct InvoiceDraft {
  std::string currency;
  std::vector<Line> lines;
  int64_t total_minor = 0;
  int64_t credit_carried_minor = 0;  // credits beyond this invoice, carried to the next one
};

// The period's invoice: the monthly fee prorated to the active days, the discounts, and the credits
// to apply (earned before; a negative amount is a debit, from a delta that took credit back,
// and is charged). Credits never take the total below zero: what remains is carried.
absl::StatusOr<InvoiceDraft> BuildInvoice(const sla::v1::Pricing& pricing, const PeriodBounds& b,
                                          int active_days, const std::vector<Line>& credits);

}  // namespace sla::core
