// Following another service's outbox: its ListEvents RPC, called with this service's own
// token. Every service's Event message has the same fields; this is their common form.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clients/service_token.h"

namespace sla::clients {

struct FeedEvent {
  int64_t sequence = 0;
  std::string type;
  std::string subject;
  int64_t event_time = 0;  // Unix seconds
  std::string customer;    // customers/{c}
  std::string payload_json;
};

class EventFeed {
 public:
  virtual ~EventFeed() = default;
  // Up to `page_size` events with sequence > `after`, in order. UNAVAILABLE when the other
  // service cannot be reached (the caller retries on its next pass).
  virtual absl::StatusOr<std::vector<FeedEvent>> List(int64_t after, int page_size) = 0;
};

// ticket-svc's and billing-svc's feeds.
std::unique_ptr<EventFeed> TicketEventFeed(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                                           std::string service_name, std::function<absl::Time()> clock);
std::unique_ptr<EventFeed> BillingEventFeed(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                                            std::string service_name, std::function<absl::Time()> clock);

}  // namespace sla::clients
