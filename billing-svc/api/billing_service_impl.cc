#include "billing-svc/api/billing_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/outbox/feed.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::billing {
using outbox::RequireEventReader;
using server::Into;

BillingServiceImpl::BillingServiceImpl(const server::RpcBoundary& boundary,
                                       mysql::ConnectionPool* pool,
                                       std::unique_ptr<clients::TermsSource> terms,
                                       clients::ContractDirectory* contracts,
                                       std::unique_ptr<outbox::Feed> events,
                                       BillingServiceOptions options)
    : boundary_(boundary),
      pool_(pool),
      terms_(std::move(terms)),
      contracts_(contracts),
      events_(std::move(events)),
      repo_(pool),
      documents_(&repo_) {
  sequencer_ = std::make_unique<outbox::Sequencer>(pool_);
  sequencer_loop_ = std::make_unique<server::Periodic>(
      "outbox-sequencer", absl::Milliseconds(100),
      [this] {
        absl::StatusOr<int> n = sequencer_->RunOnce();
        if (!n.ok())
          log::Warning("outbox sequencer pass failed", {{"error", n.status().ToString()}});
      },
      absl::Milliseconds(5));
  facts_ = std::make_unique<storage::FollowedTicketFacts>(pool_, events_.get(), options.clock);
  manager_ = std::make_unique<BillingManager>(
      &repo_, terms_.get(), facts_.get(),
      BillingOptions{options.clock, [this] { sequencer_loop_->Wake(); }, options.close_batch,
                     options.close_workers});
  consumer_loop_ =
      std::make_unique<server::Periodic>("ticket-events", options.consume_interval, [this] {
        absl::StatusOr<int> n = manager_->ConsumeOnce();
        if (!n.ok())
          log::Warning("following ticket-svc's events failed", {{"error", n.status().ToString()}});
      });
  closer_loop_ =
      std::make_unique<server::Periodic>("period-closer", options.close_interval, [this] {
        if (contracts_ == nullptr) return;
        absl::StatusOr<int> n = manager_->CloseDuePeriods(*contracts_);
        if (!n.ok()) {
          log::Warning("closing due periods failed", {{"error", n.status().ToString()}});
        } else if (*n > 0) {
          log::Info("periods closed", {{"count", absl::StrCat(*n)}});
        }
      });
  if (options.start_workers) {
    sequencer_loop_->Start();
    consumer_loop_->Start();
    closer_loop_->Start();
  }
}

BillingServiceImpl::~BillingServiceImpl() {
  closer_loop_->Stop();
  consumer_loop_->Stop();
  sequencer_loop_->Stop();
}

#define SLA_BILLING_UNARY(Method, Request, Response, Call)                                  \
  grpc::Status BillingServiceImpl::Method(grpc::ServerContext* ctx, const Request* req,     \
                                          Response* out) {                                  \
    return boundary_.Run(ctx, #Method, *req,                                                \
                         [&](const server::CallContext& call) { return Into(Call, out); }); \
  }

SLA_BILLING_UNARY(GetInvoice, pb::GetInvoiceRequest, pb::Invoice,
                  documents_.GetInvoice(call.identity, req->name()))
SLA_BILLING_UNARY(ListInvoices, pb::ListInvoicesRequest, pb::ListInvoicesResponse,
                  documents_.ListInvoices(call.identity, *req))
SLA_BILLING_UNARY(GetCreditNote, pb::GetCreditNoteRequest, pb::CreditNote,
                  documents_.GetCreditNote(call.identity, req->name()))
SLA_BILLING_UNARY(ListCreditNotes, pb::ListCreditNotesRequest, pb::ListCreditNotesResponse,
                  documents_.ListCreditNotes(call.identity, *req))
SLA_BILLING_UNARY(PreviewCredits, pb::PreviewCreditsRequest, pb::PreviewCreditsResponse,
                  manager_->Preview(call.identity, *req))
SLA_BILLING_UNARY(ClosePeriod, pb::ClosePeriodRequest, pb::ClosePeriodResponse,
                  manager_->Close(call.identity, *req))

#undef SLA_BILLING_UNARY

grpc::Status BillingServiceImpl::ListEvents(grpc::ServerContext* ctx,
                                            const pb::ListEventsRequest* req,
                                            pb::ListEventsResponse* out) {
  return boundary_.Run(ctx, "ListEvents", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
                         return outbox::ListPage(*pool_, "billing-svc", *req, out);
                       });
}

grpc::Status BillingServiceImpl::WatchEvents(grpc::ServerContext* ctx,
                                             const pb::WatchEventsRequest* req,
                                             grpc::ServerWriter<pb::Event>* writer) {
  return boundary_.Run(
      ctx, "WatchEvents", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
        return outbox::Watch(
            *pool_, *sequencer_, "billing-svc", *req, call.identity,
            [this] { return boundary_.Now(); }, ctx, writer, boundary_.draining(), watch_slots_);
      });
}

}  // namespace sla::billing
