#include "common/outbox/event_service.h"

namespace sla::outbox {

grpc::Status EventServiceImpl::ListEvents(grpc::ServerContext* ctx,
                                          const sla::v1::ListEventsRequest* req,
                                          sla::v1::ListEventsResponse* out) {
  return boundary_.Run(ctx, "ListEvents", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
                         return ListPage(*pool_, stream_, *req, out);
                       });
}

grpc::Status EventServiceImpl::WatchEvents(grpc::ServerContext* ctx,
                                           const sla::v1::WatchEventsRequest* req,
                                           grpc::ServerWriter<sla::v1::Event>* writer) {
  return boundary_.Run(ctx, "WatchEvents", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
                         return Watch(
                             *pool_, *sequencer_, stream_, *req, call.identity,
                             [this] { return boundary_.Now(); }, ctx, writer,
                             boundary_.draining(), *slots_);
                       });
}

}  // namespace sla::outbox
