#include "billing-svc/domain/settlement.h"

#include <algorithm>
#include <set>

namespace sla::billing {

Settlement SettleCredit(const core::CreditResult& credits, const sla::v1::CreditSchedule& schedule,
                        int64_t waiting_minor, bool last_period) {
  Settlement s;
  core::Rational exact_total;
  for (const core::CreditLine& l : credits.lines) exact_total = exact_total + l.exact;
  s.cap_cut_minor =
      std::max<int64_t>(0, exact_total.Round(money::Rounding::kHalfUp) - credits.total_minor);
  const int64_t minimum =
      schedule.has_minimum_credit() ? schedule.minimum_credit().amount_minor() : 0;
  const bool enough = credits.total_minor + waiting_minor >= minimum || last_period;
  s.status = !credits.below_minimum ? core::CreditStatus::kIssued
             : credits.deferred
                 ? (enough ? core::CreditStatus::kIssued : core::CreditStatus::kDeferred)
                 : core::CreditStatus::kDropped;
  if (s.status == core::CreditStatus::kIssued && enough) {
    s.releases_deferred = true;
    s.released_minor = waiting_minor;
  }
  s.note_total_minor = credits.total_minor + s.released_minor;
  return s;
}

std::vector<TerminationRight> AccruedTerminationRights(const core::CreditResult& credits,
                                                       const sla::v1::ChronicBreachRule& rule,
                                                       int period_index, int64_t period_end,
                                                       const std::vector<PastCredit>& past) {
  std::vector<TerminationRight> out;
  if (rule.breached_periods() <= 0 || rule.window_periods() <= 0) return out;
  const int first = period_index - rule.window_periods() + 1;
  std::set<std::string> rules;
  for (const core::CreditLine& l : credits.lines) rules.insert(l.rule_id);
  for (const std::string& id : rules) {
    std::vector<bool> flags(rule.window_periods(), false);
    flags.back() = true;
    for (const PastCredit& h : past) {
      if (h.rule_id == id && h.period_index >= first && h.period_index <= period_index) {
        flags[h.period_index - first] = true;
      }
    }
    if (!core::ChronicBreachAccrued(flags, rule)) continue;
    out.push_back({id, static_cast<int>(std::count(flags.begin(), flags.end(), true)),
                   rule.window_periods(),
                   period_end + int64_t{86400} * rule.exercise_within_days()});
  }
  return out;
}

}  // namespace sla::billing
