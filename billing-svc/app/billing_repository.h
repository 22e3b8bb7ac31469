// billing-svc's tables as the use cases see them: one transaction's reads and writes in domain
// terms (domain/records.h). storage/ implements it on MariaDB; app tests use the in-memory fake
// (app/fake_billing_repository.h), which keeps the same rules.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "billing-svc/domain/adjustment.h"
#include "billing-svc/domain/records.h"
#include "common/core/period.h"
#include "common/outbox/row.h"

namespace sla::billing {

// One transaction (or, from Read, one connection without one).
class BillingTx {
 public:
  virtual ~BillingTx() = default;

  // Serialises with the event consumer: a close or delta taken after this sees every batch of
  // facts committed before it, and a batch committed after it sees the period closed (and marks
  // it stale if it concerns it).
  virtual absl::Status LockFactsShared() = 0;
  // Breaches in [start, end) and outages overlapping it, per query (each contract at most once),
  // in the order of `queries`.
  virtual absl::StatusOr<std::vector<core::PeriodFacts>> LoadFacts(
      const std::vector<FactsQuery>& queries) = 0;

  // Which of `periods` are closed, as ClosedText.
  virtual absl::StatusOr<std::set<std::string>> ClosedAmong(
      const std::vector<PeriodKey>& periods) = 0;
  // Claims the periods for closing; ALREADY_EXISTS if one was closed meanwhile (by another
  // replica): the transaction then must not go on.
  virtual absl::Status ClaimPeriods(const std::vector<Claim>& claims) = 0;
  // Per contract (KeyText), the newest closed period as MonthIndex.
  virtual absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods() = 0;
  // Closed periods that facts arriving after their close concern, oldest first per contract.
  virtual absl::StatusOr<std::vector<StalePeriod>> StalePeriods(int limit) = 0;
  // The closed period, locked; nullopt if it is not closed.
  virtual absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(const ContractKey& k,
                                                                       const core::Period& p) = 0;
  // Not stale any more, at `revision`.
  virtual absl::Status FinishRevision(const ContractKey& k, const core::Period& p,
                                      int revision) = 0;

  virtual absl::Status InsertCredits(const std::vector<ContractCredit>& credits) = 0;
  // Every credit row of the period, all revisions, but not what an invoice carried over.
  virtual absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(const ContractKey& k,
                                                                      const core::Period& p) = 0;
  // Deferred credits of periods before each period, not paid out yet, locked.
  virtual absl::StatusOr<CreditsByContract> LockPendingDeferred(
      const std::vector<PeriodKey>& before) = 0;
  // Issued credits of periods before each period not yet deducted from an invoice, locked
  // (deferred credits paid out by that period's own close wait for the invoice after it).
  virtual absl::StatusOr<CreditsByContract> LockUnappliedCredits(
      const std::vector<PeriodKey>& before) = 0;
  // Credits of the `window` periods up to each period, itself included (chronic breach).
  virtual absl::StatusOr<CreditsByContract> RecentCredits(const std::vector<PeriodKey>& until,
                                                          int window) = 0;
  // Marks credits as deducted by the invoice of their period `on`.
  virtual absl::Status MarkApplied(const std::vector<CreditOn>& rows) = 0;
  // Pays deferred credits out with the close of `on`: issued from then on, applied by the
  // invoice after it.
  virtual absl::Status ReleaseDeferred(const std::vector<CreditOn>& rows) = 0;

  // Reserves `count` consecutive numbers of `series`, gapless: the series stays locked until
  // the transaction ends. Returns the first.
  virtual absl::StatusOr<int64_t> ReserveNumbers(const std::string& series, int count) = 0;
  virtual absl::Status InsertDocuments(const std::vector<DocumentRow>& docs) = 0;
  // The body of the period's document at revision 0 (its close).
  virtual absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(const std::string& series,
                                                                        const ContractKey& k,
                                                                        const core::Period& p) = 0;
  // (customer_id, body) of a document.
  virtual absl::StatusOr<std::optional<std::pair<std::string, std::string>>> LoadDocument(
      const std::string& series, int64_t number) = 0;
  virtual absl::StatusOr<std::vector<StoredDocument>> ListDocuments(const DocumentQuery& q) = 0;

  // billing-svc's own events, published when the transaction commits.
  virtual absl::Status Publish(absl::Span<const outbox::Row> events) = 0;
};

class BillingRepository {
 public:
  virtual ~BillingRepository() = default;
  // Runs `fn` in one transaction: all of it commits or none. `fn` may run again after a
  // deadlock, so it must start from scratch.
  virtual absl::Status Transact(absl::FunctionRef<absl::Status(BillingTx&)> fn) = 0;
  // Runs reads outside a transaction.
  virtual absl::Status Read(absl::FunctionRef<absl::Status(BillingTx&)> fn) = 0;
};

}  // namespace sla::billing
