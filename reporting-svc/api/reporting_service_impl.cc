#include "reporting-svc/api/reporting_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/api/list_request.h"
#include "common/log/log.h"
#include "common/outbox/feed.h"
#include "common/status/status_macros.h"

namespace sla::reporting {
using outbox::RequireEventReader;

ReportingServiceImpl::ReportingServiceImpl(const server::RpcBoundary& boundary,
                                           mysql::ConnectionPool* pool,
                                           std::unique_ptr<clients::ContractTermsSource> contracts,
                                           std::unique_ptr<outbox::Feed> tickets,
                                           std::unique_ptr<outbox::Feed> billing,
                                           ReportingServiceOptions options)
    : boundary_(boundary),
      pool_(pool),
      contracts_(std::move(contracts)),
      tickets_(std::move(tickets)),
      billing_(std::move(billing)) {
  sequencer_ = std::make_unique<outbox::Sequencer>(pool_);
  sequencer_loop_ = std::make_unique<server::Periodic>(
      "outbox-sequencer", absl::Milliseconds(100),
      [this] {
        absl::StatusOr<int> n = sequencer_->RunOnce();
        if (!n.ok())
          log::Warning("outbox sequencer pass failed", {{"error", n.status().ToString()}});
      },
      absl::Milliseconds(5));
  ReportingOptions o;
  o.clock = options.clock;
  o.on_events_written = [this] { sequencer_loop_->Wake(); };
  stack_ =
      std::make_unique<ReportingStack>(pool_, contracts_.get(), tickets_.get(), billing_.get(), o);
  consumer_loop_ =
      std::make_unique<server::Periodic>("event-followers", options.consume_interval, [this] {
        absl::StatusOr<int> t = stack_->manager.ConsumeTicketEvents();
        if (!t.ok())
          log::Warning("following ticket-svc's events failed", {{"error", t.status().ToString()}});
        absl::StatusOr<int> b = stack_->manager.ConsumeBillingEvents();
        if (!b.ok())
          log::Warning("following billing-svc's events failed", {{"error", b.status().ToString()}});
      });
  schedule_loop_ =
      std::make_unique<server::Periodic>("report-schedule", options.schedule_interval, [this] {
        absl::StatusOr<int> n = stack_->manager.IssueDueReports(*contracts_);
        if (!n.ok()) {
          log::Warning("issuing scheduled reports failed", {{"error", n.status().ToString()}});
        } else if (*n > 0) {
          log::Info("reports issued", {{"count", absl::StrCat(*n)}});
        }
      });
  if (options.start_workers) {
    sequencer_loop_->Start();
    consumer_loop_->Start();
    schedule_loop_->Start();
  }
}

ReportingServiceImpl::~ReportingServiceImpl() {
  schedule_loop_->Stop();
  consumer_loop_->Stop();
  sequencer_loop_->Stop();
}

namespace {

// The API views of what the use cases answer. A listed report is its summary: name, revision,
// issue time, period, revision note and total.
absl::Status ToProto(const ReportPage& page, pb::ListReportsResponse* out) {
  for (const pb::Report& full : page.reports) {
    pb::Report* r = out->add_reports();
    r->set_name(full.name());
    r->set_revision(full.revision());
    *r->mutable_issue_time() = full.issue_time();
    r->set_period(full.period());
    r->set_revision_note(full.revision_note());
    *r->mutable_total() = full.total();
  }
  out->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}
absl::Status ToProto(const RenderedReport& r, pb::ExportReportResponse* out) {
  out->set_content_type(r.content_type);
  out->set_content(r.content);
  out->set_file_name(r.file_name);
  return absl::OkStatus();
}
// For server::Into: the ToProto above that fits (reports are served as computed or stored).
constexpr auto kToProto = [](const auto& value, auto* out) { return ToProto(value, out); };

ProposalInput FromRequest(const pb::SimulateTermsRequest& req) {
  ProposalInput in{req.subject(), std::nullopt, req.lookback_periods()};
  if (req.has_proposed_terms()) in.proposed = req.proposed_terms();
  return in;
}

}  // namespace

#define SLA_REPORTING_UNARY(Method, Request, Response, Call)                              \
  grpc::Status ReportingServiceImpl::Method(grpc::ServerContext* ctx, const Request* req, \
                                            Response* out) {                              \
    return boundary_.Run(ctx, #Method, *req, [&](const server::CallContext& call) {       \
      return server::Into(stack_->manager.Call, out, kToProto);                           \
    });                                                                                   \
  }

SLA_REPORTING_UNARY(GetReport, pb::GetReportRequest, pb::Report,
                    Get(call.identity, req->name(), req->revision(), req->min_event_position()))
SLA_REPORTING_UNARY(IssueReport, pb::IssueReportRequest, pb::Report,
                    Issue(call.identity, req->name()))
SLA_REPORTING_UNARY(ListReports, pb::ListReportsRequest, pb::ListReportsResponse,
                    List(call.identity, api::PageOf(*req)))
SLA_REPORTING_UNARY(ExportReport, pb::ExportReportRequest, pb::ExportReportResponse,
                    Export(call.identity, req->name(), req->revision(), req->format()))
SLA_REPORTING_UNARY(SimulateTerms, pb::SimulateTermsRequest, pb::SimulateTermsResponse,
                    Simulate(call.identity, FromRequest(*req)))

#undef SLA_REPORTING_UNARY

grpc::Status ReportingServiceImpl::ListEvents(grpc::ServerContext* ctx,
                                              const pb::ListEventsRequest* req,
                                              pb::ListEventsResponse* out) {
  return boundary_.Run(ctx, "ListEvents", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
                         return outbox::ListPage(*pool_, "reporting-svc", *req, out);
                       });
}

grpc::Status ReportingServiceImpl::WatchEvents(grpc::ServerContext* ctx,
                                               const pb::WatchEventsRequest* req,
                                               grpc::ServerWriter<pb::Event>* writer) {
  return boundary_.Run(
      ctx, "WatchEvents", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
        return outbox::Watch(
            *pool_, *sequencer_, "reporting-svc", *req, call.identity,
            [this] { return boundary_.Now(); }, ctx, writer, boundary_.draining(), watch_slots_);
      });
}

}  // namespace sla::reporting
