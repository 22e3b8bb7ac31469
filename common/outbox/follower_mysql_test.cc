// The one event consumer against real databases: a producer's outbox served by the same
// ListPage the services use, and a consumer database with the shared consumer tables.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "common/outbox/feed.h"
#include "common/outbox/follower.h"
#include "common/outbox/outbox.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/test_util/mariadb_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/ticket/v1/ticket_service.pb.h"

namespace sla::outbox::test {
const std::vector<mysql::Migration>& Migrations();  // generated: producer and consumer tables
}  // namespace sla::outbox::test

namespace sla::outbox {
namespace {

using ::testing::HasSubstr;
namespace tpb = ::sla::ticket::v1;

absl::Status Exec(mysql::ConnectionPool& pool, const std::string& sql) {
  return mysql::WithConnection(pool,
                               [&](mysql::Connection& c) { return c.ExecuteUnprepared(sql); });
}

// The producer's ListEvents, in process: ListPage on its database, the response sized as gRPC
// would receive it. `receive_limit` plays the client's 4 MiB limit; `honour_max_bytes` false
// plays a producer from before pages were bounded in bytes.
class LocalFeed final : public Feed {
 public:
  explicit LocalFeed(mysql::ConnectionPool* producer) : producer_(producer) {}
  absl::StatusOr<FeedPage> List(const FeedPosition& from, int max_events,
                                int64_t max_bytes) override {
    ++calls;
    sla::v1::ListEventsRequest req;
    req.set_after(from.sequence);
    req.set_epoch(from.epoch);
    req.set_after_digest(from.digest);
    req.set_page_size(max_events);
    req.set_max_bytes(honour_max_bytes ? max_bytes : kMaxPageBytes);
    sla::v1::ListEventsResponse resp;
    if (honour_max_bytes) {
      SLA_RETURN_IF_ERROR(ListPage(*producer_, "ticket-svc", req, &resp));
    } else {
      // All `max_events`, however large.
      SLA_RETURN_IF_ERROR(
          mysql::WithConnection(*producer_, [&](mysql::Connection& c) -> absl::Status {
            SLA_ASSIGN_OR_RETURN(const Head head, ReadHead(c));
            SLA_ASSIGN_OR_RETURN(auto events,
                                 outbox::List(c, from.sequence, max_events, int64_t{1} << 40));
            resp.set_epoch(head.epoch);
            resp.set_last_sequence(head.last_seq);
            for (const Stored& e : events) ToEvent(e, "ticket-svc", head.epoch, resp.add_events());
            return absl::OkStatus();
          }));
    }
    if (legacy) {  // a producer from before epochs: no epoch, no end
      resp.clear_epoch();
      resp.clear_last_sequence();
      for (auto& e : *resp.mutable_events()) e.clear_epoch();
    }
    const int64_t size = static_cast<int64_t>(resp.ByteSizeLong());
    if (size > receive_limit)
      return absl::ResourceExhaustedError(absl::StrCat("received ", size, " bytes"));
    largest_page = std::max(largest_page, size);
    FeedPage page{resp.epoch(), resp.last_sequence(), {}};
    for (const auto& e : resp.events()) {
      page.events.push_back({e.sequence(), e.epoch(), e.type(), e.subject(),
                             e.event_time().seconds(), e.customer(), e.payload()});
    }
    return page;
  }

  int64_t receive_limit = int64_t{4} << 20;
  bool honour_max_bytes = true;
  bool legacy = false;
  int64_t largest_page = 0;
  std::atomic<int> calls{0};

 private:
  mysql::ConnectionPool* producer_;
};

// Applies an event as one row of `applied` (no key on it: a second apply shows as a duplicate).
// Subjects in `broken` fail permanently in Apply, after writing, until repaired; `on_apply`
// runs before each apply.
class RecordingHandler final : public Handler {
 public:
  absl::Status Prepare(const FeedEvent& e, std::any* state) override {
    SLA_RETURN_IF_ERROR(RequirePayload(e.type, e.payload));
    if (e.payload.ticket().ticket() != e.subject) {
      return absl::InvalidArgumentError("the payload names another ticket");
    }
    *state = e.subject;
    return absl::OkStatus();
  }
  absl::Status Apply(mysql::Connection& c, const FeedEvent& e, const std::any& state) override {
    if (on_apply) on_apply(e);
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                         c.Prepare("INSERT INTO applied (seq, subject) VALUES (?, ?)"));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      st->setInt64(1, e.sequence);
      st->setString(2, std::any_cast<const std::string&>(state));
      st->executeUpdate();
    }));
    if (broken.count(e.subject) > 0)
      return absl::NotFoundError(absl::StrCat("`", e.subject, "` not found"));
    return absl::OkStatus();
  }
  std::set<std::string> broken;
  std::function<void(const FeedEvent&)> on_apply;
};

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto producer = sla::test::CreateMigratedDatabase("prod", test::Migrations());
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);
    auto consumer = sla::test::CreateMigratedDatabase("cons", test::Migrations());
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    consumer_ = *std::move(consumer);
    ASSERT_TRUE(
        Exec(*consumer_.pool,
             "CREATE TABLE applied (id BIGINT AUTO_INCREMENT PRIMARY KEY, seq BIGINT NOT NULL, "
             "subject VARCHAR(512) NOT NULL)")
            .ok());
    feed_ = std::make_unique<LocalFeed>(producer_.pool.get());
  }

  // `n` events on the producer, numbered; each payload's title `payload_bytes` long.
  void Produce(int n, const std::string& prefix = "t", size_t payload_bytes = 10) {
    std::vector<Row> rows;
    for (int i = 0; i < n; ++i) {
      const std::string ticket = absl::StrCat("customers/acme/tickets/", prefix, i);
      Row& r = rows.emplace_back(Row{"ticket.opened", ticket, "acme", 1'800'000'000 + i, {}});
      r.payload.mutable_ticket()->set_ticket(ticket);
      r.payload.mutable_ticket()->set_title(std::string(payload_bytes, 'x'));
    }
    ASSERT_TRUE(mysql::RunInTransaction(*producer_.pool, [&](mysql::Connection& c) {
                  return Insert(c, rows);
                }).ok());
    Sequencer seq(producer_.pool.get());
    ASSERT_TRUE(seq.RunOnce().ok());
  }

  std::unique_ptr<Follower> NewFollower(mysql::ConnectionPool* pool, Handler* h,
                                        Feed* feed = nullptr) {
    FollowerOptions o;
    o.source = "ticket-svc";
    return std::make_unique<Follower>(pool, feed != nullptr ? feed : feed_.get(), h, o);
  }

  int64_t Applied() {
    return sla::test::QueryInt64(*consumer_.pool, "SELECT COUNT(*) FROM applied");
  }
  int64_t DistinctApplied() {
    return sla::test::QueryInt64(*consumer_.pool, "SELECT COUNT(DISTINCT seq) FROM applied");
  }
  int64_t CursorSeq() {
    return sla::test::QueryInt64(
        *consumer_.pool, "SELECT last_seq FROM consumer_cursor WHERE source = 'ticket-svc'");
  }

  sla::test::MigratedDatabase producer_;
  sla::test::MigratedDatabase consumer_;
  std::unique_ptr<LocalFeed> feed_;
};

TEST_F(FollowerTest, TwoFreshReplicasApplyTheFirstBatchOnce) {
  Produce(300);
  auto second_pool = mysql::ConnectionPool::Create(consumer_.db->options());
  ASSERT_TRUE(second_pool.ok());
  // Each replica holds its transaction open a while, so both read the page before either
  // commits: without the seeded cursor row, neither FOR UPDATE would lock anything.
  RecordingHandler a, b;
  a.on_apply = b.on_apply = [](const FeedEvent& e) {
    if (e.sequence == 1) absl::SleepFor(absl::Milliseconds(300));
  };
  auto first = NewFollower(consumer_.pool.get(), &a);
  auto second = NewFollower(second_pool->get(), &b);
  absl::Barrier* start = new absl::Barrier(2);
  std::atomic<int> taken{0};
  auto run = [&](Follower* f) {
    if (start->Block()) delete start;
    absl::StatusOr<int> n = f->RunOnce();
    ASSERT_TRUE(n.ok()) << n.status();
    taken += *n;
  };
  std::thread t1(run, first.get()), t2(run, second.get());
  t1.join();
  t2.join();
  EXPECT_EQ(taken.load(), 300);
  EXPECT_EQ(Applied(), 300);
  EXPECT_EQ(DistinctApplied(), 300);
  EXPECT_EQ(CursorSeq(), 300);
}

TEST_F(FollowerTest, AStreamOfEventsLargerThanTheReceiveLimitIsConsumedInPagesBoundedInBytes) {
  // 40 events of 300 kB: 12 MB, three times what a client receives in one message.
  Produce(40, "big", 300'000);
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  absl::StatusOr<int> n = f->RunOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 40);
  EXPECT_EQ(DistinctApplied(), 40);
  EXPECT_LE(feed_->largest_page, (int64_t{1} << 20) + 400'000);  // about the 1 MiB asked for
  EXPECT_GE(feed_->calls.load(), 12);
}

TEST_F(FollowerTest, APageTooLargeToReceiveFromAnOlderProducerIsAskedForAgainSmaller) {
  Produce(40, "big", 300'000);
  feed_->honour_max_bytes = false;
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  absl::StatusOr<int> n = f->RunOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 40);
  EXPECT_EQ(DistinctApplied(), 40);
  EXPECT_LE(feed_->largest_page, feed_->receive_limit);
}

TEST_F(FollowerTest, AnEpochChangeStopsTheConsumerUntilAnOperatorResetsIt) {
  Produce(10);
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  ASSERT_EQ(*f->RunOnce(), 10);
  // The producer's database is restored from a backup and given a new epoch, as the runbook
  // says; it then numbers new events from where the backup ended.
  ASSERT_TRUE(Exec(*producer_.pool, "DELETE FROM outbox WHERE seq > 6").ok());
  ASSERT_TRUE(
      Exec(*producer_.pool, "UPDATE outbox_sequence SET last_seq = 6, epoch = 'restored0001'")
          .ok());
  Produce(8, "after");
  absl::StatusOr<int> stopped = f->RunOnce();
  ASSERT_EQ(stopped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stopped.status().message(), HasSubstr("restored0001"));
  EXPECT_EQ(CursorSeq(), 10);
  EXPECT_EQ(Applied(), 10);
  // Stopped is remembered: the next pass does not even ask the producer.
  const int calls = feed_->calls.load();
  EXPECT_EQ(f->RunOnce().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(feed_->calls.load(), calls);
  auto cursors = ListCursors(*consumer_.pool);
  ASSERT_TRUE(cursors.ok() && cursors->size() == 1);
  EXPECT_THAT((*cursors)[0].stopped_reason, HasSubstr("epoch"));

  // A reset must name the producer's current epoch and a position it holds.
  EXPECT_EQ(f->Reset("someother", 6, "restored from backup", "ops").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Reset("restored0001", 99, "restored from backup", "ops").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Reset("restored0001", 6, "", "ops").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto reset =
      f->Reset("restored0001", 6, "restored from backup; 7..10 were re-applied by hand", "ops");
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_EQ(reset->stopped_reason, "");
  absl::StatusOr<int> resumed = f->RunOnce();
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(*resumed, 8);
  EXPECT_EQ(sla::test::QueryInt64(*consumer_.pool,
                                  "SELECT COUNT(*) FROM applied WHERE subject LIKE '%after%'"),
            8);
}

TEST_F(FollowerTest, AStreamRewoundWithoutANewEpochIsRefusedNotSkipped) {
  Produce(20);
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  ASSERT_EQ(*f->RunOnce(), 20);
  // Failed over to a replica that had only 12 events, epoch unchanged; it has since numbered
  // 15 new ones, so 13..20 exist again but are other events.
  ASSERT_TRUE(Exec(*producer_.pool, "DELETE FROM outbox WHERE seq > 12").ok());
  ASSERT_TRUE(Exec(*producer_.pool, "UPDATE outbox_sequence SET last_seq = 12").ok());
  Produce(15, "replica");
  absl::StatusOr<int> n = f->RunOnce();
  ASSERT_EQ(n.status().code(), absl::StatusCode::kFailedPrecondition) << n.status();
  EXPECT_THAT(n.status().message(), HasSubstr("another one"));
  EXPECT_EQ(Applied(), 20);  // 21..27 were not taken as if 13..20 had been seen
}

TEST_F(FollowerTest, AStreamThatEndsBeforeThePositionStopsTheConsumer) {
  Produce(20);
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  ASSERT_EQ(*f->RunOnce(), 20);
  ASSERT_TRUE(Exec(*producer_.pool, "DELETE FROM outbox WHERE seq > 12").ok());
  ASSERT_TRUE(Exec(*producer_.pool, "UPDATE outbox_sequence SET last_seq = 12").ok());
  absl::StatusOr<int> n = f->RunOnce();
  ASSERT_EQ(n.status().code(), absl::StatusCode::kFailedPrecondition) << n.status();
  EXPECT_THAT(n.status().message(), HasSubstr("ends at 12"));
}

TEST_F(FollowerTest, AConsumerUpgradedBeforeItsProducerKeepsFollowingIt) {
  Produce(5);
  feed_->legacy = true;
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  ASSERT_EQ(*f->RunOnce(), 5);
  Produce(3, "more");
  absl::StatusOr<int> n = f->RunOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3);
  // Once the producer is upgraded too, the consumer adopts its epoch and keeps its position.
  feed_->legacy = false;
  Produce(2, "later");
  n = f->RunOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(DistinctApplied(), 10);
}

TEST_F(FollowerTest, AnEventThatFailsInApplyIsSetAsideWithItsWritesUndoneAndReplayedOnceRepaired) {
  Produce(5);
  RecordingHandler h;
  h.broken = {"customers/acme/tickets/t2"};
  auto f = NewFollower(consumer_.pool.get(), &h);
  ASSERT_EQ(*f->RunOnce(), 5);
  EXPECT_EQ(Applied(), 4);  // t2's row was rolled back with it
  EXPECT_EQ(sla::test::QueryInt64(*consumer_.pool, "SELECT COUNT(*) FROM applied WHERE seq = 3"),
            0);
  auto dead = ListDeadLetters(*consumer_.pool, "dead", 10);
  ASSERT_TRUE(dead.ok() && dead->size() == 1);
  const DeadLetterRow d = (*dead)[0];
  EXPECT_EQ(d.sequence, 3);
  EXPECT_THAT(d.reason, HasSubstr("NOT_FOUND"));
  EXPECT_FALSE(d.epoch.empty());
  // It is announced on the consumer's own stream.
  EXPECT_EQ(sla::test::QueryInt64(*consumer_.pool,
                                  "SELECT COUNT(*) FROM outbox WHERE type = 'event.dead_lettered'"),
            1);

  // Replayed before its cause is fixed: refused with the reason, counted, still set aside.
  auto early = f->Replay(d.epoch, d.sequence, "ops");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("still cannot be applied"));
  EXPECT_EQ(sla::test::QueryInt64(*consumer_.pool, "SELECT attempts FROM dead_letters"), 2);

  h.broken.clear();
  auto replayed = f->Replay(d.epoch, d.sequence, "ops");
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->state, "replayed");
  EXPECT_EQ(replayed->replayed_by, "ops");
  EXPECT_EQ(sla::test::QueryInt64(*consumer_.pool, "SELECT COUNT(*) FROM applied WHERE seq = 3"),
            1);
  EXPECT_EQ(f->Replay(d.epoch, d.sequence, "ops").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Replay(d.epoch, 99, "ops").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(ListDeadLetters(*consumer_.pool, "dead", 10)->empty());
}

TEST_F(FollowerTest, AnUnreadableEventIsSetAsideAndTheRestApplied) {
  Produce(3);
  // A row of an earlier release whose JSON does not parse.
  ASSERT_TRUE(Exec(*producer_.pool,
                   "UPDATE outbox SET payload_proto = NULL, payload = '{not json' WHERE seq = 2")
                  .ok());
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  ASSERT_EQ(*f->RunOnce(), 3);
  EXPECT_EQ(Applied(), 2);
  auto dead = ListDeadLetters(*consumer_.pool, "", 10);
  ASSERT_TRUE(dead.ok() && dead->size() == 1);
  EXPECT_THAT((*dead)[0].reason, HasSubstr("carries no readable payload"));
}

TEST_F(FollowerTest, RowsOfTheEarlierReleaseAreReadTypedAndTheirJsonServedAsStored) {
  Produce(2);
  // What the earlier release wrote: JSON only, with a number as a string and a field this
  // release does not know.
  const std::string json =
      R"({"ticket":"customers/acme/tickets/t1","priority":"PRIORITY_P1","cycle":"2",)"
      R"("open_time":"2026-12-07T02:00:00Z","retired_field":true})";
  ASSERT_TRUE(
      Exec(*producer_.pool, absl::StrCat("UPDATE outbox SET payload_proto = NULL, payload = '",
                                         json, "' WHERE seq = 2"))
          .ok());
  std::vector<FeedEvent> seen;
  RecordingHandler h;
  h.on_apply = [&](const FeedEvent& e) { seen.push_back(e); };
  auto f = NewFollower(consumer_.pool.get(), &h);
  ASSERT_EQ(*f->RunOnce(), 2);
  ASSERT_EQ(seen.size(), 2u);
  const sla::v1::TicketEventPayload& old = seen[1].payload.ticket();
  EXPECT_EQ(old.ticket(), "customers/acme/tickets/t1");
  EXPECT_EQ(old.priority(), sla::v1::PRIORITY_P1);
  EXPECT_EQ(old.cycle(), 2);
  EXPECT_EQ(old.open_time().seconds(), 1'796'608'800);

  // The earlier envelope serves the old row's JSON as stored, and the new row's rendered.
  tpb::ListEventsRequest req;
  tpb::ListEventsResponse resp;
  ASSERT_TRUE(ListPage(*producer_.pool, "ticket-svc", req, &resp).ok());
  ASSERT_EQ(resp.events_size(), 2);
  EXPECT_EQ(resp.events(1).payload_json(), json);
  EXPECT_EQ(resp.events(0).payload_json(),
            R"({"ticket":"customers/acme/tickets/t0","title":"xxxxxxxxxx"})");
}

TEST_F(FollowerTest, AnEventOfTheWrongFamilyIsNeverWritten) {
  Row wrong{"clock.breached", "customers/acme/tickets/t0", "acme", 1'800'000'000, {}};
  wrong.payload.mutable_credit()->set_contract("customers/acme/contracts/main");
  const absl::Status s = mysql::RunInTransaction(*producer_.pool, [&](mysql::Connection& c) {
    return Insert(c, {&wrong, 1});
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_EQ(sla::test::QueryInt64(*producer_.pool, "SELECT COUNT(*) FROM outbox"), 0);
  EXPECT_EQ(NumberedInsertStatements({&wrong}).status().code(), absl::StatusCode::kInternal);
}

TEST_F(FollowerTest, AConsumerKilledMidBatchResumesExactly) {
  Produce(200);
  const mysql::ConnectionOptions consumer_options = consumer_.db->options();
  const mysql::ConnectionOptions producer_options = producer_.db->options();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // A process of its own, with its own connections: killed halfway through applying the
    // first page, its transaction dies with its connection.
    auto consumer = mysql::ConnectionPool::Create(consumer_options);
    auto producer = mysql::ConnectionPool::Create(producer_options);
    if (!consumer.ok() || !producer.ok()) _exit(3);
    LocalFeed feed(producer->get());
    RecordingHandler h;
    h.on_apply = [](const FeedEvent& e) {
      if (e.sequence == 120) raise(SIGKILL);
    };
    FollowerOptions o;
    o.source = "ticket-svc";
    Follower f(consumer->get(), &feed, &h, o);
    (void)f.RunOnce();
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  RecordingHandler h;
  auto f = NewFollower(consumer_.pool.get(), &h);
  absl::StatusOr<int> n = f->RunOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 200);
  EXPECT_EQ(Applied(), 200);
  EXPECT_EQ(DistinctApplied(), 200);
  EXPECT_EQ(CursorSeq(), 200);
}

}  // namespace
}  // namespace sla::outbox
