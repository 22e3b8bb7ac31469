#include "billing-svc/storage/mysql_billing_repository.h"

#include "billing-svc/storage/billing_store.h"
#include "common/outbox/outbox.h"

namespace sla::billing::storage {

absl::Status MysqlBillingTx::LockFactsShared() { return storage::LockFactsShared(c_); }
absl::StatusOr<std::vector<core::PeriodFacts>> MysqlBillingTx::LoadFacts(
    const std::vector<FactsQuery>& queries) {
  return LoadFactsMany(c_, queries);
}
absl::StatusOr<std::set<std::string>> MysqlBillingTx::ClosedAmong(
    const std::vector<PeriodKey>& periods) {
  return storage::ClosedAmong(c_, periods);
}
absl::Status MysqlBillingTx::ClaimPeriods(const std::vector<Claim>& claims) {
  return storage::ClaimPeriods(c_, claims);
}
absl::StatusOr<std::map<std::string, int>> MysqlBillingTx::NewestClosedPeriods() {
  return storage::NewestClosedPeriods(c_);
}
absl::StatusOr<std::vector<StalePeriod>> MysqlBillingTx::StalePeriods(int limit) {
  return storage::StalePeriods(c_, limit);
}
absl::StatusOr<std::optional<ClosedPeriod>> MysqlBillingTx::LockClosedPeriod(
    const ContractKey& k, const core::Period& p) {
  return storage::LockClosedPeriod(c_, k, p);
}
absl::Status MysqlBillingTx::FinishRevision(const ContractKey& k, const core::Period& p,
                                            int revision) {
  return storage::FinishRevision(c_, k, p, revision);
}
absl::Status MysqlBillingTx::InsertCredits(const std::vector<ContractCredit>& credits) {
  return storage::InsertCredits(c_, credits);
}
absl::StatusOr<std::vector<RecordedCredit>> MysqlBillingTx::RecordedCredits(const ContractKey& k,
                                                                            const core::Period& p) {
  return storage::RecordedCredits(c_, k, p);
}
absl::StatusOr<CreditsByContract> MysqlBillingTx::LockPendingDeferred(
    const std::vector<PeriodKey>& before) {
  return storage::LockPendingDeferred(c_, before);
}
absl::StatusOr<CreditsByContract> MysqlBillingTx::LockUnappliedCredits(
    const std::vector<PeriodKey>& before) {
  return storage::LockUnappliedCredits(c_, before);
}
absl::StatusOr<CreditsByContract> MysqlBillingTx::RecentCredits(const std::vector<PeriodKey>& until,
                                                                int window) {
  return storage::RecentCredits(c_, until, window);
}
absl::Status MysqlBillingTx::MarkApplied(const std::vector<CreditOn>& rows) {
  return storage::MarkApplied(c_, rows);
}
absl::Status MysqlBillingTx::ReleaseDeferred(const std::vector<CreditOn>& rows) {
  return storage::ReleaseDeferred(c_, rows);
}
absl::StatusOr<int64_t> MysqlBillingTx::ReserveNumbers(const std::string& series, int count) {
  return storage::ReserveNumbers(c_, series, count);
}
absl::Status MysqlBillingTx::InsertDocuments(const std::vector<DocumentRow>& docs) {
  return storage::InsertDocuments(c_, docs);
}
absl::StatusOr<std::optional<std::string>> MysqlBillingTx::LoadPeriodDocument(
    const std::string& series, const ContractKey& k, const core::Period& p) {
  return storage::LoadPeriodDocument(c_, series, k, p);
}
absl::StatusOr<std::optional<std::pair<std::string, std::string>>> MysqlBillingTx::LoadDocument(
    const std::string& series, int64_t number) {
  return storage::LoadDocument(c_, series, number);
}
absl::StatusOr<std::vector<StoredDocument>> MysqlBillingTx::ListDocuments(const DocumentQuery& q) {
  return storage::ListDocuments(c_, q);
}
absl::Status MysqlBillingTx::Publish(absl::Span<const outbox::Row> events) {
  return outbox::Insert(c_, events);
}

absl::Status MysqlBillingRepository::Transact(absl::FunctionRef<absl::Status(BillingTx&)> fn) {
  return mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) {
    MysqlBillingTx tx(c);
    return fn(tx);
  });
}

absl::Status MysqlBillingRepository::Read(absl::FunctionRef<absl::Status(BillingTx&)> fn) {
  return mysql::WithConnection(*pool_, [&](mysql::Connection& c) {
    MysqlBillingTx tx(c);
    return fn(tx);
  });
}

}  // namespace sla::billing::storage
