#include "reporting-svc/storage/mysql_reporting_repository.h"

#include "common/outbox/outbox.h"
#include "reporting-svc/storage/report_store.h"

namespace sla::reporting::storage {

absl::StatusOr<std::vector<TicketFigures>> MysqlReportingTx::LoadTicketFigures(const QueryScope& s,
                                                                               int period) {
  return storage::LoadTicketFigures(c_, s, period);
}
absl::StatusOr<std::pair<std::vector<v1::BreachEntry>, int64_t>> MysqlReportingTx::LoadBreaches(
    const QueryScope& s, int period, int limit) {
  return storage::LoadBreaches(c_, s, period, limit);
}
absl::StatusOr<std::vector<v1::EscalationCount>> MysqlReportingTx::LoadEscalations(
    const QueryScope& s, int period) {
  return storage::LoadEscalations(c_, s, period);
}
absl::StatusOr<std::vector<OutageRow>> MysqlReportingTx::LoadOutages(const QueryScope& s,
                                                                     int64_t start, int64_t end) {
  return storage::LoadOutages(c_, s, start, end);
}
absl::StatusOr<std::vector<v1::CreditFigure>> MysqlReportingTx::LoadCredits(const QueryScope& s,
                                                                            int period) {
  return storage::LoadCredits(c_, s, period);
}
absl::StatusOr<std::vector<v1::TrendPoint>> MysqlReportingTx::LoadTrend(const QueryScope& s,
                                                                        int first, int last) {
  return storage::LoadTrend(c_, s, first, last);
}
absl::StatusOr<std::vector<ReplayTicket>> MysqlReportingTx::LoadReplayTickets(const QueryScope& s,
                                                                              int first, int last) {
  return storage::LoadReplayTickets(c_, s, first, last);
}
absl::StatusOr<int64_t> MysqlReportingTx::CountContracts(const QueryScope& s, int period) {
  return storage::CountContracts(c_, s, period);
}
absl::StatusOr<std::optional<StoredReport>> MysqlReportingTx::LoadReport(const QueryScope& s,
                                                                         int period, int revision,
                                                                         bool for_update) {
  return storage::LoadReport(c_, s, period, revision, for_update);
}
absl::Status MysqlReportingTx::InsertReport(const QueryScope& s, int period, int revision,
                                            int64_t issue_time, const std::string& body) {
  return storage::InsertReport(c_, s, period, revision, issue_time, body);
}
absl::StatusOr<std::vector<std::string>> MysqlReportingTx::ListReports(const QueryScope& s,
                                                                       int offset, int limit) {
  return storage::ListReports(c_, s, offset, limit);
}
absl::StatusOr<std::vector<PendingRevision>> MysqlReportingTx::ListPendingRevisions(int limit) {
  return storage::ListPendingRevisions(c_, limit);
}
absl::Status MysqlReportingTx::DeletePendingRevision(const Scope& s, int period_index) {
  return storage::DeletePendingRevision(c_, s, period_index);
}
absl::Status MysqlReportingTx::Publish(absl::Span<const outbox::Row> events) {
  return outbox::Insert(c_, events);
}

absl::Status MysqlReportingRepository::Transact(absl::FunctionRef<absl::Status(ReportingTx&)> fn) {
  return mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) {
    MysqlReportingTx tx(c);
    return fn(tx);
  });
}

absl::Status MysqlReportingRepository::Read(absl::FunctionRef<absl::Status(ReportingTx&)> fn) {
  return mysql::WithConnection(*pool_, [&](mysql::Connection& c) {
    MysqlReportingTx tx(c);
    return fn(tx);
  });
}

}  // namespace sla::reporting::storage
