// sla.v1.EventService over a service's own outbox: the typed event stream every producing
// service serves (ticket-svc, billing-svc, reporting-svc), for the MSP's staff and systems.
#pragma once

#include <string>

#include "common/mysql/connection_pool.h"
#include "common/outbox/feed.h"
#include "common/outbox/sequencer.h"
#include "common/server/rpc.h"
#include "sla/v1/event_service.grpc.pb.h"

namespace sla::outbox {

class EventServiceImpl final : public sla::v1::EventService::Service {
 public:
  // `stream` names the service's stream ("ticket-svc"); `slots` bounds the open watches,
  // shared with the service's earlier WatchEvents. All must outlive the service.
  EventServiceImpl(const server::RpcBoundary& boundary, mysql::ConnectionPool* pool,
                   Sequencer* sequencer, std::string stream, WatchSlots* slots)
      : boundary_(boundary),
        pool_(pool),
        sequencer_(sequencer),
        stream_(std::move(stream)),
        slots_(slots) {}

  grpc::Status ListEvents(grpc::ServerContext* ctx, const sla::v1::ListEventsRequest* req,
                          sla::v1::ListEventsResponse* out) override;
  grpc::Status WatchEvents(grpc::ServerContext* ctx, const sla::v1::WatchEventsRequest* req,
                           grpc::ServerWriter<sla::v1::Event>* writer) override;

 private:
  const server::RpcBoundary& boundary_;
  mysql::ConnectionPool* pool_;
  Sequencer* sequencer_;
  const std::string stream_;
  WatchSlots* slots_;
};

}  // namespace sla::outbox
