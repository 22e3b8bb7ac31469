// Following another service's outbox over gRPC: its ListEvents RPC, called with this service's
// own token (outbox::Feed for outbox::Follower). Every service's ListEvents has the same
// fields; this is their one client.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "common/clients/service_token.h"
#include "common/outbox/follower.h"

namespace sla::clients {

// The channel arguments for a channel that follows event streams: pages are bounded to 3 MiB
// by producers, but one event may be larger (a payload is up to 16 MiB), and a stream that
// cannot receive it would stall.
grpc::ChannelArguments FeedChannelArguments();

// ticket-svc's and billing-svc's streams.
std::unique_ptr<outbox::Feed> TicketEventFeed(std::shared_ptr<grpc::Channel> channel,
                                              server::JwtConfig jwt, std::string service_name,
                                              std::function<absl::Time()> clock);
std::unique_ptr<outbox::Feed> BillingEventFeed(std::shared_ptr<grpc::Channel> channel,
                                               server::JwtConfig jwt, std::string service_name,
                                               std::function<absl::Time()> clock);

}  // namespace sla::clients
