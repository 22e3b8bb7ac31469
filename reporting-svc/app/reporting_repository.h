// reporting-svc's tables as the use cases see them: the read model's queries (kept from the
// event streams by storage/report_projection), issued reports and the revisions waiting to be
// issued. storage/ implements it on MariaDB; app tests use the in-memory fake
// (app/fake_reporting_repository.h). Every query takes a QueryScope: no query reachable by a
// customer can be built without its customer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/outbox/row.h"
#include "reporting-svc/domain/figures.h"
#include "reporting-svc/domain/records.h"
#include "reporting-svc/domain/simulate.h"
#include "sla/reporting/v1/reporting_service.pb.h"

namespace sla::reporting {

class ReportingTx {
 public:
  virtual ~ReportingTx() = default;

  // --- The read model, per period (year * 12 + month - 1) ---
  // One row per ticket opened in the period.
  virtual absl::StatusOr<std::vector<TicketFigures>> LoadTicketFigures(const QueryScope& s,
                                                                       int period) = 0;
  // The first `limit` breaches of the period (by time), and how many there are in all.
  virtual absl::StatusOr<std::pair<std::vector<v1::BreachEntry>, int64_t>> LoadBreaches(
      const QueryScope& s, int period, int limit) = 0;
  virtual absl::StatusOr<std::vector<v1::EscalationCount>> LoadEscalations(const QueryScope& s,
                                                                           int period) = 0;
  // Outages of one contract overlapping [start, end).
  virtual absl::StatusOr<std::vector<OutageRow>> LoadOutages(const QueryScope& s, int64_t start,
                                                             int64_t end) = 0;
  virtual absl::StatusOr<std::vector<v1::CreditFigure>> LoadCredits(const QueryScope& s,
                                                                    int period) = 0;
  // Headline figures of periods first..last (every period present, oldest first).
  virtual absl::StatusOr<std::vector<v1::TrendPoint>> LoadTrend(const QueryScope& s, int first,
                                                                int last) = 0;
  // Tickets opened in periods first..last, for a what-if replay.
  virtual absl::StatusOr<std::vector<ReplayTicket>> LoadReplayTickets(const QueryScope& s,
                                                                      int first, int last) = 0;
  // Distinct contracts with tickets in the period.
  virtual absl::StatusOr<int64_t> CountContracts(const QueryScope& s, int period) = 0;

  // --- Issued reports (one contract's) ---
  // The latest revision (0; locked when `for_update`), or the given one.
  virtual absl::StatusOr<std::optional<StoredReport>> LoadReport(const QueryScope& s, int period,
                                                                 int revision, bool for_update) = 0;
  // ALREADY_EXISTS if that revision was issued meanwhile.
  virtual absl::Status InsertReport(const QueryScope& s, int period, int revision,
                                    int64_t issue_time, const std::string& body) = 0;
  // Revisions of a contract's reports, newest period and revision first.
  virtual absl::StatusOr<std::vector<std::string>> ListReports(const QueryScope& s, int offset,
                                                               int limit) = 0;

  // --- Revisions late data made due (added by the projection of billing's events) ---
  virtual absl::StatusOr<std::vector<PendingRevision>> ListPendingRevisions(int limit) = 0;
  virtual absl::Status DeletePendingRevision(const Scope& s, int period_index) = 0;

  // reporting-svc's own events, published when the transaction commits.
  virtual absl::Status Publish(absl::Span<const outbox::Row> events) = 0;
};

class ReportingRepository {
 public:
  virtual ~ReportingRepository() = default;
  // Runs `fn` in one transaction; it may run again after a deadlock.
  virtual absl::Status Transact(absl::FunctionRef<absl::Status(ReportingTx&)> fn) = 0;
  // Runs reads outside a transaction.
  virtual absl::Status Read(absl::FunctionRef<absl::Status(ReportingTx&)> fn) = 0;
};

}  // namespace sla::reporting
