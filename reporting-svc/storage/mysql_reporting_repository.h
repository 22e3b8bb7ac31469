// ReportingRepository on MariaDB: each ReportingTx call is one function of report_store.h on the
// transaction's connection; events go to the outbox in the same transaction.
#pragma once

#include "common/mysql/connection_pool.h"
#include "reporting-svc/app/reporting_repository.h"

namespace sla::reporting::storage {

class MysqlReportingTx final : public ReportingTx {
 public:
  explicit MysqlReportingTx(mysql::Connection& c) : c_(c) {}

  absl::StatusOr<std::vector<TicketFigures>> LoadTicketFigures(const QueryScope& s,
                                                               int period) override;
  absl::StatusOr<std::pair<std::vector<v1::BreachEntry>, int64_t>> LoadBreaches(const QueryScope& s,
                                                                                int period,
                                                                                int limit) override;
  absl::StatusOr<std::vector<v1::EscalationCount>> LoadEscalations(const QueryScope& s,
                                                                   int period) override;
  absl::StatusOr<std::vector<OutageRow>> LoadOutages(const QueryScope& s, int64_t start,
                                                     int64_t end) override;
  absl::StatusOr<std::vector<v1::CreditFigure>> LoadCredits(const QueryScope& s,
                                                            int period) override;
  absl::StatusOr<std::vector<v1::TrendPoint>> LoadTrend(const QueryScope& s, int first,
                                                        int last) override;
  absl::StatusOr<std::vector<ReplayTicket>> LoadReplayTickets(const QueryScope& s, int first,
                                                              int last) override;
  absl::StatusOr<int64_t> CountContracts(const QueryScope& s, int period) override;
  absl::StatusOr<std::optional<StoredReport>> LoadReport(const QueryScope& s, int period,
                                                         int revision, bool for_update) override;
  absl::Status InsertReport(const QueryScope& s, int period, int revision, int64_t issue_time,
                            const std::string& body) override;
  absl::StatusOr<std::vector<std::string>> ListReports(const QueryScope& s, int offset,
                                                       int limit) override;
  absl::StatusOr<std::vector<PendingRevision>> ListPendingRevisions(int limit) override;
  absl::Status DeletePendingRevision(const Scope& s, int period_index) override;
  absl::Status Publish(absl::Span<const outbox::Row> events) override;

 private:
  mysql::Connection& c_;
};

class MysqlReportingRepository final : public ReportingRepository {
 public:
  explicit MysqlReportingRepository(mysql::ConnectionPool* pool) : pool_(pool) {}
  absl::Status Transact(absl::FunctionRef<absl::Status(ReportingTx&)> fn) override;
  absl::Status Read(absl::FunctionRef<absl::Status(ReportingTx&)> fn) override;

 private:
  mysql::ConnectionPool* pool_;
};

}  // namespace sla::reporting::storage
