// ticket-svc's event stream into billing-svc's fact tables: the follower (cursor and dead
// letters in the shared consumer tables) with a handler that writes breaches and outages and
// marks the closed periods they concern stale, in the follower's transaction.
#pragma once

#include <functional>
#include <memory>

#include "billing-svc/app/ticket_facts.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/follower.h"

namespace sla::billing::storage {

class FollowedTicketFacts final : public TicketFacts {
 public:
  // `pool` and `events` must outlive it.
  FollowedTicketFacts(mysql::ConnectionPool* pool, outbox::Feed* events,
                      std::function<absl::Time()> clock);
  ~FollowedTicketFacts() override;

  absl::StatusOr<int> ApplyAvailable() override;
  absl::StatusOr<FactsPosition> Current() override;
  absl::StatusOr<FactsPosition> CatchUp(const std::string& epoch, int64_t sequence,
                                        absl::Duration max_wait) override;

  // For the operator's actions (EventConsumerService).
  outbox::Follower& follower() { return *follower_; }

 private:
  std::unique_ptr<outbox::Handler> handler_;
  std::unique_ptr<outbox::Follower> follower_;
};

}  // namespace sla::billing::storage
