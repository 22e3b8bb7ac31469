// gRPC handlers of sla.reporting.v1.ReportingService. Every handler runs in the RpcBoundary and
// delegates to the ReportManager. This object also owns reporting-svc's background work: the
// followers of ticket-svc's and billing-svc's event streams, the scheduler that issues reports
// at period end, and the outbox sequencer; they start with it and stop when it goes.
#pragma once

#include <memory>

#include "common/clients/contract_terms.h"
#include "common/clients/event_feed.h"
#include "common/outbox/feed.h"
#include "common/outbox/sequencer.h"
#include "common/server/periodic.h"
#include "common/server/rpc.h"
#include "reporting-svc/api/reporting_stack.h"
#include "sla/reporting/v1/reporting_service.grpc.pb.h"

namespace sla::reporting {

namespace pb = ::sla::reporting::v1;

struct ReportingServiceOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  bool start_workers = true;  // false in tests, which call the passes themselves
  absl::Duration consume_interval = absl::Milliseconds(500);
  absl::Duration schedule_interval = absl::Minutes(5);
};

class ReportingServiceImpl final : public pb::ReportingService::Service {
 public:
  ReportingServiceImpl(const server::RpcBoundary& boundary, mysql::ConnectionPool* pool,
                       std::unique_ptr<clients::ContractTermsSource> contracts,
                       std::unique_ptr<outbox::Feed> tickets, std::unique_ptr<outbox::Feed> billing,
                       ReportingServiceOptions options);
  ~ReportingServiceImpl() override;

  ReportManager& manager() { return stack_->manager; }
  // The consumers of the two streams, for the operator's actions (EventConsumerService).
  outbox::Follower& ticket_events() { return stack_->streams.ticket_events(); }
  outbox::Follower& billing_events() { return stack_->streams.billing_events(); }
  outbox::Sequencer& sequencer() { return *sequencer_; }
  // Open watches, shared with sla.v1.EventService.WatchEvents.
  outbox::WatchSlots& watch_slots() { return watch_slots_; }

  grpc::Status GetReport(grpc::ServerContext* ctx, const pb::GetReportRequest* req,
                         pb::Report* out) override;
  grpc::Status IssueReport(grpc::ServerContext* ctx, const pb::IssueReportRequest* req,
                           pb::Report* out) override;
  grpc::Status ListReports(grpc::ServerContext* ctx, const pb::ListReportsRequest* req,
                           pb::ListReportsResponse* out) override;
  grpc::Status ExportReport(grpc::ServerContext* ctx, const pb::ExportReportRequest* req,
                            pb::ExportReportResponse* out) override;
  grpc::Status SimulateTerms(grpc::ServerContext* ctx, const pb::SimulateTermsRequest* req,
                             pb::SimulateTermsResponse* out) override;
  grpc::Status ListEvents(grpc::ServerContext* ctx, const pb::ListEventsRequest* req,
                          pb::ListEventsResponse* out) override;
  grpc::Status WatchEvents(grpc::ServerContext* ctx, const pb::WatchEventsRequest* req,
                           grpc::ServerWriter<pb::Event>* writer) override;

 private:
  const server::RpcBoundary& boundary_;
  mysql::ConnectionPool* pool_;
  std::unique_ptr<clients::ContractTermsSource> contracts_;
  std::unique_ptr<outbox::Feed> tickets_;
  std::unique_ptr<outbox::Feed> billing_;
  std::unique_ptr<outbox::Sequencer> sequencer_;
  // WatchEvents streams: at most 256 open, 8 per caller.
  outbox::WatchSlots watch_slots_{256, 8};
  std::unique_ptr<server::Periodic> sequencer_loop_;
  std::unique_ptr<ReportingStack> stack_;
  std::unique_ptr<server::Periodic> consumer_loop_;
  std::unique_ptr<server::Periodic> schedule_loop_;
};

}  // namespace sla::reporting
