#include "billing-svc/api/ticket_events_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace sla::billing {

TicketEventsClient::TicketEventsClient(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                                       std::function<absl::Time()> clock)
    : stub_(sla::ticket::v1::TicketService::NewStub(std::move(channel))),
      token_(std::move(jwt), "billing-svc", std::move(clock)) {}

absl::StatusOr<std::vector<sla::ticket::v1::Event>> TicketEventsClient::List(int64_t after, int page_size) {
  SLA_ASSIGN_OR_RETURN(const std::string token, token_.Get());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  sla::ticket::v1::ListEventsRequest req;
  req.set_after(after);
  req.set_page_size(page_size);
  sla::ticket::v1::ListEventsResponse resp;
  const grpc::Status s = stub_->ListEvents(&ctx, req, &resp);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("ticket-svc ListEvents: ", s.error_message()));
  return std::vector<sla::ticket::v1::Event>(resp.events().begin(), resp.events().end());
}

}  // namespace sla::billing
