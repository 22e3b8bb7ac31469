#include "common/clients/event_feed.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "sla/billing/v1/billing_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"

namespace sla::clients {
namespace {

template <typename Service, typename Request, typename Response>
class GrpcEventFeed final : public outbox::Feed {
 public:
  GrpcEventFeed(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                std::string service_name, std::function<absl::Time()> clock, std::string peer)
      : stub_(Service::NewStub(std::move(channel))),
        token_(std::move(jwt), std::move(service_name), std::move(clock)),
        peer_(std::move(peer)) {}

  absl::StatusOr<outbox::FeedPage> List(const outbox::FeedPosition& from, int max_events,
                                        int64_t max_bytes) override {
    SLA_ASSIGN_OR_RETURN(const std::string token, token_.Get());
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Request req;
    req.set_after(from.sequence);
    req.set_epoch(from.epoch);
    req.set_after_digest(from.digest);
    req.set_page_size(max_events);
    req.set_max_bytes(max_bytes);
    Response resp;
    const grpc::Status s = stub_->ListEvents(&ctx, req, &resp);
    if (!s.ok()) {
      const std::string what = absl::StrCat(peer_, " ListEvents: ", s.error_message());
      // The producer answers FAILED_PRECONDITION only for a position it no longer holds.
      if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) return StreamRewound(what);
      if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
        return absl::ResourceExhaustedError(what);
      return absl::UnavailableError(what);
    }
    outbox::FeedPage page;
    page.epoch = resp.epoch();
    page.last_sequence = resp.last_sequence();
    page.events.reserve(resp.events_size());
    for (const auto& e : resp.events()) {
      page.events.push_back({e.sequence(), e.epoch(), e.type(), e.subject(),
                             e.event_time().seconds(), e.customer(), e.payload_json()});
    }
    return page;
  }

 private:
  std::unique_ptr<typename Service::Stub> stub_;
  ServiceToken token_;
  const std::string peer_;
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
