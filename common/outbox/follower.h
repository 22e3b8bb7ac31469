// Following another service's event stream: the one consumer every service uses.
//
// A pass reads pages after the consumer's position and applies each page in one transaction
// together with the new position, so a crash (even mid-batch) replays nothing twice and loses
// nothing. The position is a cursor row (source, epoch, sequence, digest), seeded on first
// use and locked FOR UPDATE by the applying transaction, so replicas that follow the same
// stream serialise and never apply an event twice.
//
//   feed (ListEvents over gRPC)        Prepare (outside any transaction:      Apply (in the page's
//   → bounded page: count and bytes →   parse, look up over the network) →    transaction, cursor
//                                                                             locked) → cursor
//
// An event that cannot be applied (a permanent error from Prepare or Apply) is set aside in
// `dead_letters` with its reason and the consumer moves on; an operator replays it once its
// cause is fixed. A transient error ends the pass before the position moves. A stream whose
// epoch changed, or that no longer holds the consumer's position (restored, failed over),
// stops the consumer with FAILED_PRECONDITION until an operator resets it: it never skips.
#pragma once

#include <any>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/permanent.h"
#include "sla/v1/events.pb.h"

namespace sla::outbox {

// An event as a consumer receives it.
struct FeedEvent {
  int64_t sequence = 0;
  std::string epoch;
  std::string type;
  std::string subject;
  int64_t event_time = 0;  // Unix seconds
  std::string customer;    // customers/{c}
  // Empty (no case set) when the producer's row could not be read as its type's family:
  // the handler refuses it and it is set aside.
  sla::v1::EventPayload payload;
};

// The digest of `e` as its producer computes it (outbox.h Digest).
std::string DigestOf(const FeedEvent& e);

struct FeedPosition {
  std::string epoch;  // "" before the first read
  int64_t sequence = 0;
  std::string digest;  // of the event at `sequence`; "" when unknown
};

struct FeedPage {
  std::string epoch;
  int64_t last_sequence = 0;
  std::vector<FeedEvent> events;
};

class Feed {
 public:
  virtual ~Feed() = default;
  // Events after `from`, at most `max_events` and about `max_bytes`. FAILED_PRECONDITION
  // (IsStreamRewound) when the producer no longer holds `from`; RESOURCE_EXHAUSTED when the
  // page was too large to receive; UNAVAILABLE when the producer cannot be reached.
  virtual absl::StatusOr<FeedPage> List(const FeedPosition& from, int max_events,
                                        int64_t max_bytes) = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Outside any transaction, before the event's page applies: parse it and look up what needs
  // the network, into `state`. A permanent error (INVALID_ARGUMENT, NOT_FOUND,
  // FAILED_PRECONDITION, OUT_OF_RANGE, DATA_LOSS) sets the event aside; any other ends the pass.
  virtual absl::Status Prepare(const FeedEvent& e, std::any* state) = 0;
  // In the page's transaction, with the cursor row locked. A permanent error sets the event
  // aside (its other effects in this transaction are undone); any other ends the pass.
  virtual absl::Status Apply(mysql::Connection& c, const FeedEvent& e, const std::any& state) = 0;
};

struct FollowerOptions {
  // The followed stream's name in this service's tables ("ticket-svc").
  std::string source;
  int max_events = 500;
  int64_t max_bytes = int64_t{1} << 20;
  // Whether a set-aside event is also announced on this service's own stream
  // (`event.dead_lettered`), for operators who follow it.
  bool announce_dead_letters = true;
  std::function<absl::Time()> clock = absl::Now;
};

// A cursor as operators see it.
struct CursorState {
  std::string source;
  std::string epoch;
  int64_t sequence = 0;
  std::string digest;
  int64_t last_event_time = 0;
  int64_t applied_time = 0;
  std::string stopped_reason;
};

struct DeadLetterRow {
  std::string source;
  std::string epoch;
  int64_t sequence = 0;
  std::string type;
  std::string subject;
  std::string customer_id;
  int64_t event_time = 0;
  std::string reason;
  sla::v1::EventPayload payload;
  std::string state;  // "dead" or "replayed"
  int attempts = 0;
  int64_t dead_at = 0;
  int64_t replayed_at = 0;
  std::string replayed_by;
};

class Follower {
 public:
  // `pool`, `feed` and `handler` must outlive the follower.
  Follower(mysql::ConnectionPool* pool, Feed* feed, Handler* handler, FollowerOptions options);

  // Applies every event available now; returns how many were taken (applied or set aside).
  // FAILED_PRECONDITION while stopped (see CursorState::stopped_reason).
  absl::StatusOr<int> RunOnce();

  // Operator actions (EventConsumerService). Reset moves a consumer onto the producer's
  // current history after `sequence` and clears the stop; `epoch` must be the producer's.
  absl::StatusOr<CursorState> Reset(const std::string& epoch, int64_t sequence,
                                    const std::string& reason, const std::string& who);
  // Applies a set-aside event again; FAILED_PRECONDITION with the new reason if it still
  // cannot be applied (it stays set aside, its attempts counted).
  absl::StatusOr<DeadLetterRow> Replay(const std::string& epoch, int64_t sequence,
                                       const std::string& who);

  // The cursor now.
  absl::StatusOr<CursorState> Current();
  // Applies events until the cursor reaches `sequence` of `epoch`, for at most `max_wait`
  // (read-your-writes). UNAVAILABLE if it has not by then; FAILED_PRECONDITION if `epoch` is
  // not the history the consumer follows.
  absl::StatusOr<CursorState> CatchUp(const std::string& epoch, int64_t sequence,
                                      absl::Duration max_wait);

  const std::string& source() const { return options_.source; }

 private:
  absl::StatusOr<int> ApplyPage(const FeedPosition& read_at, const FeedPage& page);
  absl::Status Stop(const std::string& reason);
  absl::Status SetAside(mysql::Connection& c, const FeedEvent& e, const absl::Status& why,
                        int64_t now);

  mysql::ConnectionPool* pool_;
  Feed* feed_;
  Handler* handler_;
  const FollowerOptions options_;
  std::atomic<int> max_events_;  // lowered while pages come back too large to receive
};

// The cursor rows and set-aside events of this service (every source).
absl::StatusOr<std::vector<CursorState>> ListCursors(mysql::ConnectionPool& pool);
// `state`: "dead", "replayed" or "" for all.
absl::StatusOr<std::vector<DeadLetterRow>> ListDeadLetters(mysql::ConnectionPool& pool,
                                                           const std::string& state, int limit);

}  // namespace sla::outbox
