#include "billing-svc/app/close_documents.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "billing-svc/domain/settlement.h"

namespace sla::billing {
namespace {

// The payload of a billing event, to fill in.
outbox::Row BillingEvent(std::string type, std::string subject, std::string customer_id,
                         int64_t now) {
  return {std::move(type), std::move(subject), std::move(customer_id), now, {}};
}

// A credit event of `contract`'s `period` in `currency`, to fill in with its amounts.
outbox::Row CreditEvent(std::string type, std::string subject, const std::string& customer_id,
                        const std::string& contract, const core::Period& period,
                        const std::string& currency, int64_t now) {
  outbox::Row ev = BillingEvent(std::move(type), std::move(subject), customer_id, now);
  sla::v1::CreditEventPayload& credit = *ev.payload.mutable_credit();
  credit.set_contract(contract);
  credit.set_period(PeriodText(period));
  credit.set_currency(currency);
  return ev;
}

}  // namespace

sla::v1::Money Money(const std::string& currency, int64_t minor) {
  sla::v1::Money m;
  m.set_currency_code(currency);
  m.set_amount_minor(minor);
  return m;
}

pb::DocumentLine ToLine(const core::CreditLine& l, const std::string& currency) {
  pb::DocumentLine d;
  d.set_description(absl::StrCat("SLA credit: ", l.rule_id,
                                 l.service_id.empty() ? "" : " (" + l.service_id + ")"));
  *d.mutable_amount() = Money(currency, l.amount_minor);
  d.set_rule_id(l.rule_id);
  d.set_kind(l.kind);
  for (const std::string& e : l.explanation) d.add_explanation(e);
  return d;
}

std::string DocId(const std::string& series, int64_t number) {
  return absl::StrFormat("%s-%06d", series, number);
}

std::vector<outbox::Row> TerminationRightEvents(const PendingClose& p,
                                                const core::CreditResult& credits,
                                                const std::vector<StoredCredit>& recent,
                                                int64_t now) {
  std::vector<PastCredit> past;
  for (const StoredCredit& h : recent) past.push_back({h.rule_id, MonthIndex(h.period)});
  std::vector<outbox::Row> out;
  for (const TerminationRight& t :
       AccruedTerminationRights(credits, p.r.version.terms.credit_schedule().chronic_breach(),
                                MonthIndex(p.period), p.r.bounds.end, past)) {
    outbox::Row& ev = out.emplace_back(
        BillingEvent("termination_right.accrued", p.contract, p.key.customer_id, now));
    sla::v1::TerminationRightEventPayload& right = *ev.payload.mutable_termination_right();
    right.set_contract(p.contract);
    right.set_rule_id(t.rule_id);
    right.set_period(PeriodText(p.period));
    right.set_breached_periods(t.breached_periods);
    right.set_window_periods(t.window_periods);
    right.mutable_exercise_by()->set_seconds(t.exercise_by);
  }
  return out;
}

std::vector<core::Line> EarlierCreditLines(const std::vector<StoredCredit>& earlier) {
  std::vector<core::Line> lines;
  for (const StoredCredit& e : earlier) {
    const std::string what =
        e.revision == 0 ? "SLA credit " : (e.amount_minor < 0 ? "SLA debit " : "SLA credit delta ");
    lines.push_back({"credit", absl::StrCat(what, PeriodText(e.period), ": ", e.rule_id),
                     e.amount_minor, e.rule_id});
  }
  return lines;
}

absl::Status IssueCreditNote(const PendingClose& p, const CloseWork& w, int64_t n, int64_t now,
                             pb::CreditNote* note, std::vector<DocumentRow>* documents,
                             std::vector<outbox::Row>* events) {
  const ContractKey& k = p.key;
  const std::string& currency = p.r.currency();
  note->set_name(absl::StrCat("customers/", k.customer_id, "/creditNotes/", DocId("CN", n)));
  note->set_number(DocId("CN", n));
  note->set_contract(p.contract);
  *note->mutable_period() = p.requested;
  for (const core::CreditLine& l : w.pc.credits.lines) *note->add_lines() = ToLine(l, currency);
  for (const StoredCredit& d : w.deferred) {
    pb::DocumentLine* line = note->add_lines();
    if (!line->ParseFromString(d.line)) return absl::DataLossError("unreadable deferred credit");
    line->set_description(
        absl::StrCat(line->description(), ", deferred from ", PeriodText(d.period)));
    *line->mutable_amount() = Money(currency, d.amount_minor);
  }
  *note->mutable_total() = Money(currency, w.note_total);
  note->mutable_issue_time()->set_seconds(now);
  note->set_terms_version(p.r.version.name);
  documents->push_back({"CN", n, k, p.period, note->SerializeAsString(), now});
  sla::v1::CreditEventPayload& credit =
      *events
           ->emplace_back(CreditEvent("credit_note.issued", note->name(), k.customer_id, p.contract,
                                      p.period, currency, now))
           .payload.mutable_credit();
  credit.set_credit_note(note->name());
  credit.set_total_minor(w.note_total);
  credit.set_released_deferred_minor(w.released_minor);
  credit.set_cap_cut_minor(w.cap_cut);
  return absl::OkStatus();
}

outbox::Row HeldCreditEvent(const PendingClose& p, const CloseWork& w, int64_t now) {
  const bool held = w.status == core::CreditStatus::kDeferred;
  outbox::Row ev = CreditEvent(held ? "credit.deferred" : "credit.dropped", p.contract,
                               p.key.customer_id, p.contract, p.period, p.r.currency(), now);
  sla::v1::CreditEventPayload& credit = *ev.payload.mutable_credit();
  credit.set_total_minor(w.pc.credits.total_minor);
  credit.set_deferred_before_minor(held ? w.waiting_minor : 0);
  credit.set_cap_cut_minor(w.cap_cut);
  return ev;
}

void IssueInvoice(const PendingClose& p, const CloseWork& w, int64_t n, int64_t now,
                  pb::Invoice* inv, std::vector<DocumentRow>* documents,
                  std::vector<outbox::Row>* events) {
  const ContractKey& k = p.key;
  const std::string& currency = p.r.currency();
  inv->set_name(absl::StrCat("customers/", k.customer_id, "/invoices/", DocId("INV", n)));
  inv->set_number(DocId("INV", n));
  inv->set_contract(p.contract);
  *inv->mutable_period() = p.requested;
  for (const core::Line& l : w.draft.lines) {
    pb::DocumentLine* d = inv->add_lines();
    d->set_description(l.description);
    *d->mutable_amount() = Money(currency, l.amount_minor);
    d->set_rule_id(l.rule_id);
    d->set_kind(l.kind);
  }
  *inv->mutable_total() = Money(currency, w.draft.total_minor);
  *inv->mutable_credit_carried() = Money(currency, w.draft.credit_carried_minor);
  inv->mutable_issue_time()->set_seconds(now);
  inv->set_terms_version(p.r.version.name);
  documents->push_back({"INV", n, k, p.period, inv->SerializeAsString(), now});
  sla::v1::InvoiceEventPayload& invoice =
      *events->emplace_back(BillingEvent("invoice.issued", inv->name(), k.customer_id, now))
           .payload.mutable_invoice();
  invoice.set_invoice(inv->name());
  invoice.set_contract(p.contract);
  invoice.set_period(PeriodText(p.period));
  invoice.set_currency(currency);
  invoice.set_total_minor(w.draft.total_minor);
}

std::vector<ContractCredit> RevisionRows(const Revision& rev, const Adjustment& a,
                                         pb::CreditNote* note) {
  const bool debit = a.total_minor < 0;
  std::vector<ContractCredit> rows;
  for (const DeltaLine& d : a.lines) {
    pb::DocumentLine line;
    line.set_description(absl::StrCat("SLA credit ", d.amount_minor < 0 ? "reduced" : "increased",
                                      ": ", d.rule_id,
                                      d.subject.empty() ? "" : " (" + d.subject + ")",
                                      " (late data, revision ", rev.number, ")"));
    *line.mutable_amount() = Money(rev.currency, debit ? -d.amount_minor : d.amount_minor);
    line.set_rule_id(d.rule_id);
    line.set_kind(d.kind);
    for (const std::string& e : d.explanation) line.add_explanation(e);
    *note->add_lines() = line;
    // The row holds the signed change; the invoice after it applies it.
    *line.mutable_amount() = Money(rev.currency, d.amount_minor);
    StoredCredit row{rev.period,
                     d.rule_id,
                     d.subject,
                     d.amount_minor,
                     rev.currency,
                     a.status,
                     line.SerializeAsString()};
    row.revision = rev.number;
    rows.push_back({rev.key, std::move(row)});
  }
  return rows;
}

outbox::Row RevisedCreditEvent(const Revision& rev, const Adjustment& a, int64_t now) {
  outbox::Row ev = CreditEvent("credit.revised", rev.contract, rev.key.customer_id, rev.contract,
                               rev.period, rev.currency, now);
  sla::v1::CreditEventPayload& credit = *ev.payload.mutable_credit();
  credit.set_delta_minor(a.total_minor);
  credit.set_status(a.status == core::CreditStatus::kDeferred ? "deferred" : "dropped");
  credit.set_revision(rev.number);
  return ev;
}

DocumentRow IssueRevisionNote(const Revision& rev, const Adjustment& a, const std::string& series,
                              int64_t n, int64_t now, pb::CreditNote& note,
                              std::vector<outbox::Row>& events) {
  const bool debit = a.total_minor < 0;
  note.set_name(absl::StrCat("customers/", rev.key.customer_id, "/creditNotes/", DocId(series, n)));
  note.set_number(DocId(series, n));
  note.set_contract(rev.contract);
  note.mutable_period()->set_year(rev.period.year);
  note.mutable_period()->set_month(rev.period.month);
  *note.mutable_total() = Money(rev.currency, debit ? -a.total_minor : a.total_minor);
  note.mutable_issue_time()->set_seconds(now);
  note.set_terms_version(rev.terms_version);
  note.set_revision(rev.number);
  note.set_debit(debit);
  sla::v1::CreditEventPayload& credit =
      *events
           .emplace_back(CreditEvent(debit ? "debit_note.issued" : "credit_note.issued",
                                     note.name(), rev.key.customer_id, rev.contract, rev.period,
                                     rev.currency, now))
           .payload.mutable_credit();
  (debit ? credit.mutable_debit_note() : credit.mutable_credit_note())->assign(note.name());
  credit.set_total_minor(note.total().amount_minor());
  credit.set_revision(rev.number);
  return {series, n, rev.key, rev.period, note.SerializeAsString(), now, rev.number};
}

}  // namespace sla::billing
