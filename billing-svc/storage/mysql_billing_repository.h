// BillingRepository on MariaDB: each BillingTx call is one statement of billing_store.h on the
// transaction's connection; events go to the outbox in the same transaction.
#pragma once

#include "billing-svc/app/billing_repository.h"
#include "common/mysql/connection_pool.h"

namespace sla::billing::storage {

class MysqlBillingTx final : public BillingTx {
 public:
  explicit MysqlBillingTx(mysql::Connection& c) : c_(c) {}

  absl::Status LockFactsShared() override;
  absl::StatusOr<std::vector<core::PeriodFacts>> LoadFacts(
      const std::vector<FactsQuery>& queries) override;
  absl::StatusOr<std::set<std::string>> ClosedAmong(const std::vector<PeriodKey>& periods) override;
  absl::Status ClaimPeriods(const std::vector<Claim>& claims) override;
  absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods() override;
  absl::StatusOr<std::vector<StalePeriod>> StalePeriods(int limit) override;
  absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(const ContractKey& k,
                                                               const core::Period& p) override;
  absl::Status FinishRevision(const ContractKey& k, const core::Period& p, int revision) override;
  absl::Status InsertCredits(const std::vector<ContractCredit>& credits) override;
  absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(const ContractKey& k,
                                                              const core::Period& p) override;
  absl::StatusOr<CreditsByContract> LockPendingDeferred(
      const std::vector<PeriodKey>& before) override;
  absl::StatusOr<CreditsByContract> LockUnappliedCredits(
      const std::vector<PeriodKey>& before) override;
  absl::StatusOr<CreditsByContract> RecentCredits(const std::vector<PeriodKey>& until,
                                                  int window) override;
  absl::Status MarkApplied(const std::vector<CreditOn>& rows) override;
  absl::Status ReleaseDeferred(const std::vector<CreditOn>& rows) override;
  absl::StatusOr<int64_t> ReserveNumbers(const std::string& series, int count) override;
  absl::Status InsertDocuments(const std::vector<DocumentRow>& docs) override;
  absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(const std::string& series,
                                                                const ContractKey& k,
                                                                const core::Period& p) override;
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> LoadDocument(
      const std::string& series, int64_t number) override;
  absl::StatusOr<std::vector<StoredDocument>> ListDocuments(const DocumentQuery& q) override;
  absl::Status Publish(absl::Span<const outbox::Row> events) override;

 private:
  mysql::Connection& c_;
};

class MysqlBillingRepository final : public BillingRepository {
 public:
  explicit MysqlBillingRepository(mysql::ConnectionPool* pool) : pool_(pool) {}
  absl::Status Transact(absl::FunctionRef<absl::Status(BillingTx&)> fn) override;
  absl::Status Read(absl::FunctionRef<absl::Status(BillingTx&)> fn) override;

 private:
  mysql::ConnectionPool* pool_;
};

}  // namespace sla::billing::storage
