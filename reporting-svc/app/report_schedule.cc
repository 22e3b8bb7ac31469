#include "reporting-svc/app/report_schedule.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/core/period.h"
#include "common/status/status_macros.h"

namespace sla::reporting {

absl::StatusOr<std::vector<int>> DuePeriods(ReportTerms& terms, const std::string& contract,
                                            absl::Time until, int64_t now) {
  SLA_ASSIGN_OR_RETURN(
      clients::ResolvedVersion first,
      terms.source().ResolveVersion(contract, absl::StrCat(contract, "/versions/1")));
  const std::string& zone = first.terms.pricing().billing_time_zone();
  SLA_ASSIGN_OR_RETURN(core::Period begins,
                       core::PeriodOf(absl::ToUnixSeconds(first.effective_from), zone));
  SLA_ASSIGN_OR_RETURN(core::Period today, core::PeriodOf(now, zone));
  const int current = today.year * 12 + today.month - 1;
  int last = current - 1;  // the last ended period
  int final_period = -1;   // the month the contract ended in, if it did
  if (until != absl::InfiniteFuture()) {
    SLA_ASSIGN_OR_RETURN(core::Period ends, core::PeriodOf(absl::ToUnixSeconds(until) - 1, zone));
    final_period = ends.year * 12 + ends.month - 1;
    last = std::min(last, final_period);
  }
  std::vector<int> due;
  for (int p = std::max(begins.year * 12 + begins.month - 1, current - 12); p <= last; ++p) {
    absl::StatusOr<std::shared_ptr<const TermsInfo>> t = terms.ForPeriod(contract, p);
    if (absl::IsFailedPrecondition(t.status())) continue;  // a gap between versions
    if (!t.ok()) return t.status();
    const sla::v1::Frequency f = (*t)->terms.reporting().frequency();
    const int month = p % 12 + 1;
    const bool on_schedule = !(f == sla::v1::FREQUENCY_QUARTERLY && month % 3 != 0) &&
                             !(f == sla::v1::FREQUENCY_YEARLY && month != 12);
    if (on_schedule || p == final_period) due.push_back(p);
  }
  return due;
}

}  // namespace sla::reporting
