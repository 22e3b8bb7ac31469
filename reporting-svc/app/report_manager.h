// reporting-svc's use cases: following ticket-svc's and billing-svc's event streams into the
// read model (cursor committed with the effects), computing and issuing reports (immutable
// revisions, announced as `report.issued`), the schedule that issues each contract's report
// when its period ends, exports, and the what-if replay of proposed terms.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clients/contract_terms.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/follower.h"
#include "common/server/identity.h"
#include "reporting-svc/domain/report_name.h"
#include "reporting-svc/storage/report_store.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"

namespace sla::reporting {

struct ReportingOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  std::function<void()> on_events_written = [] {};
  int breaches_listed = 1000;
};

class ReportManager {
 public:
  // `tickets`, `billing`: the followed streams (ListEvents over gRPC in production).
  ReportManager(mysql::ConnectionPool* pool, clients::TermsSource* terms, outbox::Feed* tickets,
                outbox::Feed* billing, ReportingOptions options);
  ~ReportManager();

  // One pass over each stream: applies what is new. Returns events applied.
  absl::StatusOr<int> ConsumeTicketEvents();
  absl::StatusOr<int> ConsumeBillingEvents();

  absl::StatusOr<v1::Report> Get(const server::Identity& who, const v1::GetReportRequest& req);
  absl::StatusOr<v1::Report> Issue(const server::Identity& who, const std::string& name);
  absl::StatusOr<v1::ListReportsResponse> List(const server::Identity& who,
                                               const v1::ListReportsRequest& req);
  absl::StatusOr<v1::ExportReportResponse> Export(const server::Identity& who,
                                                  const v1::ExportReportRequest& req);
  absl::StatusOr<v1::SimulateTermsResponse> Simulate(const server::Identity& who,
                                                     const v1::SimulateTermsRequest& req);
  // Issues the report of every active contract whose period ended and has none yet, on the
  // contract's schedule. Returns reports issued.
  absl::StatusOr<int> IssueDueReports(clients::ContractDirectory& contracts);

  // Events of the followed streams set aside because they cannot be applied, oldest first.
  absl::StatusOr<std::vector<outbox::DeadLetterRow>> DeadLetters(int limit);
  // The consumers of the two streams, for the operator's actions (EventConsumerService).
  outbox::Follower& ticket_events() { return *ticket_follower_; }
  outbox::Follower& billing_events() { return *billing_follower_; }

  // The figures of report `n` as of now (revision 0), over the rows of `scope` (checked by
  // the caller: ScopeFor, or QueryScope::ForSystemWork for the service's own work).
  absl::StatusOr<v1::Report> Compute(const ReportName& n, const storage::QueryScope& scope);

 private:
  struct TermsInfo {
    std::string version;
    sla::v1::SlaTerms terms;
  };
  absl::StatusOr<std::shared_ptr<const TermsInfo>> TermsOf(const std::string& contract,
                                                           const std::string& version, int64_t at);
  absl::StatusOr<int> PeriodIndexOf(const TermsInfo& t, int64_t at) const;
  // The terms a contract's report of `period` is computed under: those in force in the middle
  // of the month, or, for a month the contract began or ended in, the last version in force
  // during the month (found by walking the versions). FAILED_PRECONDITION if none was.
  absl::StatusOr<std::shared_ptr<const TermsInfo>> TermsForPeriod(const std::string& contract,
                                                                  int period);
  // The ended periods of `contract` whose reports are due and not issued, oldest first, at
  // most the last 12: from the month it began (or its end) on its schedule, and its final
  // month when it ended (`until`, or InfiniteFuture while in force).
  absl::StatusOr<std::vector<int>> DuePeriods(const std::string& contract, absl::Time until,
                                              int64_t now);
  class TicketHandler;
  class BillingHandler;
  absl::Status ApplyTicketEvent(mysql::Connection& c, const outbox::FeedEvent& e,
                                const TermsInfo* terms);
  absl::Status ApplyBillingEvent(mysql::Connection& c, const outbox::FeedEvent& e);
  // Issues the revisions late data made due; what fails for a passing reason stays pending.
  absl::Status IssuePendingRevisions();
  absl::StatusOr<v1::Report> IssueNow(const ReportName& n, const storage::QueryScope& scope,
                                      const std::string& why);

  mysql::ConnectionPool* pool_;
  clients::TermsSource* terms_;
  ReportingOptions options_;
  std::unique_ptr<outbox::Handler> ticket_handler_;
  std::unique_ptr<outbox::Handler> billing_handler_;
  std::unique_ptr<outbox::Follower> ticket_follower_;
  std::unique_ptr<outbox::Follower> billing_follower_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const TermsInfo>> terms_cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla::reporting
