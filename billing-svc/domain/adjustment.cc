#include "billing-svc/domain/adjustment.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sla::billing {

Adjustment ComputeAdjustment(const core::CreditResult& now,
                             const std::vector<RecordedCredit>& recorded) {
  // How the period stands: issued rows win (a deferred credit once paid out is issued), then
  // deferred, then dropped; a period that recorded nothing stands as its recomputation says.
  bool any_issued = false, any_deferred = false, any_dropped = false;
  for (const RecordedCredit& r : recorded) {
    any_issued |= r.status == core::CreditStatus::kIssued;
    any_deferred |= r.status == core::CreditStatus::kDeferred;
    any_dropped |= r.status == core::CreditStatus::kDropped;
  }
  const core::CreditStatus recomputed = !now.below_minimum ? core::CreditStatus::kIssued
                                        : now.deferred     ? core::CreditStatus::kDeferred
                                                           : core::CreditStatus::kDropped;
  Adjustment out;
  out.status = any_issued     ? core::CreditStatus::kIssued
               : any_deferred ? core::CreditStatus::kDeferred
               : any_dropped  ? core::CreditStatus::kDropped
                              : recomputed;
  // A dropped period whose credits now reach the minimum pays them in full.
  if (out.status == core::CreditStatus::kDropped && recomputed == core::CreditStatus::kIssued) {
    out.status = core::CreditStatus::kIssued;
  }
  // Against the rows of that status only: dropped rows are not money owed once issued.
  std::map<std::pair<std::string, std::string>, int64_t> before;
  for (const RecordedCredit& r : recorded) {
    if (r.status == out.status) before[{r.rule_id, r.subject}] += r.amount_minor;
  }
  std::map<std::pair<std::string, std::string>, const core::CreditLine*> after;
  for (const core::CreditLine& l : now.lines) after[{l.rule_id, l.service_id}] = &l;
  std::map<std::pair<std::string, std::string>, bool> keys;
  for (const auto& [k, v] : before) keys[k] = true;
  for (const auto& [k, v] : after) keys[k] = true;
  for (const auto& [key, unused] : keys) {
    const auto b = before.find(key);
    const auto a = after.find(key);
    const int64_t was = b == before.end() ? 0 : b->second;
    const int64_t is = a == after.end() ? 0 : a->second->amount_minor;
    if (is == was) continue;
    DeltaLine d;
    d.rule_id = key.first;
    d.subject = key.second;
    d.kind = a == after.end() ? "adjustment" : a->second->kind;
    d.amount_minor = is - was;
    d.explanation.push_back(absl::StrCat("recorded ", was, ", recomputed on the facts known now ",
                                         is, ": delta ", is - was, " minor units"));
    if (a != after.end()) {
      d.explanation.insert(d.explanation.end(), a->second->explanation.begin(),
                           a->second->explanation.end());
    }
    out.total_minor += d.amount_minor;
    out.lines.push_back(std::move(d));
  }
  return out;
}

}  // namespace sla::billing
