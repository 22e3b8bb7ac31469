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
#include "common/api/list_request.h"
#include "common/clients/terms_source.h"
#include "common/server/identity.h"
#include "reporting-svc/app/report_streams.h"
#include "reporting-svc/app/report_terms.h"
#include "reporting-svc/app/reporting_repository.h"
#include "reporting-svc/app/what_if.h"
#include "reporting-svc/domain/records.h"
#include "reporting-svc/domain/report_name.h"
#include "sla/reporting/v1/reporting_service.pb.h"

namespace sla::reporting {

struct ReportingOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  std::function<void()> on_events_written = [] {};
  int breaches_listed = 1000;
};

struct ReportPage {
  std::vector<v1::Report> reports;
  std::string next_page_token;
};
// A report as a file.
struct RenderedReport {
  std::string content_type;
  std::string content;
  std::string file_name;
};

class ReportManager {
 public:
  // `repo`, `terms` and `streams` (the followed event streams) must outlive it.
  ReportManager(ReportingRepository* repo, ReportTerms* terms, ReportStreams* streams,
                ReportingOptions options);

  // One pass over each stream: applies what is new. Returns events applied.
  absl::StatusOr<int> ConsumeTicketEvents();
  absl::StatusOr<int> ConsumeBillingEvents();

  // Report `name`: its issued revision `revision` (0: the latest), or, for a period not issued
  // yet (or an MSP-wide or customer report), the figures as of now after the read model has
  // applied the streams up to `min_event_position` ("" for what is applied now).
  absl::StatusOr<v1::Report> Get(const server::Identity& who, const std::string& name, int revision,
                                 const std::string& min_event_position);
  absl::StatusOr<v1::Report> Issue(const server::Identity& who, const std::string& name);
  // The issued reports of the contract `page.parent`, newest period first, in full.
  absl::StatusOr<ReportPage> List(const server::Identity& who, const api::PageRequest& page);
  // Report `name` (as Get) rendered as JSON, CSV or HTML.
  absl::StatusOr<RenderedReport> Export(const server::Identity& who, const std::string& name,
                                        int revision, v1::ReportFormat format);
  // What `proposed` terms would have meant for `subject`'s last `lookback_periods` periods.
  absl::StatusOr<v1::SimulateTermsResponse> Simulate(const server::Identity& who,
                                                     const ProposalInput& proposal);
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
