// sla.v1.EventConsumerService for a service that follows event streams: where each of its
// consumers stands, the events they set aside, and the operator's two actions (reset a
// stopped consumer, replay a set-aside event). msp_admin only.
#pragma once

#include <map>
#include <string>

#include "common/mysql/connection_pool.h"
#include "common/outbox/follower.h"
#include "common/server/rpc.h"
#include "sla/v1/event_consumer_service.grpc.pb.h"

namespace sla::outbox {

class EventConsumerServiceImpl final : public sla::v1::EventConsumerService::Service {
 public:
  // `followers` by source; all must outlive the service.
  EventConsumerServiceImpl(const server::RpcBoundary& boundary, mysql::ConnectionPool* pool,
                           std::map<std::string, Follower*> followers)
      : boundary_(boundary), pool_(pool), followers_(std::move(followers)) {}

  grpc::Status ListConsumerCursors(grpc::ServerContext* ctx,
                                   const sla::v1::ListConsumerCursorsRequest* req,
                                   sla::v1::ListConsumerCursorsResponse* out) override;
  grpc::Status ResetConsumerCursor(grpc::ServerContext* ctx,
                                   const sla::v1::ResetConsumerCursorRequest* req,
                                   sla::v1::ConsumerCursor* out) override;
  grpc::Status ListDeadLetters(grpc::ServerContext* ctx, const sla::v1::ListDeadLettersRequest* req,
                               sla::v1::ListDeadLettersResponse* out) override;
  grpc::Status ReplayDeadLetter(grpc::ServerContext* ctx,
                                const sla::v1::ReplayDeadLetterRequest* req,
                                sla::v1::DeadLetter* out) override;

 private:
  absl::StatusOr<Follower*> Find(const std::string& source) const;

  const server::RpcBoundary& boundary_;
  mysql::ConnectionPool* pool_;
  const std::map<std::string, Follower*> followers_;
};

}  // namespace sla::outbox
