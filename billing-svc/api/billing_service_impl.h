// gRPC handlers of sla.billing.v1.BillingService. Every handler runs in the RpcBoundary and
// delegates to the BillingManager (closing, previews) or the DocumentReader (documents). This
// object also owns billing-svc's background work: the consumer of ticket-svc's events, the
// scheduler that closes ended periods, and the outbox sequencer; they start with it and stop when
// it goes.
#pragma once

#include <memory>

#include "billing-svc/app/billing_manager.h"
#include "billing-svc/app/documents.h"
#include "billing-svc/storage/mysql_billing_repository.h"
#include "billing-svc/storage/ticket_facts.h"
#include "common/outbox/feed.h"
#include "common/outbox/sequencer.h"
#include "common/server/periodic.h"
#include "common/server/rpc.h"
#include "sla/billing/v1/billing_service.grpc.pb.h"

namespace sla::billing {

struct BillingServiceOptions {
  std::function<absl::Time()> clock;
  bool start_workers = true;  // false in tests, which call RunOnce-style methods themselves
  absl::Duration consume_interval = absl::Milliseconds(500);
  absl::Duration close_interval = absl::Minutes(5);
  int close_batch = 50;   // periods per transaction in the scheduler's pass
  int close_workers = 2;  // connections the scheduler's pass closes batches on
};

class BillingServiceImpl final : public pb::BillingService::Service {
 public:
  BillingServiceImpl(const server::RpcBoundary& boundary, mysql::ConnectionPool* pool,
                     std::unique_ptr<clients::TermsSource> terms,
                     clients::ContractDirectory* contracts, std::unique_ptr<outbox::Feed> events,
                     BillingServiceOptions options);
  ~BillingServiceImpl() override;

  BillingManager& manager() { return *manager_; }
  // The consumer of ticket-svc's stream, for the operator's actions (EventConsumerService).
  outbox::Follower& ticket_events() { return facts_->follower(); }
  outbox::Sequencer& sequencer() { return *sequencer_; }
  // Open watches, shared with sla.v1.EventService.WatchEvents.
  outbox::WatchSlots& watch_slots() { return watch_slots_; }

  grpc::Status GetInvoice(grpc::ServerContext* ctx, const pb::GetInvoiceRequest* req,
                          pb::Invoice* out) override;
  grpc::Status ListInvoices(grpc::ServerContext* ctx, const pb::ListInvoicesRequest* req,
                            pb::ListInvoicesResponse* out) override;
  grpc::Status GetCreditNote(grpc::ServerContext* ctx, const pb::GetCreditNoteRequest* req,
                             pb::CreditNote* out) override;
  grpc::Status ListCreditNotes(grpc::ServerContext* ctx, const pb::ListCreditNotesRequest* req,
                               pb::ListCreditNotesResponse* out) override;
  grpc::Status PreviewCredits(grpc::ServerContext* ctx, const pb::PreviewCreditsRequest* req,
                              pb::PreviewCreditsResponse* out) override;
  grpc::Status ClosePeriod(grpc::ServerContext* ctx, const pb::ClosePeriodRequest* req,
                           pb::ClosePeriodResponse* out) override;
  grpc::Status ListEvents(grpc::ServerContext* ctx, const pb::ListEventsRequest* req,
                          pb::ListEventsResponse* out) override;
  grpc::Status WatchEvents(grpc::ServerContext* ctx, const pb::WatchEventsRequest* req,
                           grpc::ServerWriter<pb::Event>* writer) override;

 private:
  const server::RpcBoundary& boundary_;
  mysql::ConnectionPool* pool_;
  std::unique_ptr<clients::TermsSource> terms_;
  clients::ContractDirectory* contracts_;
  std::unique_ptr<outbox::Feed> events_;
  std::unique_ptr<outbox::Sequencer> sequencer_;
  // WatchEvents streams: at most 256 open, 8 per caller.
  outbox::WatchSlots watch_slots_{256, 8};
  std::unique_ptr<server::Periodic> sequencer_loop_;
  storage::MysqlBillingRepository repo_;
  std::unique_ptr<storage::FollowedTicketFacts> facts_;
  std::unique_ptr<BillingManager> manager_;
  DocumentReader documents_;
  std::unique_ptr<server::Periodic> consumer_loop_;
  std::unique_ptr<server::Periodic> closer_loop_;
};

}  // namespace sla::billing
