// Everything one contract's billing period is decided from, as a pure function of its terms
// and the facts billing-svc collected: the period in the billing zone, the days in force, the
// prorated fees, availability per service (outages, verified exclusions, planned outages and
// the terms' recurring maintenance windows), and the credits.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/credits.h"
#include "common/core/invoice.h"

namespace sla::core {

struct OutageFact {
  std::string outage;
  std::string service_id;
  int64_t start = 0;
  int64_t end = 0;  // 0 while open
  bool planned = false;
  std::string exclusion_id;
};

struct PeriodFacts {
  std::vector<BreachFact> breaches;  // breach_time within the period
  std::vector<OutageFact> outages;   // overlapping the period
};

struct ServiceFigure {
  std::string service_id;
  int64_t target_ppm = 0;
  Availability availability;
};

struct PeriodComputation {
  PeriodBounds bounds;
  int active_days = 0;
  money::Money fee = *money::Money::Create("USD", 0);  // prorated monthly fee: the credit base
  std::vector<ServiceFigure> availability;
  CreditResult credits;
};

// `active_from`/`active_until` (0: open-ended) bound the contract's term; `now` ends open
// outages. INVALID_ARGUMENT for a malformed period or zone.
absl::StatusOr<PeriodComputation> ComputePeriod(const sla::v1::SlaTerms& terms,
                                                const std::string& terms_version,
                                                const Period& period, int64_t active_from,
                                                int64_t active_until, const PeriodFacts& facts,
                                                int64_t now);

// Occurrences of the terms' recurring maintenance windows of `service_id` within [start, end).
std::vector<Interval> MaintenanceOccurrences(const sla::v1::SlaTerms& terms,
                                             const sla::v1::AvailabilityTarget& target,
                                             int64_t start, int64_t end);

}  // namespace sla::core
