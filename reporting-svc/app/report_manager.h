// reporting-svc's use cases: following ticket-svc's and billing-svc's event streams into the
// read model (cursor committed with the effects), computing and issuing reports (immutable
// revisions, announced as `report.issued`), the schedule that issues each contract's report
// when its period ends, exports, and the what-if replay of proposed terms.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clients/terms_source.h"
#include "common/server/identity.h"
#include "reporting-svc/app/report_streams.h"
#include "reporting-svc/app/report_terms.h"
#include "reporting-svc/app/reporting_repository.h"
#include "reporting-svc/domain/records.h"
#include "reporting-svc/domain/report_name.h"
#include "sla/reporting/v1/reporting_service.pb.h"

namespace sla::reporting {

struct ReportingOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  std::function<void()> on_events_written = [] {};
  int breaches_listed = 1000;
};

class ReportManager {
 public:
  // `repo`, `terms` and `streams` (the followed event streams) must outlive it.
  ReportManager(ReportingRepository* repo, ReportTerms* terms, ReportStreams* streams,
                ReportingOptions options);

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

  // The figures of report `n` as of now (revision 0), over the rows of `scope` (checked by
  // the caller: ScopeFor, or QueryScope::ForSystemWork for the service's own work).
  absl::StatusOr<v1::Report> Compute(const ReportName& n, const QueryScope& scope);

 private:
  // Issues the revisions late data made due; what fails for a passing reason stays pending.
  absl::Status IssuePendingRevisions();
  absl::StatusOr<v1::Report> IssueNow(const ReportName& n, const QueryScope& scope,
                                      const std::string& why);
  // The issued report's revision `revision` (0: the latest), if any.
  absl::StatusOr<std::optional<v1::Report>> Stored(const QueryScope& scope, int period,
                                                   int revision);

  ReportingRepository* repo_;
  ReportTerms* terms_;
  ReportStreams* streams_;
  ReportingOptions options_;
};

}  // namespace sla::reporting
