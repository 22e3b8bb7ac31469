// The escalation worker and the outbox on MariaDB: two workers side by side fire each level
// and breach exactly once, at its own instant, and a restarted worker neither repeats nor
// loses one; a consumer following WatchEvents sees every event once, in order, without gaps,
// while writers commit out of order and two sequencers run at once.
#include <random>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "sla/v1/event_service.grpc.pb.h"
#include "tests/harness/ticket_api_fixture.h"
#include "ticket-svc/storage/ticket_store.h"

namespace sla::ticket {
namespace {

class WorkerTest : public TicketApiTest {
 protected:
  void SetUp() override {
    TicketApiTest::SetUp();
    if (HasFatalFailure()) return;
    acme_ = NewTenant("Acme");
  }

  // A second replica: its own pool, terms cache and worker on the same database.
  struct Replica {
    std::unique_ptr<mysql::ConnectionPool> pool;
    std::unique_ptr<storage::MysqlTicketRepository> repo;
    std::unique_ptr<TermsSource> source;
    std::unique_ptr<TermsCache> terms;
    std::unique_ptr<EscalationWorker> worker;
    std::unique_ptr<outbox::Sequencer> sequencer;
  };
  Replica NewReplica(int batch) {
    Replica r;
    r.pool = *mysql::ConnectionPool::Create(ticket_db_options());
    r.repo = std::make_unique<storage::MysqlTicketRepository>(r.pool.get());
    r.source = NewTermsSource();
    r.terms =
        std::make_unique<TermsCache>(r.source.get(), r.repo.get(), [this] { return clock_.Now(); });
    r.worker = std::make_unique<EscalationWorker>(
        r.repo.get(), r.terms.get(),
        EscalationWorkerOptions{[this] { return clock_.Now(); }, batch});
    r.sequencer = std::make_unique<outbox::Sequencer>(r.pool.get(), 7);
    return r;
  }

  int64_t CountWhere(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(mysql::RunInTransaction(*ticket_pool_, [&](mysql::Connection& c) -> absl::Status {
                  auto st = c.Prepare(sql);
                  if (!st.ok()) return st.status();
                  return mysql::Guard([&] {
                    std::unique_ptr<sql::ResultSet> rs((*st)->executeQuery());
                    if (rs->next()) n = rs->getInt64(1);
                  });
                }).ok());
    return n;
  }

  Tenant acme_;
};

TEST_F(WorkerTest, TwoWorkersFireEachLevelAndBreachOnceAtItsOwnInstant) {
  const int64_t t0 = Utc(2026, 12, 4, 10);
  clock_.Set(t0);
  constexpr int kTickets = 60;
  std::vector<pb::Ticket> tickets;
  for (int i = 0; i < kTickets; ++i) tickets.push_back(Open(acme_, sla::v1::PRIORITY_P1));
  const std::string answered = tickets[0].name();
  clock_.Set(t0 + 300);  // one ticket is answered in time: its response clock never breaches
  pb::AddCommentRequest reply;
  reply.set_parent(answered);
  reply.mutable_comment()->set_body("On it");
  reply.mutable_comment()->set_visibility(pb::Comment::PUBLIC);
  pb::Comment c;
  ASSERT_TRUE(stub_->AddComment(As("msp_agent").get(), reply, &c).ok());

  // The service was down for three days; two replicas come back at once.
  clock_.Set(t0 + 3 * 86400);
  Replica a = NewReplica(7), b = NewReplica(7);
  absl::StatusOr<PassStats> sa, sb;
  std::thread ta([&] { sa = a.worker->RunOnce(); });
  std::thread tb([&] { sb = b.worker->RunOnce(); });
  ta.join();
  tb.join();
  ASSERT_TRUE(sa.ok()) << sa.status();
  ASSERT_TRUE(sb.ok()) << sb.status();
  // P1: levels 1–3 and a breach on the response and resolution clocks of each ticket, except
  // the answered ticket's response clock.
  const int expected_escalations = kTickets * 6 - 3;
  const int expected_breaches = kTickets * 2 - 1;
  EXPECT_EQ(sa->events + sb->events, expected_escalations + expected_breaches);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM escalations"), expected_escalations);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM outbox WHERE type = 'clock.breached'"),
            expected_breaches);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM outbox WHERE type = 'escalation.fired'"),
            expected_escalations);

  // Caught up late, each event keeps its instant: the breach at due_at, levels at their share.
  const pb::Ticket late = Get(tickets[1].name());
  const pb::Clock* response = ClockOf(late, sla::v1::CLOCK_FIRST_RESPONSE);
  EXPECT_EQ(response->state(), pb::Clock::BREACHED);
  EXPECT_EQ(response->breach_time().seconds(), t0 + 900);
  EXPECT_EQ(response->breach_time().seconds(), response->due_time().seconds());
  pb::ListEscalationsRequest list;
  list.set_parent(tickets[1].name());
  pb::ListEscalationsResponse fired;
  ASSERT_TRUE(stub_->ListEscalations(As("msp_agent").get(), list, &fired).ok());
  ASSERT_EQ(fired.escalations_size(), 6);
  EXPECT_EQ(fired.escalations(0).fire_time().seconds(), t0 + 450);  // 50 % of 15 min
  EXPECT_EQ(fired.escalations(0).level(), 1);
  EXPECT_FALSE(fired.escalations(0).manual());
  EXPECT_EQ(ClockOf(Get(answered), sla::v1::CLOCK_FIRST_RESPONSE)->state(), pb::Clock::MET);

  // A restarted replica finds nothing left to fire, now or later.
  Replica restarted = NewReplica(500);
  auto again = restarted.worker->RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->tickets, 0);
  clock_.Advance(absl::Hours(24 * 30));
  again = restarted.worker->RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->events, 0);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM tickets WHERE next_event_at IS NOT NULL"), 0);
}

TEST_F(WorkerTest, LevelsFireAsTimePassesAndPausedTicketsWait) {
  const int64_t t0 = Utc(2026, 12, 4, 10);
  clock_.Set(t0);
  const pb::Ticket running = Open(acme_, sla::v1::PRIORITY_P1);
  const pb::Ticket paused = Open(acme_, sla::v1::PRIORITY_P1);
  pb::PauseClocksRequest pause;
  pause.set_name(paused.name());
  pause.set_exclusion_id("force-majeure");
  pause.set_reason("flood");
  pb::Ticket out;
  ASSERT_TRUE(stub_->PauseClocks(As("msp_agent").get(), pause, &out).ok());

  clock_.Set(t0 + 449);
  auto pass = ticket_->worker().RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->tickets, 0);  // nothing due yet: the pass touches no row
  clock_.Set(t0 + 450);
  pass = ticket_->worker().RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->tickets, 1);
  EXPECT_EQ(pass->events, 1);  // level 1 on the running ticket's response clock
  EXPECT_TRUE(Get(running.name()).at_risk());
  clock_.Set(t0 + 10 * 3600);
  pass = ticket_->worker().RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->tickets, 1);  // the paused ticket never comes due
  EXPECT_FALSE(Get(paused.name()).breached());
}

// Events a writer numbers itself take the numbers after the counter's and advance it; with no
// sequence row they stay unnumbered (for the sequencer) rather than take a number left over
// from the connection's earlier transaction.
TEST_F(WorkerTest, SelfNumberedEventsTakeTheNextNumbersOrStayUnnumberedWithoutTheSequenceRow) {
  outbox::Row a{"ticket.opened", "subjects/a", "cust", 1, {}},
      b{"ticket.closed", "subjects/b", "cust", 2, {}};
  a.payload.mutable_ticket()->set_ticket("subjects/a");
  b.payload.mutable_ticket()->set_ticket("subjects/b");
  const std::vector<const outbox::Row*> both = {&a, &b}, one = {&a};
  mysql::PooledConnection c = *ticket_pool_->Acquire();
  ASSERT_TRUE(c->ExecuteUnprepared("UPDATE outbox_sequence SET last_seq = 40 WHERE id = 1").ok());
  auto write = [&](const std::vector<const outbox::Row*>& rows) {
    return c->ExecuteCompound(
        absl::StrCat("START TRANSACTION;", *outbox::NumberedInsertStatements(rows), "COMMIT;"));
  };
  ASSERT_TRUE(write(both).ok());
  EXPECT_EQ(CountWhere("SELECT last_seq FROM outbox_sequence WHERE id = 1"), 42);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM outbox WHERE (seq = 41 AND type = 'ticket.opened') OR "
                       "(seq = 42 AND type = 'ticket.closed')"),
            2);
  ASSERT_TRUE(write(one).ok());
  EXPECT_EQ(CountWhere("SELECT MAX(seq) FROM outbox"), 43);

  ASSERT_TRUE(c->ExecuteUnprepared("DELETE FROM outbox_sequence").ok());
  ASSERT_TRUE(write(one).ok());
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM outbox WHERE seq IS NULL"), 1);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM outbox"), 4);
}

TEST_F(WorkerTest, WatchEventsNeverMissesAnEventUnderConcurrentOutOfOrderWriters) {
  clock_.Set(Utc(2026, 12, 4, 10));
  Open(acme_, sla::v1::PRIORITY_P3);  // terms cached before the race starts
  std::atomic<bool> stop{false};
  Replica other = NewReplica(500);
  // Two sequencers, as two replicas would run them.
  std::thread seq1([&] {
    while (!stop) {
      (void)ticket_->sequencer().RunOnce();
      absl::SleepFor(absl::Milliseconds(3));
    }
  });
  std::thread seq2([&] {
    while (!stop) {
      (void)other.sequencer->RunOnce();
      absl::SleepFor(absl::Milliseconds(2));
    }
  });

  std::vector<int64_t> seen;
  std::set<std::string> subjects;
  grpc::ClientContext watch_ctx;
  {
    auto token =
        server::MintToken(Jwt(), {"billing", "", {"billing_system"}}, clock_.Now(), absl::Hours(1));
    watch_ctx.AddMetadata("authorization", "Bearer " + *token);
  }
  pb::WatchEventsRequest wreq;
  auto reader = stub_->WatchEvents(&watch_ctx, wreq);
  std::atomic<int64_t> received{0};
  std::thread consumer([&] {
    pb::Event e;
    while (reader->Read(&e)) {
      seen.push_back(e.sequence());
      subjects.insert(e.subject() + "|" + e.type());
      received = static_cast<int64_t>(seen.size());
    }
  });

  constexpr int kWriters = 4, kRounds = 25;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; i < kRounds; ++i) {
        // New tickets number their events in their own transaction (group commit); the
        // other writers leave theirs to the two sequencers. Both under the sequence row lock.
        if (i % 2 == 0) {
          Open(acme_, sla::v1::PRIORITY_P2);
          continue;
        }
        // A writer that holds its transaction open for a while commits after later ids.
        OutboxRow row{"ticket.status_changed", absl::StrCat("w", w, "/", i), acme_.id, 0, {}};
        row.payload.mutable_ticket()->set_ticket(row.subject);
        ASSERT_TRUE(mysql::RunInTransaction(*ticket_pool_, [&](mysql::Connection& c) {
                      absl::Status s = outbox::Insert(c, {&row, 1});
                      absl::SleepFor(absl::Microseconds(rng() % 4000));
                      return s;
                    }).ok());
      }
    });
  }
  for (auto& t : writers) t.join();
  const int64_t total = CountWhere("SELECT COUNT(*) FROM outbox");
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (received < total && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  watch_ctx.TryCancel();
  consumer.join();
  stop = true;
  seq1.join();
  seq2.join();

  ASSERT_EQ(static_cast<int64_t>(seen.size()), total);
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<int64_t>(i) + 1);
  EXPECT_EQ(static_cast<int64_t>(subjects.size()), total);  // each event once
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM outbox WHERE seq IS NULL"), 0);

  // ListEvents pages through the same sequence.
  int64_t after = 0, listed = 0;
  for (;;) {
    pb::ListEventsRequest req;
    req.set_after(after);
    req.set_page_size(37);
    pb::ListEventsResponse page;
    ASSERT_TRUE(
        stub_->ListEvents(SuiteHarness::AsService("billing-svc", clock_.Now()).get(), req, &page)
            .ok());
    if (page.events().empty()) break;
    for (const auto& e : page.events()) ASSERT_EQ(e.sequence(), ++after);
    listed += page.events_size();
  }
  EXPECT_EQ(listed, total);
}

TEST_F(WorkerTest, AnEventStreamEndsWhenItsTokenExpiresAndStreamsAreCappedPerCaller) {
  auto watch = [&](grpc::ClientContext& ctx, absl::Duration ttl) {
    auto token = server::MintToken(Jwt(), {"billing", "", {"billing_system"}}, clock_.Now(), ttl);
    ctx.AddMetadata("authorization", "Bearer " + *token);
    return stub_->WatchEvents(&ctx, pb::WatchEventsRequest());
  };
  grpc::ClientContext expiring_ctx;
  auto expiring = watch(expiring_ctx, absl::Seconds(60));
  expiring->WaitForInitialMetadata();  // the stream is open on the server
  // Seven more from the same caller fit; the ninth is refused while they are open.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<pb::Event>>> open;
  for (int i = 0; i < 7; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    open.push_back(watch(*contexts.back(), absl::Hours(1)));
    open.back()->WaitForInitialMetadata();
  }
  grpc::ClientContext ninth_ctx;
  auto ninth = watch(ninth_ctx, absl::Hours(1));
  pb::Event e;
  while (ninth->Read(&e)) {
  }
  const grpc::Status refused = ninth->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  for (auto& c : contexts) c->TryCancel();
  for (auto& r : open) (void)r->Finish();

  // The first stream's token expires: the stream ends, saying how to resume.
  clock_.Advance(absl::Seconds(61));
  while (expiring->Read(&e)) {
  }
  const grpc::Status ended = expiring->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED) << ended.error_message();
  EXPECT_THAT(ended.error_message(), ::testing::HasSubstr("reconnect with a fresh one"));
}

// sla.v1.EventService's WatchEvents holds no server thread: more streams than the server has
// threads stay open and a unary call still gets through; they receive new events in order,
// share the per-caller cap with the earlier WatchEvents, and end at their token's expiry.
TEST_F(WorkerTest, TypedEventStreamsHoldNoThreadAndEndWhenTheirTokenExpires) {
  auto typed = sla::v1::EventService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", harness_->ticket_port()), grpc::InsecureChannelCredentials()));
  auto watch = [&](grpc::ClientContext& ctx, const std::string& who, absl::Duration ttl) {
    auto token = server::MintToken(Jwt(), {who, "", {"billing_system"}}, clock_.Now(), ttl);
    ctx.AddMetadata("authorization", "Bearer " + *token);
    return typed->WatchEvents(&ctx, sla::v1::WatchEventsRequest());
  };
  // 9 callers × 8 streams: more than the harness server's 64 threads.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<sla::v1::Event>>> open;
  for (int caller = 0; caller < 9; ++caller) {
    for (int i = 0; i < 8; ++i) {
      contexts.push_back(std::make_unique<grpc::ClientContext>());
      open.push_back(watch(*contexts.back(), absl::StrCat("system-", caller), absl::Hours(1)));
      open.back()->WaitForInitialMetadata();
    }
  }
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P2);  // a unary call still gets through
  ASSERT_FALSE(t.name().empty());
  ASSERT_TRUE(ticket_->sequencer().RunOnce().ok());
  sla::v1::Event e;
  for (size_t i = 0; i < open.size(); i += 17) {  // every stream got it; a sample is read
    ASSERT_TRUE(open[i]->Read(&e));
    EXPECT_EQ(e.type(), "ticket.opened");
    EXPECT_EQ(e.payload().ticket().ticket(), t.name());
    EXPECT_EQ(e.stream(), "ticket-svc");
  }
  // The cap is shared with the earlier WatchEvents: a ninth stream of a full caller is refused.
  grpc::ClientContext legacy_ctx;
  auto token =
      server::MintToken(Jwt(), {"system-0", "", {"billing_system"}}, clock_.Now(), absl::Hours(1));
  legacy_ctx.AddMetadata("authorization", "Bearer " + *token);
  auto legacy = stub_->WatchEvents(&legacy_ctx, pb::WatchEventsRequest());
  pb::Event old;
  while (legacy->Read(&old)) {
  }
  EXPECT_EQ(legacy->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  for (auto& c : contexts) c->TryCancel();
  for (auto& r : open) (void)r->Finish();

  // A stream whose token expires ends, saying how to resume.
  grpc::ClientContext expiring_ctx;
  auto expiring = watch(expiring_ctx, "system-expiring", absl::Seconds(60));
  ASSERT_TRUE(expiring->Read(&e)) << expiring->Finish().error_message();  // the ticket's opening
  clock_.Advance(absl::Seconds(61));
  while (expiring->Read(&e)) {
  }
  const grpc::Status ended = expiring->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED) << ended.error_message();
  EXPECT_THAT(ended.error_message(), ::testing::HasSubstr("after=1"));
}

}  // namespace
}  // namespace sla::ticket
