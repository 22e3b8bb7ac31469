// The documents and events a close or a revision issues, built from what it decided: pure, so
// that what a customer reads on a credit note or invoice is testable without storage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "billing-svc/app/period_close.h"
#include "billing-svc/domain/adjustment.h"
#include "common/core/credits.h"
#include "common/outbox/row.h"

namespace sla::billing {

sla::v1::Money Money(const std::string& currency, int64_t minor);
// A credit as a document line: "SLA credit: rule (service)", with its explanation.
pb::DocumentLine ToLine(const core::CreditLine& l, const std::string& currency);
std::string DocId(const std::string& series, int64_t number);  // "INV-000042"

// The events of termination rights the period's credits accrue (chronic breach); `recent` are
// the credits of the window up to the period.
std::vector<outbox::Row> TerminationRightEvents(const PendingClose& p,
                                                const core::CreditResult& credits,
                                                const std::vector<StoredCredit>& recent,
                                                int64_t now);
// The credit lines an invoice deducts (or charges) for credits of earlier periods.
std::vector<core::Line> EarlierCreditLines(const std::vector<StoredCredit>& earlier);

// The credit note numbered `n` of one close, its document row and its event. DATA_LOSS if a
// deferred credit's stored line cannot be read.
absl::Status IssueCreditNote(const PendingClose& p, const CloseWork& w, int64_t n, int64_t now,
                             pb::CreditNote* note, std::vector<DocumentRow>* documents,
                             std::vector<outbox::Row>* events);
// The event of a credit deferred or dropped instead of issued.
outbox::Row HeldCreditEvent(const PendingClose& p, const CloseWork& w, int64_t now);
// The invoice numbered `n` of one close, its document row and its event.
void IssueInvoice(const PendingClose& p, const CloseWork& w, int64_t n, int64_t now,
                  pb::Invoice* inv, std::vector<DocumentRow>* documents,
                  std::vector<outbox::Row>* events);

// A revision of a closed period after late data.
struct Revision {
  ContractKey key;
  std::string contract;  // customers/{c}/contracts/{k}
  core::Period period;
  std::string currency;
  std::string terms_version;
  int number = 0;  // 1 for the first revision after the close
};
// The credit rows of the revision (the signed changes) and the lines of its note (as the
// customer reads them: a debit note shows what is owed back as positive).
std::vector<ContractCredit> RevisionRows(const Revision& rev, const Adjustment& a,
                                         pb::CreditNote* note);
// The event of a revision whose credits stay deferred or dropped (no document).
outbox::Row RevisedCreditEvent(const Revision& rev, const Adjustment& a, int64_t now);
// Completes the revision's note numbered `n` of `series` ("CN", or "DN" for a debit), with its
// document row and event.
DocumentRow IssueRevisionNote(const Revision& rev, const Adjustment& a, const std::string& series,
                              int64_t n, int64_t now, pb::CreditNote& note,
                              std::vector<outbox::Row>& events);

}  // namespace sla::billing
