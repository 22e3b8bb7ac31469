#include "billing-svc/app/period_closer.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "billing-svc/app/close_documents.h"
#include "billing-svc/domain/settlement.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::billing {
namespace {

// What the fresh periods of a batch close on, read (and locked) in one statement per table.
struct CloseInputs {
  std::vector<core::PeriodFacts> facts;  // per fresh period
  CreditsByContract deferred;            // pending deferred credits before each period
  CreditsByContract unapplied;           // credits earlier invoices have not deducted
  CreditsByContract recent;              // the chronic-breach window's credits
};

// The documents of a period closed before (by a retry, the scheduler or another replica).
absl::Status LoadExisting(BillingTx& tx, const PendingClose& p, pb::ClosePeriodResponse& out) {
  SLA_ASSIGN_OR_RETURN(auto inv, tx.LoadPeriodDocument("INV", p.key, p.period));
  SLA_ASSIGN_OR_RETURN(auto cn, tx.LoadPeriodDocument("CN", p.key, p.period));
  if (inv) out.mutable_invoice()->ParseFromString(*inv);
  if (cn) out.mutable_credit_note()->ParseFromString(*cn);
  out.set_newly_closed(false);
  return absl::OkStatus();
}

// The indices of the batch's periods not closed yet; answers the others from their documents.
absl::StatusOr<std::vector<size_t>> FreshOf(BillingTx& tx, const std::vector<PendingClose>& batch,
                                            std::vector<pb::ClosePeriodResponse>& outs) {
  std::vector<PeriodKey> probe;
  for (const PendingClose& p : batch) {
    probe.push_back({p.key, p.period});
    if (p.r.first_from < p.r.bounds.start) probe.push_back({p.key, Previous(p.period)});
  }
  SLA_ASSIGN_OR_RETURN(const std::set<std::string> closed, tx.ClosedAmong(probe));
  std::vector<size_t> fresh;
  for (size_t i = 0; i < batch.size(); ++i) {
    const PendingClose& p = batch[i];
    if (closed.count(ClosedText({p.key, p.period})) > 0) {
      SLA_RETURN_IF_ERROR(LoadExisting(tx, p, outs[i]));
      continue;
    }
    // Periods close in order, so that each one's credits reach the next invoice.
    if (p.r.first_from < p.r.bounds.start &&
        closed.count(ClosedText({p.key, Previous(p.period)})) == 0) {
      return WrongState(p.contract, absl::StrCat("period ", PeriodText(Previous(p.period)),
                                                 " is not closed yet; periods close in order"));
    }
    fresh.push_back(i);
  }
  return fresh;
}

// Claims the fresh periods and reads what their closes need.
absl::StatusOr<CloseInputs> ClaimAndLoad(BillingTx& tx, const std::vector<PendingClose>& batch,
                                         const std::vector<size_t>& fresh, int64_t now) {
  std::vector<Claim> claims;
  std::vector<PeriodKey> keys;
  std::vector<FactsQuery> queries;
  int window = 0;
  for (size_t i : fresh) {
    const PendingClose& p = batch[i];
    claims.push_back({{p.key, p.period}, p.r.bounds, p.r.version.name, now});
    keys.push_back({p.key, p.period});
    queries.push_back({p.key, p.r.bounds.start, p.r.bounds.end});
    const auto& chronic = p.r.version.terms.credit_schedule().chronic_breach();
    if (chronic.breached_periods() > 0) window = std::max(window, chronic.window_periods());
  }
  SLA_RETURN_IF_ERROR(tx.ClaimPeriods(claims));
  CloseInputs in;
  SLA_ASSIGN_OR_RETURN(in.facts, tx.LoadFacts(queries));
  SLA_ASSIGN_OR_RETURN(in.deferred, tx.LockPendingDeferred(keys));
  SLA_ASSIGN_OR_RETURN(in.unapplied, tx.LockUnappliedCredits(keys));
  if (window > 0) {
    SLA_ASSIGN_OR_RETURN(in.recent, tx.RecentCredits(keys, window));
  }
  return in;
}

// Decides a fresh period's close from its facts and what earlier periods left: `pending`
// deferred credits, `earlier` credits its invoice deducts, `recent` credits for chronic breach.
absl::StatusOr<CloseWork> PlanClose(const PendingClose& p, const core::PeriodFacts& facts,
                                    std::vector<StoredCredit> pending,
                                    std::vector<StoredCredit> earlier,
                                    const std::vector<StoredCredit>& recent, int64_t now) {
  const ResolvedPeriod& r = p.r;
  CloseWork w;
  SLA_ASSIGN_OR_RETURN(w.pc, core::ComputePeriod(r.version.terms, r.version.name, p.period,
                                                 r.active_from, r.active_until, facts, now));
  for (const StoredCredit& d : pending) w.waiting_minor += d.amount_minor;
  const Settlement settled = SettleCredit(w.pc.credits, r.version.terms.credit_schedule(),
                                          w.waiting_minor, /*last_period=*/r.active_until != 0);
  w.status = settled.status;
  w.cap_cut = settled.cap_cut_minor;
  w.released_minor = settled.released_minor;
  w.note_total = settled.note_total_minor;
  if (settled.releases_deferred) w.deferred = std::move(pending);
  w.chronic = TerminationRightEvents(p, w.pc.credits, recent, now);
  // The invoice of this period deducts the credits earned before it (and charges the debits).
  w.earlier = std::move(earlier);
  SLA_ASSIGN_OR_RETURN(w.draft,
                       core::BuildInvoice(r.version.terms.pricing(), w.pc.bounds, w.pc.active_days,
                                          EarlierCreditLines(w.earlier)));
  return w;
}

// The credit rows of the planned closes, and the earlier credits they apply or release.
absl::Status WriteCredits(BillingTx& tx, const std::vector<PendingClose>& batch,
                          const std::vector<CloseWork>& work) {
  // The credit rows first; the document numbers last, because the series rows they are taken
  // from stay locked until the commit and other closers wait for them.
  std::vector<ContractCredit> credit_rows;
  std::vector<CreditOn> applied, released;
  for (const CloseWork& w : work) {
    const PendingClose& p = batch[w.index];
    const std::string& currency = p.r.currency();
    for (const core::CreditLine& l : w.pc.credits.lines) {
      credit_rows.push_back({p.key,
                             {p.period, l.rule_id, l.service_id, l.amount_minor, currency, w.status,
                              ToLine(l, currency).SerializeAsString()}});
    }
    for (const StoredCredit& d : w.deferred) released.push_back({{p.key, d}, p.period});
    for (const StoredCredit& e : w.earlier) applied.push_back({{p.key, e}, p.period});
    if (w.draft.credit_carried_minor > 0) {
      // What this invoice could not absorb waits for the next one, as a credit of this period.
      pb::DocumentLine carried;
      carried.set_description("SLA credit carried from an earlier invoice");
      *carried.mutable_amount() = Money(currency, w.draft.credit_carried_minor);
      carried.set_kind("carried");
      credit_rows.push_back({p.key,
                             {p.period, "carried", "", w.draft.credit_carried_minor, currency,
                              core::CreditStatus::kIssued, carried.SerializeAsString()}});
    }
  }
  SLA_RETURN_IF_ERROR(tx.InsertCredits(credit_rows));
  SLA_RETURN_IF_ERROR(tx.MarkApplied(applied));
  return tx.ReleaseDeferred(released);
}

// Numbers and writes the credit notes and invoices, with their events; fills `outs`.
absl::Status IssueDocuments(BillingTx& tx, const std::vector<PendingClose>& batch,
                            const std::vector<CloseWork>& work, int64_t now,
                            std::vector<pb::ClosePeriodResponse>& outs,
                            std::vector<outbox::Row>& events) {
  // Numbers for the whole batch at once.
  const int notes = static_cast<int>(
      std::count_if(work.begin(), work.end(), [](const CloseWork& w) { return w.issues_note(); }));
  int64_t next_cn = 0;
  if (notes > 0) {
    SLA_ASSIGN_OR_RETURN(next_cn, tx.ReserveNumbers("CN", notes));
  }
  SLA_ASSIGN_OR_RETURN(int64_t next_inv, tx.ReserveNumbers("INV", static_cast<int>(work.size())));
  std::vector<DocumentRow> documents;
  for (const CloseWork& w : work) {
    const PendingClose& p = batch[w.index];
    pb::ClosePeriodResponse& out = outs[w.index];
    if (w.issues_note()) {
      SLA_RETURN_IF_ERROR(
          IssueCreditNote(p, w, next_cn++, now, out.mutable_credit_note(), &documents, &events));
    } else if (w.status != core::CreditStatus::kIssued) {
      events.push_back(HeldCreditEvent(p, w, now));
    }
    events.insert(events.end(), w.chronic.begin(), w.chronic.end());
    IssueInvoice(p, w, next_inv++, now, out.mutable_invoice(), &documents, &events);
    out.set_newly_closed(true);
  }
  return tx.InsertDocuments(documents);
}

// Closes `batch` in `tx`, after LockFactsShared.
absl::Status IssueCloses(BillingTx& tx, const std::vector<PendingClose>& batch, int64_t now,
                         std::vector<pb::ClosePeriodResponse>& outs,
                         std::vector<outbox::Row>& events) {
  outs.assign(batch.size(), pb::ClosePeriodResponse());
  SLA_ASSIGN_OR_RETURN(const std::vector<size_t> fresh, FreshOf(tx, batch, outs));
  if (fresh.empty()) return absl::OkStatus();
  absl::StatusOr<CloseInputs> in = ClaimAndLoad(tx, batch, fresh, now);
  if (!in.ok()) {
    // Claimed by another replica since we looked: alone, answer with its documents; in a
    // batch, give up so that the caller closes the others one by one.
    if (in.status().code() == absl::StatusCode::kAlreadyExists && batch.size() == 1) {
      return LoadExisting(tx, batch[0], outs[0]);
    }
    return in.status();
  }
  std::vector<CloseWork> work;
  for (size_t f = 0; f < fresh.size(); ++f) {
    const PendingClose& p = batch[fresh[f]];
    const std::string key = KeyText(p.key);
    SLA_ASSIGN_OR_RETURN(CloseWork w, PlanClose(p, in->facts[f], in->deferred[key],
                                                in->unapplied[key], in->recent[key], now));
    w.index = fresh[f];
    work.push_back(std::move(w));
  }
  SLA_RETURN_IF_ERROR(WriteCredits(tx, batch, work));
  return IssueDocuments(tx, batch, work, now, outs, events);
}

}  // namespace

absl::StatusOr<PendingClose> PrepareClose(clients::TermsSource& terms, const std::string& contract,
                                          const pb::BillingPeriod& requested, bool respect_grace,
                                          int64_t now) {
  PendingClose p;
  p.contract = contract;
  p.requested = requested;
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(contract, "contracts", "contract"));
  p.key = {parsed.first, parsed.second};
  SLA_ASSIGN_OR_RETURN(p.period, ValidPeriod(requested));
  SLA_ASSIGN_OR_RETURN(p.r, ResolvePeriod(terms, contract, p.period));
  if (now < p.r.bounds.end) {
    return WrongState(contract, absl::StrCat("period ", PeriodText(p.period), " ends at ",
                                             absl::FormatTime(absl::RFC3339_sec,
                                                              absl::FromUnixSeconds(p.r.bounds.end),
                                                              absl::UTCTimeZone()),
                                             "; it cannot close before"));
  }
  const int64_t grace = int64_t{3600} * p.r.version.terms.credit_schedule().close_grace_hours();
  if (respect_grace && now < p.r.bounds.end + grace) {
    return WrongState(contract, "the period is within its grace time");
  }
  return p;
}

absl::Status CloseTogether(BillingRepository& repo, const std::vector<PendingClose>& batch,
                           int64_t now, std::vector<pb::ClosePeriodResponse>* outs,
                           std::vector<outbox::Row>* events) {
  return repo.Transact([&](BillingTx& tx) -> absl::Status {
    events->clear();
    SLA_RETURN_IF_ERROR(tx.LockFactsShared());
    SLA_RETURN_IF_ERROR(IssueCloses(tx, batch, now, *outs, *events));
    return tx.Publish(*events);
  });
}

}  // namespace sla::billing
