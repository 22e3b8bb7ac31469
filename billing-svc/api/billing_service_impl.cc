#include "billing-svc/api/billing_service_impl.h"

#include "absl/strings/str_cat.h"
#include "billing-svc/app/close_documents.h"
#include "common/api/list_request.h"
#include "common/core/rational.h"
#include "common/log/log.h"
#include "common/outbox/feed.h"
#include "common/outbox/position.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::billing {
using outbox::RequireEventReader;

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

namespace {

// The API views of what the use cases answer.
absl::Status ToProto(const CreditPreview& p, pb::PreviewCreditsResponse* out) {
  const core::PeriodComputation& pc = p.computation;
  for (const core::CreditLine& l : pc.credits.lines)
    *out->add_credits() = ToLine(l, pc.credits.currency);
  *out->mutable_total() = Money(pc.credits.currency, pc.credits.total_minor);
  for (const core::ServiceFigure& f : pc.availability) {
    pb::ServiceAvailability* a = out->add_availability();
    a->set_service_id(f.service_id);
    a->set_period_minutes(f.availability.period_minutes);
    a->set_maintenance_minutes(f.availability.maintenance_minutes);
    a->set_eligible_minutes(f.availability.eligible_minutes);
    a->set_downtime_minutes(f.availability.downtime_minutes);
    a->set_availability_ppm(
        static_cast<int64_t>((f.availability.ratio() * core::Rational(1'000'000)).Floor()));
    a->set_target_ppm(f.target_ppm);
    a->set_met(f.availability.Meets(f.target_ppm));
  }
  for (const std::string& n : pc.credits.notes) out->add_notes(n);
  out->set_terms_version(p.terms_version);
  out->set_event_position(
      outbox::FormatPosition({"ticket-svc", p.reflects.epoch, p.reflects.sequence}));
  if (p.reflects.last_event_time > 0) {
    out->mutable_event_time()->set_seconds(p.reflects.last_event_time);
  }
  return absl::OkStatus();
}
absl::Status ToProto(const DocumentPage<pb::Invoice>& page, pb::ListInvoicesResponse* out) {
  for (const pb::Invoice& d : page.documents) *out->add_invoices() = d;
  out->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}
absl::Status ToProto(const DocumentPage<pb::CreditNote>& page, pb::ListCreditNotesResponse* out) {
  for (const pb::CreditNote& d : page.documents) *out->add_credit_notes() = d;
  out->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}
// For server::Into: the ToProto above that fits (issued documents are served as stored).
constexpr auto kToProto = [](const auto& value, auto* out) { return ToProto(value, out); };

}  // namespace

#define SLA_BILLING_UNARY(Method, Request, Response, Call)                              \
  grpc::Status BillingServiceImpl::Method(grpc::ServerContext* ctx, const Request* req, \
                                          Response* out) {                              \
    return boundary_.Run(ctx, #Method, *req, [&](const server::CallContext& call) {     \
      return server::Into(Call, out, kToProto);                                         \
    });                                                                                 \
  }

SLA_BILLING_UNARY(GetInvoice, pb::GetInvoiceRequest, pb::Invoice,
                  documents_.GetInvoice(call.identity, req->name()))
SLA_BILLING_UNARY(ListInvoices, pb::ListInvoicesRequest, pb::ListInvoicesResponse,
                  documents_.ListInvoices(call.identity, api::PageOf(*req)))
SLA_BILLING_UNARY(GetCreditNote, pb::GetCreditNoteRequest, pb::CreditNote,
                  documents_.GetCreditNote(call.identity, req->name()))
SLA_BILLING_UNARY(ListCreditNotes, pb::ListCreditNotesRequest, pb::ListCreditNotesResponse,
                  documents_.ListCreditNotes(call.identity, api::PageOf(*req)))
SLA_BILLING_UNARY(PreviewCredits, pb::PreviewCreditsRequest, pb::PreviewCreditsResponse,
                  manager_->Preview(call.identity, req->contract(), req->period(),
                                    req->min_event_position()))
SLA_BILLING_UNARY(ClosePeriod, pb::ClosePeriodRequest, pb::ClosePeriodResponse,
                  manager_->Close(call.identity, req->contract(), req->period()))

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
