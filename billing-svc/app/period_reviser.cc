#include "billing-svc/app/period_reviser.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "billing-svc/app/close_documents.h"
#include "billing-svc/app/period_close.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"

namespace sla::billing {
namespace {

// Revises one stale period in `tx`; whether its credits changed.
absl::StatusOr<bool> ReviseIn(BillingTx& tx, const ResolvedPeriod& r, Revision rev, int64_t now,
                              std::vector<outbox::Row>& events) {
  SLA_RETURN_IF_ERROR(tx.LockFactsShared());
  SLA_ASSIGN_OR_RETURN(std::optional<ClosedPeriod> closed,
                       tx.LockClosedPeriod(rev.key, rev.period));
  if (!closed || !closed->stale) return false;  // another replica did it
  SLA_ASSIGN_OR_RETURN(std::vector<core::PeriodFacts> facts,
                       tx.LoadFacts({{rev.key, r.bounds.start, r.bounds.end}}));
  SLA_ASSIGN_OR_RETURN(core::PeriodComputation pc,
                       core::ComputePeriod(r.version.terms, r.version.name, rev.period,
                                           r.active_from, r.active_until, facts.front(), now));
  SLA_ASSIGN_OR_RETURN(std::vector<RecordedCredit> recorded,
                       tx.RecordedCredits(rev.key, rev.period));
  const Adjustment a = ComputeAdjustment(pc.credits, recorded);
  if (a.lines.empty()) {
    SLA_RETURN_IF_ERROR(tx.FinishRevision(rev.key, rev.period, closed->revision));
    return false;
  }
  rev.number = closed->revision + 1;
  pb::CreditNote note;
  SLA_RETURN_IF_ERROR(tx.InsertCredits(RevisionRows(rev, a, &note)));
  if (a.status == core::CreditStatus::kIssued) {
    const std::string series = a.total_minor < 0 ? "DN" : "CN";
    SLA_ASSIGN_OR_RETURN(const int64_t n, tx.ReserveNumbers(series, 1));
    SLA_RETURN_IF_ERROR(
        tx.InsertDocuments({IssueRevisionNote(rev, a, series, n, now, note, events)}));
  } else {
    events.push_back(RevisedCreditEvent(rev, a, now));
  }
  SLA_RETURN_IF_ERROR(tx.FinishRevision(rev.key, rev.period, rev.number));
  SLA_RETURN_IF_ERROR(tx.Publish(events));
  return true;
}

absl::StatusOr<bool> Revise(BillingRepository& repo, clients::TermsSource& terms,
                            const StalePeriod& s, int64_t now,
                            const std::function<void()>& on_published) {
  Revision rev;
  rev.key = s.key;
  rev.period = s.period;
  rev.contract = absl::StrCat("customers/", s.key.customer_id, "/contracts/", s.key.contract_id);
  // A past instant's version never changes (amendments take effect later), so this is the
  // version the period closed under.
  SLA_ASSIGN_OR_RETURN(ResolvedPeriod r, ResolvePeriod(terms, rev.contract, s.period));
  rev.currency = r.currency();
  rev.terms_version = r.version.name;
  bool changed = false;
  std::vector<outbox::Row> events;
  SLA_RETURN_IF_ERROR(repo.Transact([&](BillingTx& tx) -> absl::Status {
    events.clear();
    SLA_ASSIGN_OR_RETURN(changed, ReviseIn(tx, r, rev, now, events));
    return absl::OkStatus();
  }));
  if (!events.empty()) on_published();
  return changed;
}

}  // namespace

absl::StatusOr<int> ReviseStalePeriods(BillingRepository& repo, clients::TermsSource& terms,
                                       int64_t now, const std::function<void()>& on_published) {
  int changed = 0;
  std::vector<StalePeriod> stale;
  SLA_RETURN_IF_ERROR(repo.Read([&](BillingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(stale, tx.StalePeriods(1000));
    return absl::OkStatus();
  }));
  for (const StalePeriod& s : stale) {
    absl::StatusOr<bool> r = Revise(repo, terms, s, now, on_published);
    if (!r.ok()) {
      log::Warning("period revision failed",
                   {{"contract", absl::StrCat("customers/", s.key.customer_id, "/contracts/",
                                              s.key.contract_id)},
                    {"period", PeriodText(s.period)},
                    {"error", r.status().ToString()}});
      continue;
    }
    changed += *r ? 1 : 0;
  }
  return changed;
}

}  // namespace sla::billing
