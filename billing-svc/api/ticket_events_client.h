// EventSource over gRPC: ticket-svc's ListEvents, called with billing-svc's own service token.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "billing-svc/app/billing_manager.h"
#include "common/clients/service_token.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"

namespace sla::billing {

class TicketEventsClient final : public EventSource {
 public:
  // `clock` stamps the tokens (the time ticket-svc checks them against).
  TicketEventsClient(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                     std::function<absl::Time()> clock);
  absl::StatusOr<std::vector<sla::ticket::v1::Event>> List(int64_t after, int page_size) override;

 private:
  std::unique_ptr<sla::ticket::v1::TicketService::Stub> stub_;
  clients::ServiceToken token_;
};

}  // namespace sla::billing
