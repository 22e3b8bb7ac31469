// A billing period on its way to closing: the terms it is billed under (resolved through
// contract-svc), and what its close decides before anything is written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "billing-svc/domain/records.h"
#include "common/clients/terms_source.h"
#include "common/core/invoice.h"
#include "common/core/period.h"
#include "common/outbox/row.h"
#include "sla/billing/v1/billing_service.pb.h"

namespace sla::billing {

namespace pb = ::sla::billing::v1;

// The terms a contract's period is billed under.
struct ResolvedPeriod {
  clients::ResolvedVersion version;  // the version the period is billed under
  core::PeriodBounds bounds;
  int64_t active_from = 0;   // set when the contract starts within the period
  int64_t active_until = 0;  // set when it ends within the period
  int64_t first_from = 0;    // when the earliest version in force in the period took effect

  const std::string& currency() const {
    return version.terms.pricing().monthly_fee().currency_code();
  }
};

// Billed under the version in force at the period's last second (or the last one in force, for
// a contract that ends within it), in the zone that version bills in. NOT_FOUND if no version
// is in force in the month; contract-svc's other errors as they come.
absl::StatusOr<ResolvedPeriod> ResolvePeriod(clients::TermsSource& terms,
                                             const std::string& contract, const core::Period& p);

// INVALID_ARGUMENT unless a month of years 2000..9999.
absl::StatusOr<core::Period> ValidPeriod(const pb::BillingPeriod& p);
std::string PeriodText(const core::Period& p);  // "2026-03"
core::Period Previous(const core::Period& p);

// A period that may close now: ended (and past its grace, for the scheduler).
struct PendingClose {
  std::string contract;  // customers/{c}/contracts/{k}
  ContractKey key;
  pb::BillingPeriod requested;
  core::Period period;
  ResolvedPeriod r;
};

// One period's close, decided before anything is written.
struct CloseWork {
  size_t index = 0;  // in the batch
  core::PeriodComputation pc;
  core::CreditStatus status = core::CreditStatus::kIssued;
  std::vector<StoredCredit> deferred;  // earlier deferred credits paid out now
  int64_t waiting_minor = 0;           // earlier deferred credits, paid out now or not
  int64_t released_minor = 0;          // the part of it paid out now
  int64_t note_total = 0;
  int64_t cap_cut = 0;
  std::vector<StoredCredit> earlier;  // deducted (or charged) by this invoice
  core::InvoiceDraft draft;
  std::vector<outbox::Row> chronic;  // termination rights accrued

  bool issues_note() const { return note_total > 0 && status == core::CreditStatus::kIssued; }
};

}  // namespace sla::billing
