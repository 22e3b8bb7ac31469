// Closing billing periods: each closes once (ClaimPeriods), in order, on the facts of its
// period, with its credits settled against the schedule's caps and deferrals, one credit note
// if credits are issued and one invoice that deducts earlier credits. Every read and write
// covers a whole batch of contracts in one statement each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "billing-svc/app/billing_repository.h"
#include "billing-svc/app/period_close.h"
#include "common/clients/terms_source.h"

namespace sla::billing {

// Resolves the period and checks it may close at `now`: FAILED_PRECONDITION before its end (or
// within its grace hours, if `respect_grace`), NOT_FOUND if the contract has no terms then.
absl::StatusOr<PendingClose> PrepareClose(clients::TermsSource& terms, const std::string& contract,
                                          const pb::BillingPeriod& requested, bool respect_grace,
                                          int64_t now);

// Closes `batch` (each contract at most once) in one transaction, events included: `outs` gets
// one response per period, the documents of an earlier close for a period already closed.
// `events` gets what was published. FAILED_PRECONDITION if a period's predecessor is open.
absl::Status CloseTogether(BillingRepository& repo, const std::vector<PendingClose>& batch,
                           int64_t now, std::vector<pb::ClosePeriodResponse>* outs,
                           std::vector<outbox::Row>* events);

}  // namespace sla::billing
