// ticket-svc restarted, through its gRPC API with the real contract-svc and MariaDB: what was
// due while it was down fires once, at its own instant, when it starts again; and tickets it
// already holds need contract-svc no more, while new ones wait for it without leaving a trace.
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "tests/harness/ticket_api_fixture.h"

namespace sla::ticket {
namespace {

using ::testing::HasSubstr;

class TicketRestart : public TicketApiTest {
 protected:
  void SetUp() override {
    TicketApiTest::SetUp();
    if (HasFatalFailure()) return;
    acme_ = NewTenant("Acme");
  }

  std::vector<pb::Escalation> Escalations(const pb::Ticket& t) {
    pb::ListEscalationsRequest req;
    req.set_parent(t.name());
    pb::ListEscalationsResponse out;
    const grpc::Status s = stub_->ListEscalations(As("msp_agent").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.escalations().begin(), out.escalations().end()};
  }

  // Every event about `subject` in the outbox, numbered first.
  std::vector<pb::Event> EventsOf(const std::string& subject) {
    EXPECT_TRUE(ticket_->sequencer().RunOnce().ok());
    std::vector<pb::Event> found;
    pb::ListEventsRequest req;
    req.set_page_size(1000);
    for (;;) {
      pb::ListEventsResponse out;
      const grpc::Status s = stub_->ListEvents(As("billing_system").get(), req, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || out.events().empty()) break;
      for (const pb::Event& e : out.events()) {
        if (absl::StrContains(e.payload_json(), subject) || e.subject() == subject)
          found.push_back(e);
      }
      req.set_after(out.events().rbegin()->sequence());
    }
    return found;
  }

  Tenant acme_;
};

using LevelKey = std::tuple<int, int, int>;  // clock, cycle, level

std::map<LevelKey, int64_t> FireTimes(const std::vector<pb::Escalation>& escalations) {
  std::map<LevelKey, int64_t> out;
  for (const pb::Escalation& e : escalations) {
    const LevelKey key{e.clock(), e.cycle(), e.level()};
    EXPECT_FALSE(out.count(key)) << "level " << e.level() << " of clock " << e.clock()
                                 << " fired twice";
    out[key] = e.fire_time().seconds();
  }
  return out;
}

TEST_F(TicketRestart, WhatFellDueWhileDownFiresOnceAtItsOwnInstantAfterTheRestart) {
  clock_.Set(Utc(2026, 12, 4, 10));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P1);  // response 15 min, resolution 4 h, 24/7
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());
  EXPECT_TRUE(Escalations(t).empty());

  // Down from 10:01 to 12:30: the response clock's three levels and its breach, and the
  // resolution clock's first level (50 % at 12:00), all fell due meanwhile.
  clock_.Set(Utc(2026, 12, 4, 12, 30));
  RestartTicketSvc();
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());

  const pb::Ticket after = Get(t.name());
  const pb::Clock* response = ClockOf(after, sla::v1::CLOCK_FIRST_RESPONSE);
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->state(), pb::Clock::BREACHED);
  EXPECT_EQ(response->breach_time().seconds(), Utc(2026, 12, 4, 10, 15));  // not 12:30
  const std::map<LevelKey, int64_t> fired = FireTimes(Escalations(t));
  const int first = sla::v1::CLOCK_FIRST_RESPONSE, resolution = sla::v1::CLOCK_RESOLUTION;
  EXPECT_EQ(fired.at({first, 0, 1}), Utc(2026, 12, 4, 10, 7) + 30);
  EXPECT_EQ(fired.at({first, 0, 2}), Utc(2026, 12, 4, 10, 11) + 15);
  EXPECT_EQ(fired.at({first, 0, 3}), Utc(2026, 12, 4, 10, 15));
  EXPECT_EQ(fired.at({resolution, 0, 1}), Utc(2026, 12, 4, 12));
  EXPECT_FALSE(fired.count({resolution, 0, 2}));  // 13:00, still ahead
  for (const auto& [key, at] : fired) EXPECT_LE(at, Utc(2026, 12, 4, 12, 30));

  // A second pass, and a second restart, fire nothing again.
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());
  RestartTicketSvc();
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());
  EXPECT_EQ(FireTimes(Escalations(t)), fired);

  // The outbox holds each fired level and each breach once.
  int breaches = 0;
  std::multiset<std::string> escalation_events;
  for (const pb::Event& e : EventsOf(t.name())) {
    if (e.type() == "clock.breached") ++breaches;
    if (e.type() == "escalation.fired") escalation_events.insert(e.payload_json());
  }
  int breached_clocks = 0;
  for (const pb::Clock& c : after.clocks()) breached_clocks += c.state() == pb::Clock::BREACHED;
  EXPECT_GE(breached_clocks, 1);
  EXPECT_EQ(breaches, breached_clocks);
  EXPECT_EQ(escalation_events.size(), fired.size());
  for (const std::string& payload : escalation_events)
    EXPECT_EQ(escalation_events.count(payload), 1u);

  // Time goes on after the restart: the next level fires at its instant, once.
  clock_.Set(Utc(2026, 12, 4, 13));
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());
  const std::map<LevelKey, int64_t> later = FireTimes(Escalations(t));
  EXPECT_EQ(later.at({resolution, 0, 2}), Utc(2026, 12, 4, 13));
  for (const auto& [key, at] : later) {
    if (auto was = fired.find(key); was != fired.end()) {
      EXPECT_EQ(at, was->second);
    } else {
      EXPECT_GT(at, Utc(2026, 12, 4, 12, 30));  // only what fell due since
      EXPECT_LE(at, Utc(2026, 12, 4, 13));
    }
  }
}

TEST_F(TicketRestart, HeldTicketsNeedNoContractSvcAndNewOnesWaitForItWithoutATrace) {
  clock_.Set(Utc(2026, 12, 4, 3));  // Fri 10:00 Bangkok, in business hours
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P2);
  const pb::Ticket before = Get(t.name());

  // contract-svc goes away, and ticket-svc restarts with nothing cached in memory.
  harness_->StopContract();
  RestartTicketSvc();
  clock_.Set(Utc(2026, 12, 4, 3, 10));  // within the 30 min response target
  const pb::Ticket held = Get(t.name());
  ASSERT_EQ(held.clocks_size(), before.clocks_size());
  for (int i = 0; i < held.clocks_size(); ++i) {
    EXPECT_EQ(held.clocks(i).kind(), before.clocks(i).kind());
    EXPECT_EQ(held.clocks(i).due_time().seconds(), before.clocks(i).due_time().seconds());
    EXPECT_EQ(held.clocks(i).target_seconds(), before.clocks(i).target_seconds());
  }
  // The terms' response rule still applies: a public MSP reply meets the response clock.
  pb::AddCommentRequest reply;
  reply.set_parent(t.name());
  reply.mutable_comment()->set_body("Looking at it now.");
  reply.mutable_comment()->set_visibility(pb::Comment::PUBLIC);
  reply.mutable_comment()->set_kind(pb::Comment::MESSAGE);
  pb::Comment c;
  ASSERT_TRUE(stub_->AddComment(As("msp_agent").get(), reply, &c).ok());
  const pb::Ticket replied = Get(t.name());
  const pb::Clock* response = ClockOf(replied, sla::v1::CLOCK_FIRST_RESPONSE);
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->state(), pb::Clock::MET);
  EXPECT_EQ(response->met_time().seconds(), Utc(2026, 12, 4, 3, 10));
  pb::Ticket moved;
  ASSERT_TRUE(Move(t, pb::Ticket::ACKNOWLEDGED, &moved).ok());
  EXPECT_EQ(moved.status(), pb::Ticket::ACKNOWLEDGED);
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());

  // A new ticket needs the terms in force, which only contract-svc can say.
  const pb::CreateTicketRequest req =
      NewTicketRequest(acme_, sla::v1::PRIORITY_P3, "while-contract-svc-is-down");
  pb::Ticket refused;
  const grpc::Status down = stub_->CreateTicket(As("msp_agent").get(), req, &refused);
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(down.error_message(), HasSubstr("contract-svc"));
  pb::ListTicketsRequest list;
  list.set_parent(acme_.customer);
  pb::ListTicketsResponse listed;
  ASSERT_TRUE(stub_->ListTickets(As("msp_agent").get(), list, &listed).ok());
  ASSERT_EQ(listed.tickets_size(), 1);
  EXPECT_EQ(listed.tickets(0).name(), t.name());

  // Back on the same address: the caller's retry with the same request id opens the ticket,
  // and a second retry returns that same ticket. The channel reconnects after its backoff.
  ASSERT_TRUE(harness_->ResumeContract().ok());
  pb::Ticket created;
  grpc::Status s;
  for (int attempt = 0; attempt < 100; ++attempt) {
    s = stub_->CreateTicket(As("msp_agent").get(), req, &created);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.status(), pb::Ticket::NEW);
  pb::Ticket again;
  ASSERT_TRUE(stub_->CreateTicket(As("msp_agent").get(), req, &again).ok());
  EXPECT_EQ(again.name(), created.name());
  ASSERT_TRUE(stub_->ListTickets(As("msp_agent").get(), list, &listed).ok());
  EXPECT_EQ(listed.tickets_size(), 2);
}

}  // namespace
}  // namespace sla::ticket
