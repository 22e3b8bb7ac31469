#include "billing-svc/api/ticket_events_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/status_macros.h"

namespace sla::billing {

TicketEventsClient::TicketEventsClient(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                                       std::function<absl::Time()> clock)
    : stub_(sla::ticket::v1::TicketService::NewStub(std::move(channel))),
      jwt_(std::move(jwt)),
      clock_(std::move(clock)) {}

absl::StatusOr<std::vector<sla::ticket::v1::Event>> TicketEventsClient::List(int64_t after, int page_size) {
  std::string token;
  {
    const absl::Time now = clock_();
    absl::MutexLock lock(&mu_);
    if (now + absl::Minutes(1) >= token_expiry_) {
      SLA_ASSIGN_OR_RETURN(token_, server::MintToken(jwt_, {"billing-svc", "", {"service"}}, now,
                                                     absl::Minutes(10)));
      token_expiry_ = now + absl::Minutes(10);
    }
    token = token_;
  }
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
