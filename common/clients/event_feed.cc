#include "common/clients/event_feed.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/outbox/payload.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "sla/billing/v1/billing_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"
#include "sla/v1/event_service.grpc.pb.h"

namespace sla::clients {
namespace {

// How long a producer that lacked sla.v1.EventService is read through its earlier envelope
// before the typed stream is tried again (it may have been upgraded).
constexpr absl::Duration kLegacyRecheck = absl::Minutes(1);

template <typename Request>
Request PageRequest(const outbox::FeedPosition& from, int max_events, int64_t max_bytes) {
  Request req;
  req.set_after(from.sequence);
  req.set_epoch(from.epoch);
  req.set_after_digest(from.digest);
  req.set_page_size(max_events);
  req.set_max_bytes(max_bytes);
  return req;
}

// The envelope's fields both envelopes share.
template <typename Event>
outbox::FeedEvent Envelope(const Event& e) {
  outbox::FeedEvent out;
  out.sequence = e.sequence();
  out.epoch = e.epoch();
  out.type = e.type();
  out.subject = e.subject();
  out.event_time = e.event_time().seconds();
  out.customer = e.customer();
  return out;
}

absl::Status FeedError(const grpc::Status& s, const std::string& what) {
  // The producer answers FAILED_PRECONDITION only for a position it no longer holds.
  if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) return StreamRewound(what);
  if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
    return absl::ResourceExhaustedError(what);
  return absl::UnavailableError(what);
}

template <typename LegacyService, typename LegacyRequest, typename LegacyResponse>
class GrpcEventFeed final : public outbox::Feed {
 public:
  GrpcEventFeed(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                std::string service_name, std::function<absl::Time()> clock, std::string peer)
      : typed_(sla::v1::EventService::NewStub(channel)),
        legacy_(LegacyService::NewStub(channel)),
        clock_(clock),
        token_(std::move(jwt), std::move(service_name), std::move(clock)),
        peer_(std::move(peer)) {}

  absl::StatusOr<outbox::FeedPage> List(const outbox::FeedPosition& from, int max_events,
                                        int64_t max_bytes) override {
    SLA_ASSIGN_OR_RETURN(const std::string token, token_.Get());
    bool legacy;
    {
      absl::MutexLock lock(&mu_);
      legacy = clock_() < legacy_until_;
    }
    if (!legacy) {
      grpc::ClientContext ctx;
      PrepareCall(ctx, token, absl::Seconds(10));
      sla::v1::ListEventsResponse resp;
      const grpc::Status s = typed_->ListEvents(
          &ctx, PageRequest<sla::v1::ListEventsRequest>(from, max_events, max_bytes), &resp);
      if (s.ok()) return Page(resp);
      if (s.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
        return FeedError(s, absl::StrCat(peer_, " ListEvents: ", s.error_message()));
      }
      absl::MutexLock lock(&mu_);
      legacy_until_ = clock_() + kLegacyRecheck;
    }
    grpc::ClientContext ctx;
    PrepareCall(ctx, token, absl::Seconds(10));
    LegacyResponse resp;
    const grpc::Status s =
        legacy_->ListEvents(&ctx, PageRequest<LegacyRequest>(from, max_events, max_bytes), &resp);
    if (!s.ok()) return FeedError(s, absl::StrCat(peer_, " ListEvents: ", s.error_message()));
    outbox::FeedPage page;
    page.epoch = resp.epoch();
    page.last_sequence = resp.last_sequence();
    page.events.reserve(resp.events_size());
    for (const auto& e : resp.events()) {
      outbox::FeedEvent& out = page.events.emplace_back(Envelope(e));
      // Left empty when it does not convert: the consumer sets the event aside.
      absl::StatusOr<sla::v1::EventPayload> payload =
          outbox::PayloadFromJson(e.type(), e.payload_json());
      if (payload.ok()) out.payload = *std::move(payload);
    }
    return page;
  }

 private:
  static outbox::FeedPage Page(sla::v1::ListEventsResponse& resp) {
    outbox::FeedPage page;
    page.epoch = resp.epoch();
    page.last_sequence = resp.last_sequence();
    page.events.reserve(resp.events_size());
    for (sla::v1::Event& e : *resp.mutable_events()) {
      page.events.emplace_back(Envelope(e)).payload = std::move(*e.mutable_payload());
    }
    return page;
  }

  std::unique_ptr<sla::v1::EventService::Stub> typed_;
  std::unique_ptr<typename LegacyService::Stub> legacy_;
  const std::function<absl::Time()> clock_;
  ServiceToken token_;
  const std::string peer_;
  absl::Mutex mu_;
  absl::Time legacy_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace

grpc::ChannelArguments FeedChannelArguments() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(32 << 20);
  return args;
}

std::unique_ptr<outbox::Feed> TicketEventFeed(std::shared_ptr<grpc::Channel> channel,
                                              server::JwtConfig jwt, std::string service_name,
                                              std::function<absl::Time()> clock) {
  namespace t = sla::ticket::v1;
  return std::make_unique<
      GrpcEventFeed<t::TicketService, t::ListEventsRequest, t::ListEventsResponse>>(
      std::move(channel), std::move(jwt), std::move(service_name), std::move(clock), "ticket-svc");
}

std::unique_ptr<outbox::Feed> BillingEventFeed(std::shared_ptr<grpc::Channel> channel,
                                               server::JwtConfig jwt, std::string service_name,
                                               std::function<absl::Time()> clock) {
  namespace b = sla::billing::v1;
  return std::make_unique<
      GrpcEventFeed<b::BillingService, b::ListEventsRequest, b::ListEventsResponse>>(
      std::move(channel), std::move(jwt), std::move(service_name), std::move(clock), "billing-svc");
}

}  // namespace sla::clients
