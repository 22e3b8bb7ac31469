// sla.v1.EventService over a service's own outbox: the typed event stream every producing
// service serves (ticket-svc, billing-svc, reporting-svc), for the MSP's staff and systems.
//
// WatchEvents holds no server thread: each stream is a callback reactor, and one pump thread
// per service reads the next page for every stream that has sent its last one and is due (the
// sequencer numbered events since its last read, its last page was full, or 250 ms passed:
// other replicas' sequencers do not wake this one). Streams are bounded in total and per
// caller (WatchSlots, shared with the service's earlier WatchEvents) and end when the server
// drains or the caller's token expires.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/feed.h"
#include "common/outbox/sequencer.h"
#include "common/server/rpc.h"
#include "sla/v1/event_service.grpc.pb.h"

namespace sla::outbox {

class EventServiceImpl final
    : public sla::v1::EventService::WithCallbackMethod_WatchEvents<sla::v1::EventService::Service> {
 public:
  // `stream` names the service's stream ("ticket-svc"); `slots` bounds the open watches,
  // shared with the service's earlier WatchEvents. All must outlive the service.
  EventServiceImpl(const server::RpcBoundary& boundary, mysql::ConnectionPool* pool,
                   Sequencer* sequencer, std::string stream, WatchSlots* slots);
  ~EventServiceImpl() override;

  grpc::Status ListEvents(grpc::ServerContext* ctx, const sla::v1::ListEventsRequest* req,
                          sla::v1::ListEventsResponse* out) override;
  grpc::ServerWriteReactor<sla::v1::Event>* WatchEvents(
      grpc::CallbackServerContext* ctx, const sla::v1::WatchEventsRequest* req) override;

  // Open typed watches (for tests and metrics).
  int open_watches() const;

  class Watcher;

 private:
  void Pump();
  void Add(std::shared_ptr<Watcher> w);
  void Remove(const Watcher* w);
  void Wake();

  const server::RpcBoundary& boundary_;
  mysql::ConnectionPool* pool_;
  Sequencer* sequencer_;
  const std::string stream_;
  WatchSlots* slots_;

  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mu_);
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread pump_;
};

}  // namespace sla::outbox
