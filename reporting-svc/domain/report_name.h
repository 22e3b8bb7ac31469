// Report names: `customers/{c}/contracts/{k}/reports/{YYYY-MM}` (a contract's report),
// `customers/{c}/reports/{YYYY-MM}` (every contract of a customer) and
// `customers/-/reports/{YYYY-MM}` (MSP-wide).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace sla::reporting {

// Which tickets a report or query covers: one contract, one customer, or (both empty) every
// customer.
struct Scope {
  std::string customer_id;
  std::string contract_id;
};

struct ReportName {
  Scope scope;  // contract, customer, or neither (MSP-wide)
  int period = 0;
  std::string name;
  bool contract() const { return !scope.contract_id.empty(); }
};

// INVALID_ARGUMENT naming `field` for anything else.
absl::StatusOr<ReportName> ParseReportName(const std::string& name, const std::string& field);

}  // namespace sla::reporting
