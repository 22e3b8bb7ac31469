#include "common/clients/event_feed.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sla/billing/v1/billing_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"

namespace sla::clients {
namespace {

template <typename Service, typename Request, typename Response>
class GrpcEventFeed final : public EventFeed {
 public:
  GrpcEventFeed(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt, std::string service_name,
                std::function<absl::Time()> clock, std::string peer)
      : stub_(Service::NewStub(std::move(channel))),
        token_(std::move(jwt), std::move(service_name), std::move(clock)),
        peer_(std::move(peer)) {}

  absl::StatusOr<std::vector<FeedEvent>> List(int64_t after, int page_size) override {
    SLA_ASSIGN_OR_RETURN(const std::string token, token_.Get());
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Request req;
    req.set_after(after);
    req.set_page_size(page_size);
    Response resp;
    const grpc::Status s = stub_->ListEvents(&ctx, req, &resp);
    if (!s.ok()) return absl::UnavailableError(absl::StrCat(peer_, " ListEvents: ", s.error_message()));
    std::vector<FeedEvent> out;
    out.reserve(resp.events_size());
    for (const auto& e : resp.events()) {
      out.push_back({e.sequence(), e.type(), e.subject(), e.event_time().seconds(), e.customer(),
                     e.payload_json()});
    }
    return out;
  }

 private:
  std::unique_ptr<typename Service::Stub> stub_;
  ServiceToken token_;
  const std::string peer_;
};

}  // namespace

std::unique_ptr<EventFeed> TicketEventFeed(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                                           std::string service_name, std::function<absl::Time()> clock) {
  namespace t = sla::ticket::v1;
  return std::make_unique<GrpcEventFeed<t::TicketService, t::ListEventsRequest, t::ListEventsResponse>>(
      std::move(channel), std::move(jwt), std::move(service_name), std::move(clock), "ticket-svc");
}

std::unique_ptr<EventFeed> BillingEventFeed(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                                            std::string service_name, std::function<absl::Time()> clock) {
  namespace b = sla::billing::v1;
  return std::make_unique<GrpcEventFeed<b::BillingService, b::ListEventsRequest, b::ListEventsResponse>>(
      std::move(channel), std::move(jwt), std::move(service_name), std::move(clock), "billing-svc");
}

}  // namespace sla::clients
