#include "billing-svc/storage/ticket_facts.h"

#include <any>
#include <limits>
#include <optional>

#include "billing-svc/storage/billing_store.h"
#include "common/api/resource_name.h"
#include "common/outbox/payload.h"
#include "common/status/status_macros.h"

namespace sla::billing::storage {
namespace {

constexpr char kTicketSource[] = "ticket-svc";

// Marks the closed periods of `k` overlapping [from, until) stale; until 0 is open-ended.
absl::Status Touch(mysql::Connection& c, const ContractKey& k, int64_t from, int64_t until) {
  return MarkStale(c, k, from, until == 0 ? std::numeric_limits<int64_t>::max() : until);
}

absl::StatusOr<ContractKey> KeyOf(const std::string& contract) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(contract, "contracts", "payload.contract"));
  return ContractKey{k.first, k.second};
}

// ticket-svc's events become facts: breaches and outages. The follower's transaction holds the
// cursor's lock, which also keeps closes out while a page applies (LockFactsShared).
class TicketEventHandler final : public outbox::Handler {
 public:
  absl::Status Prepare(const outbox::FeedEvent& e, std::any* state) override {
    if (e.type == "clock.breached") {
      SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
      SLA_RETURN_IF_ERROR(KeyOf(e.payload.ticket().contract()).status());
      *state = e.payload.ticket();
    } else if (e.type == "outage.opened" || e.type == "outage.closed") {
      SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
      SLA_RETURN_IF_ERROR(KeyOf(e.payload.outage().contract()).status());
      *state = e.payload.outage();
    }
    return absl::OkStatus();
  }

  absl::Status Apply(mysql::Connection& c, const outbox::FeedEvent&,
                     const std::any& state) override {
    if (const auto* p = std::any_cast<sla::v1::TicketEventPayload>(&state)) {
      SLA_ASSIGN_OR_RETURN(const ContractKey key, KeyOf(p->contract()));
      const int64_t t = p->breach_time().seconds();
      SLA_RETURN_IF_ERROR(
          InsertBreach(c, key, {p->ticket(), p->clock(), p->priority(), t}, p->cycle()));
      // A breach in a period already closed: late data, a delta is due.
      return Touch(c, key, t, t + 1);
    }
    if (const auto* p = std::any_cast<sla::v1::OutageEventPayload>(&state)) {
      SLA_ASSIGN_OR_RETURN(const ContractKey key, KeyOf(p->contract()));
      const core::OutageFact now{p->outage(),
                                 p->service_id(),
                                 p->start_time().seconds(),
                                 p->has_end_time() ? p->end_time().seconds() : 0,
                                 p->planned(),
                                 p->exclusion_id()};
      SLA_ASSIGN_OR_RETURN(std::optional<core::OutageFact> before, UpsertOutage(c, key, now));
      // Closed periods the outage covered before or covers now see a change.
      SLA_RETURN_IF_ERROR(Touch(c, key, now.start, now.end));
      if (before) SLA_RETURN_IF_ERROR(Touch(c, key, before->start, before->end));
    }
    return absl::OkStatus();
  }
};

FactsPosition PositionOf(const outbox::CursorState& s) {
  return {s.epoch, s.sequence, s.last_event_time};
}

}  // namespace

FollowedTicketFacts::FollowedTicketFacts(mysql::ConnectionPool* pool, outbox::Feed* events,
                                         std::function<absl::Time()> clock)
    : handler_(std::make_unique<TicketEventHandler>()) {
  outbox::FollowerOptions follow;
  follow.source = kTicketSource;
  follow.clock = std::move(clock);
  follower_ = std::make_unique<outbox::Follower>(pool, events, handler_.get(), follow);
}

FollowedTicketFacts::~FollowedTicketFacts() = default;

absl::StatusOr<int> FollowedTicketFacts::ApplyAvailable() { return follower_->RunOnce(); }

absl::StatusOr<FactsPosition> FollowedTicketFacts::Current() {
  SLA_ASSIGN_OR_RETURN(const outbox::CursorState s, follower_->Current());
  return PositionOf(s);
}

absl::StatusOr<FactsPosition> FollowedTicketFacts::CatchUp(const std::string& epoch,
                                                           int64_t sequence,
                                                           absl::Duration max_wait) {
  SLA_ASSIGN_OR_RETURN(const outbox::CursorState s, follower_->CatchUp(epoch, sequence, max_wait));
  return PositionOf(s);
}

}  // namespace sla::billing::storage
