// gRPC handlers of sla.ticket.v1.TicketService. Every handler runs in the RpcBoundary.
// The use cases arrive with the ticket-svc issue.
#pragma once

#include "common/server/rpc.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"

namespace sla::ticket {

namespace pb = ::sla::ticket::v1;

class TicketServiceImpl final : public pb::TicketService::Service {
 public:
  explicit TicketServiceImpl(const server::RpcBoundary& boundary) : boundary_(boundary) {}

  SLA_RPC_NOT_IMPLEMENTED(CreateTicket, pb::CreateTicketRequest, pb::Ticket)
  SLA_RPC_NOT_IMPLEMENTED(GetTicket, pb::GetTicketRequest, pb::Ticket)
  SLA_RPC_NOT_IMPLEMENTED(ListTickets, pb::ListTicketsRequest, pb::ListTicketsResponse)
  SLA_RPC_NOT_IMPLEMENTED(ListEvents, pb::ListEventsRequest, pb::ListEventsResponse)

  grpc::Status WatchEvents(grpc::ServerContext* ctx, const pb::WatchEventsRequest*,
                           grpc::ServerWriter<pb::Event>*) override {
    return boundary_.Run(ctx, "WatchEvents", [](const server::CallContext&) {
      return absl::UnimplementedError("WatchEvents is not implemented yet");
    });
  }

 private:
  const server::RpcBoundary& boundary_;
};

}  // namespace sla::ticket
