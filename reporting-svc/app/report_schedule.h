// When a contract's reports are due: monthly by default, quarterly and yearly ones at their
// period's last month, and every schedule at the month the contract ended.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "reporting-svc/app/report_terms.h"

namespace sla::reporting {

// The ended periods of `contract` whose reports are due, oldest first, at most the last 12:
// from the month it began on its schedule, and its final month when it ended (`until`, or
// InfiniteFuture while in force). Months without terms in force are skipped.
absl::StatusOr<std::vector<int>> DuePeriods(ReportTerms& terms, const std::string& contract,
                                            absl::Time until, int64_t now);

}  // namespace sla::reporting
