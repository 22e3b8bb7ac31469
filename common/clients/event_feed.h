// Following another service's outbox over gRPC: sla.v1.EventService's ListEvents, called with
// this service's own token (outbox::Feed for outbox::Follower). A producer of the earlier
// release, which lacks it, is read through its own ListEvents (the earlier envelope, payloads
// as JSON, converted here): the position is the same on both, so a consumer upgraded before its
// producer follows it without a gap, and moves to the typed stream once the producer has it.
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
