// The ticket rules of DOMAIN.md and the ticket-svc issue, as pure functions: the worked
// examples, pauses, priority changes, catch-up, escalation, reopening and the RCA gate.
#include "ticket-svc/domain/ticket.h"

#include "absl/strings/match.h"
#include "common/core/test_terms.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla::ticket {
namespace {

using ::sla::core::testing::BangkokContext;
using ::sla::core::testing::Utc;
using ::testing::HasSubstr;
namespace tpb = sla::ticket::v1;

class TicketTest : public ::testing::Test {
 protected:
  Ticket NewTicket(sla::v1::Priority p, int64_t at) {
    Ticket t;
    t.id = "t1";
    t.customer_id = "c1";
    t.contract_id = "k1";
    t.service_id = "service-desk";
    t.priority = p;
    EXPECT_TRUE(Open(t, *terms_, at, "agent", fx_).ok());
    return t;
  }
  tpb::Clock View(const Ticket& t, sla::v1::ClockKind kind, int64_t now) {
    tpb::Clock out;
    EXPECT_TRUE(ClockToProto(*t.Clock(kind), *terms_, t.priority, now, &out).ok());
    return out;
  }
  int CountEvents(const std::string& type) const {
    int n = 0;
    for (const auto& e : fx_.events) n += e.type == type;
    return n;
  }
  absl::Status Move(Ticket& t, Status to, int64_t now) {
    return Transition(t, *terms_, to, now, "agent", "", fx_);
  }

  std::shared_ptr<const core::TermsContext> terms_ = BangkokContext();
  Effects fx_;
};

TEST_F(TicketTest, WorkedExampleResolutionDueSkipsHoliday) {
  // Fri 2026-12-04 16:00 Bangkok = 09:00 UTC; 1 h Friday, Monday a holiday, 3 h Tuesday.
  Ticket t = NewTicket(sla::v1::PRIORITY_P2, Utc(2026, 12, 4, 9));
  EXPECT_EQ(View(t, sla::v1::CLOCK_RESOLUTION, Utc(2026, 12, 4, 9)).due_time().seconds(),
            Utc(2026, 12, 8, 5));
  EXPECT_EQ(CountEvents("ticket.opened"), 1);
}

TEST_F(TicketTest, WorkedExampleWaitingOnCustomerMovesDue) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P2, Utc(2026, 12, 4, 9));
  ASSERT_TRUE(Move(t, tpb::Ticket::ACKNOWLEDGED, Utc(2026, 12, 4, 9, 5)).ok());
  ASSERT_TRUE(Move(t, tpb::Ticket::IN_PROGRESS, Utc(2026, 12, 4, 9, 6)).ok());
  // Paused Tue 09:30–11:00 local (02:30–04:00 UTC).
  ASSERT_TRUE(Move(t, tpb::Ticket::WAITING_ON_CUSTOMER, Utc(2026, 12, 8, 2, 30)).ok());
  tpb::Clock paused = View(t, sla::v1::CLOCK_RESOLUTION, Utc(2026, 12, 8, 3));
  EXPECT_EQ(paused.state(), tpb::Clock::PAUSED);
  EXPECT_FALSE(paused.has_due_time());
  EXPECT_EQ(paused.consumed_seconds(), 3600 + 1800);
  ASSERT_TRUE(Move(t, tpb::Ticket::IN_PROGRESS, Utc(2026, 12, 8, 4)).ok());
  tpb::Clock resumed = View(t, sla::v1::CLOCK_RESOLUTION, Utc(2026, 12, 8, 4));
  EXPECT_EQ(resumed.due_time().seconds(), Utc(2026, 12, 8, 6, 30));  // 13:30 local
  EXPECT_EQ(resumed.paused_seconds(), 5400);
  EXPECT_EQ(resumed.state(), tpb::Clock::RUNNING);
}

TEST_F(TicketTest, WorkedExampleWallClockResponseCrossesMidnight) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 4, 23, 55));
  EXPECT_EQ(View(t, sla::v1::CLOCK_FIRST_RESPONSE, Utc(2026, 12, 4, 23, 55)).due_time().seconds(),
            Utc(2026, 12, 5, 0, 10));
}

TEST_F(TicketTest, IllegalTransitionNamesBothStatuses) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 3));
  absl::Status s = Move(t, tpb::Ticket::CLOSED, Utc(2026, 12, 1, 4));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("NEW cannot move to CLOSED"));
  EXPECT_THAT(s.message(), HasSubstr("allowed: ACKNOWLEDGED"));
  EXPECT_EQ(t.status, tpb::Ticket::NEW);
}

TEST_F(TicketTest, InternalNoteNeverMeetsResponsePublicReplyDoes) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 3));
  CommentInput note{tpb::Comment::MSP, tpb::Comment::INTERNAL, tpb::Comment::MESSAGE, false};
  ASSERT_TRUE(Comment(t, *terms_, note, Utc(2026, 12, 1, 4), "agent", fx_).ok());
  EXPECT_EQ(View(t, sla::v1::CLOCK_FIRST_RESPONSE, Utc(2026, 12, 1, 4)).state(),
            tpb::Clock::RUNNING);
  CommentInput reply{tpb::Comment::MSP, tpb::Comment::PUBLIC, tpb::Comment::MESSAGE, false};
  ASSERT_TRUE(Comment(t, *terms_, reply, Utc(2026, 12, 1, 5), "agent", fx_).ok());
  tpb::Clock met = View(t, sla::v1::CLOCK_FIRST_RESPONSE, Utc(2026, 12, 1, 6));
  EXPECT_EQ(met.state(), tpb::Clock::MET);
  EXPECT_EQ(met.met_time().seconds(), Utc(2026, 12, 1, 5));
  EXPECT_EQ(met.consumed_seconds(), 2 * 3600);  // 10:00–12:00 local
  EXPECT_EQ(CountEvents("clock.met"), 1);
}

TEST_F(TicketTest, AcknowledgeMeetsResponseOnlyWhenTheTermsSaySo) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 3));
  ASSERT_TRUE(Move(t, tpb::Ticket::ACKNOWLEDGED, Utc(2026, 12, 1, 4)).ok());
  EXPECT_EQ(View(t, sla::v1::CLOCK_FIRST_RESPONSE, Utc(2026, 12, 1, 4)).state(),
            tpb::Clock::RUNNING);

  sla::v1::SlaTerms terms = core::testing::BangkokTerms();
  terms.mutable_priority_targets(2)->add_response_events(sla::v1::RESPONSE_EVENT_ACKNOWLEDGED);
  terms_ = BangkokContext(terms);
  Ticket u = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 3));
  ASSERT_TRUE(Move(u, tpb::Ticket::ACKNOWLEDGED, Utc(2026, 12, 1, 4)).ok());
  EXPECT_EQ(View(u, sla::v1::CLOCK_FIRST_RESPONSE, Utc(2026, 12, 1, 4)).state(), tpb::Clock::MET);
}

TEST_F(TicketTest, BreachCaughtUpLateIsRecordedOnceAtDueAt) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 4, 10));
  // Nobody looked for three days: the breach still carries its own instant.
  ASSERT_TRUE(CatchUp(t, *terms_, Utc(2026, 12, 7, 10), fx_).ok());
  ASSERT_TRUE(CatchUp(t, *terms_, Utc(2026, 12, 8, 10), fx_).ok());
  EXPECT_EQ(CountEvents("clock.breached"), 2);  // response and resolution, once each
  EXPECT_EQ(t.Clock(sla::v1::CLOCK_FIRST_RESPONSE)->breached_at, Utc(2026, 12, 4, 10, 15));
  EXPECT_EQ(t.Clock(sla::v1::CLOCK_RESOLUTION)->breached_at, Utc(2026, 12, 4, 14));
  // Each level once per clock, at its threshold: 50 % of 15 min = 7.5 min.
  ASSERT_EQ(fx_.escalations.size(), 6u);
  EXPECT_EQ(fx_.escalations[0].fire_time, Utc(2026, 12, 4, 10, 7) + 30);
  // A late response is met after the breach; the breach stays.
  CommentInput reply{tpb::Comment::MSP, tpb::Comment::PUBLIC, tpb::Comment::MESSAGE, false};
  ASSERT_TRUE(Comment(t, *terms_, reply, Utc(2026, 12, 8, 11), "agent", fx_).ok());
  tpb::Clock c = View(t, sla::v1::CLOCK_FIRST_RESPONSE, Utc(2026, 12, 8, 11));
  EXPECT_EQ(c.state(), tpb::Clock::BREACHED);
  EXPECT_EQ(c.met_time().seconds(), Utc(2026, 12, 8, 11));
}

TEST_F(TicketTest, MetBeforeDueNeverBreaches) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 4, 10));
  CommentInput reply{tpb::Comment::MSP, tpb::Comment::PUBLIC, tpb::Comment::MESSAGE, false};
  ASSERT_TRUE(Comment(t, *terms_, reply, Utc(2026, 12, 4, 10, 14), "agent", fx_).ok());
  ASSERT_TRUE(CatchUp(t, *terms_, Utc(2026, 12, 4, 11), fx_).ok());
  EXPECT_FALSE(t.Clock(sla::v1::CLOCK_FIRST_RESPONSE)->breached());
}

TEST_F(TicketTest, PriorityChangeKeepsConsumedTimeAndMayBreachAtOnce) {
  // P3 opened Tue 09:00 local; at 12:00 local 3 h consumed; P1's 15 min response is passed.
  Ticket t = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 2));
  const int64_t change = Utc(2026, 12, 1, 5);
  ASSERT_TRUE(
      ChangePriority(t, *terms_, sla::v1::PRIORITY_P1, change, "agent", "outage", fx_).ok());
  const ClockState* response = t.Clock(sla::v1::CLOCK_FIRST_RESPONSE);
  EXPECT_EQ(response->target_seconds, 15 * 60);
  EXPECT_EQ(response->breached_at, change);
  // Resolution: 3 h of 4 h (now wall-clock) kept → due one hour after the change.
  tpb::Clock res = View(t, sla::v1::CLOCK_RESOLUTION, change);
  EXPECT_EQ(res.consumed_seconds(), 3 * 3600);
  EXPECT_EQ(res.due_time().seconds(), change + 3600);
  EXPECT_EQ(res.basis(), sla::v1::TIME_BASIS_WALL_CLOCK);
  // P1 has an update-interval target: a new idle clock.
  EXPECT_EQ(View(t, sla::v1::CLOCK_UPDATE_INTERVAL, change).state(), tpb::Clock::INACTIVE);
  EXPECT_EQ(CountEvents("ticket.priority_changed"), 1);
  int changes = 0;
  for (const auto& h : fx_.history) changes += h.cause == "priority_changed";
  EXPECT_EQ(changes, 3);
}

TEST_F(TicketTest, PriorityChangeRestartPolicyStartsFromZero) {
  sla::v1::SlaTerms terms = core::testing::BangkokTerms();
  terms.mutable_priority_targets(0)->mutable_resolution()->set_on_priority_change(
      sla::v1::PRIORITY_CHANGE_RESTART);
  terms_ = BangkokContext(terms);
  Ticket t = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 2));
  const int64_t change = Utc(2026, 12, 1, 5);
  ASSERT_TRUE(
      ChangePriority(t, *terms_, sla::v1::PRIORITY_P1, change, "agent", "outage", fx_).ok());
  tpb::Clock res = View(t, sla::v1::CLOCK_RESOLUTION, change);
  EXPECT_EQ(res.consumed_seconds(), 0);
  EXPECT_EQ(res.due_time().seconds(), change + 4 * 3600);
}

TEST_F(TicketTest, ReopenResumesResolutionWithoutCountingResolvedTime) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 4, 10));
  ASSERT_TRUE(Move(t, tpb::Ticket::ACKNOWLEDGED, Utc(2026, 12, 4, 10, 1)).ok());
  ASSERT_TRUE(Move(t, tpb::Ticket::IN_PROGRESS, Utc(2026, 12, 4, 10, 2)).ok());
  ASSERT_TRUE(Move(t, tpb::Ticket::RESOLVED, Utc(2026, 12, 4, 11)).ok());
  EXPECT_EQ(View(t, sla::v1::CLOCK_RESOLUTION, Utc(2026, 12, 4, 12)).state(), tpb::Clock::MET);
  ASSERT_TRUE(Move(t, tpb::Ticket::IN_PROGRESS, Utc(2026, 12, 4, 15)).ok());
  tpb::Clock res = View(t, sla::v1::CLOCK_RESOLUTION, Utc(2026, 12, 4, 15));
  EXPECT_EQ(res.state(), tpb::Clock::RUNNING);
  EXPECT_EQ(res.consumed_seconds(), 3600);
  EXPECT_EQ(res.due_time().seconds(), Utc(2026, 12, 4, 18));
  EXPECT_EQ(t.reopen_count, 1);
  EXPECT_EQ(CountEvents("ticket.reopened"), 1);
}

TEST_F(TicketTest, ClosedTicketReopensOnlyWithinTheWindow) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 3));
  for (Status s : {tpb::Ticket::ACKNOWLEDGED, tpb::Ticket::IN_PROGRESS, tpb::Ticket::RESOLVED,
                   tpb::Ticket::CLOSED}) {
    ASSERT_TRUE(Move(t, s, Utc(2026, 12, 1, 4)).ok()) << StatusName(s);
  }
  Ticket late = t;
  absl::Status s = Move(late, tpb::Ticket::IN_PROGRESS, Utc(2026, 12, 8, 5));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("reopen window of 7 days"));
  EXPECT_TRUE(Move(t, tpb::Ticket::IN_PROGRESS, Utc(2026, 12, 8, 3)).ok());
}

TEST_F(TicketTest, RcaGateBlocksClosingP1AndP2) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P2, Utc(2026, 12, 1, 3));
  for (Status s : {tpb::Ticket::ACKNOWLEDGED, tpb::Ticket::IN_PROGRESS, tpb::Ticket::RESOLVED}) {
    ASSERT_TRUE(Move(t, s, Utc(2026, 12, 1, 4)).ok());
  }
  absl::Status s = Move(t, tpb::Ticket::CLOSED, Utc(2026, 12, 1, 5));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("root cause"));
  ASSERT_TRUE(
      RecordRootCause(t, "disk full", "alert at 80 %", Utc(2026, 12, 1, 5), "agent", fx_).ok());
  EXPECT_TRUE(Move(t, tpb::Ticket::CLOSED, Utc(2026, 12, 1, 5)).ok());
}

TEST_F(TicketTest, ExclusionPausesOnlyWhenTheClauseSaysSo) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 4, 10));
  EXPECT_EQ(PauseForExclusion(t, *terms_, "customer-change", Utc(2026, 12, 4, 10, 5), "a", "r", fx_)
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      PauseForExclusion(t, *terms_, "force-majeure", Utc(2026, 12, 4, 10, 5), "a", "flood", fx_)
          .ok());
  ASSERT_TRUE(CatchUp(t, *terms_, Utc(2026, 12, 4, 20), fx_).ok());
  EXPECT_EQ(CountEvents("clock.breached"), 0);
  ASSERT_TRUE(ResumeFromExclusion(t, *terms_, Utc(2026, 12, 4, 20), "a", "", fx_).ok());
  EXPECT_EQ(View(t, sla::v1::CLOCK_FIRST_RESPONSE, Utc(2026, 12, 4, 20)).due_time().seconds(),
            Utc(2026, 12, 4, 20, 10));
}

TEST_F(TicketTest, UpdateIntervalRunsPerCustomerQuestion) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 4, 10));
  EXPECT_EQ(View(t, sla::v1::CLOCK_UPDATE_INTERVAL, Utc(2026, 12, 4, 10)).state(),
            tpb::Clock::INACTIVE);
  CommentInput question{tpb::Comment::CUSTOMER, tpb::Comment::PUBLIC, tpb::Comment::MESSAGE, true};
  ASSERT_TRUE(Comment(t, *terms_, question, Utc(2026, 12, 4, 10, 30), "cust", fx_).ok());
  tpb::Clock first = View(t, sla::v1::CLOCK_UPDATE_INTERVAL, Utc(2026, 12, 4, 10, 30));
  EXPECT_EQ(first.cycle(), 1);
  EXPECT_EQ(first.due_time().seconds(), Utc(2026, 12, 4, 11, 30));
  CommentInput reply{tpb::Comment::MSP, tpb::Comment::PUBLIC, tpb::Comment::MESSAGE, false};
  ASSERT_TRUE(Comment(t, *terms_, reply, Utc(2026, 12, 4, 11), "agent", fx_).ok());
  EXPECT_EQ(View(t, sla::v1::CLOCK_UPDATE_INTERVAL, Utc(2026, 12, 4, 11)).state(), tpb::Clock::MET);
  ASSERT_TRUE(Comment(t, *terms_, question, Utc(2026, 12, 4, 12), "cust", fx_).ok());
  ASSERT_TRUE(CatchUp(t, *terms_, Utc(2026, 12, 4, 14), fx_).ok());
  tpb::Clock second = View(t, sla::v1::CLOCK_UPDATE_INTERVAL, Utc(2026, 12, 4, 14));
  EXPECT_EQ(second.cycle(), 2);
  EXPECT_EQ(second.state(), tpb::Clock::BREACHED);
  EXPECT_EQ(second.breach_time().seconds(), Utc(2026, 12, 4, 13));
}

TEST_F(TicketTest, NotificationWaitsForTheContactsHoursUnlessTheLevelSaysOtherwise) {
  sla::v1::SlaTerms terms = core::testing::BangkokTerms();
  auto* levels = terms.mutable_escalation()->mutable_levels();
  (*levels)[0].mutable_notify(0)->set_calendar("calendars/bangkok-office");
  (*levels)[1].mutable_notify(0)->set_calendar("calendars/bangkok-office");
  (*levels)[1].set_notify_outside_coverage(true);
  terms_ = BangkokContext(terms);
  // P1 on wall-clock time, opened Sat 2026-12-05 20:00 UTC (Sun 03:00 Bangkok).
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 5, 20));
  ASSERT_TRUE(CatchUp(t, *terms_, Utc(2026, 12, 5, 20, 12), fx_).ok());
  ASSERT_EQ(fx_.escalations.size(), 2u);
  // Level 1 at 50 %: the desk lead is told when the office opens, Tue 09:00 local (Mon holiday).
  EXPECT_EQ(fx_.escalations[0].notifications[0].deliver_after, Utc(2026, 12, 8, 2));
  // Level 2 pages outside the hours: delivered at once.
  EXPECT_EQ(fx_.escalations[1].notifications[0].deliver_after, fx_.escalations[1].fire_time);
}

TEST_F(TicketTest, ManualEscalationFiresEachLevelOnce) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P3, Utc(2026, 12, 1, 3));
  ASSERT_TRUE(
      Escalate(t, *terms_, sla::v1::CLOCK_RESOLUTION, 0, Utc(2026, 12, 1, 4), "mgr", "VIP", fx_)
          .ok());
  ASSERT_TRUE(
      Escalate(t, *terms_, sla::v1::CLOCK_RESOLUTION, 3, Utc(2026, 12, 1, 4), "mgr", "VIP", fx_)
          .ok());
  EXPECT_EQ(
      Escalate(t, *terms_, sla::v1::CLOCK_RESOLUTION, 3, Utc(2026, 12, 1, 4), "mgr", "again", fx_)
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Escalate(t, *terms_, sla::v1::CLOCK_RESOLUTION, 9, Utc(2026, 12, 1, 4), "mgr", "x", fx_)
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(fx_.escalations.size(), 2u);
  EXPECT_EQ(fx_.escalations[0].level, 1);
  EXPECT_TRUE(fx_.escalations[0].manual);
  // Level 2 still fires by consumption, levels 1 and 3 never again (the response clock's
  // levels fire on their own).
  ASSERT_TRUE(CatchUp(t, *terms_, Utc(2026, 12, 31, 4), fx_).ok());
  std::vector<int> resolution_levels;
  for (const auto& e : fx_.escalations) {
    if (e.clock == sla::v1::CLOCK_RESOLUTION) resolution_levels.push_back(e.level);
  }
  EXPECT_EQ(resolution_levels, (std::vector<int>{1, 3, 2}));
}

TEST_F(TicketTest, DerivedColumnsDriveTheWorkerAndFilters) {
  Ticket t = NewTicket(sla::v1::PRIORITY_P1, Utc(2026, 12, 4, 10));
  auto d = Derive(t, *terms_, Utc(2026, 12, 4, 10));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next_event_at, Utc(2026, 12, 4, 10, 7) + 30);  // level 1 of the response clock
  EXPECT_EQ(d->next_due_at, Utc(2026, 12, 4, 10, 15));
  EXPECT_EQ(d->warn_at, Utc(2026, 12, 4, 10, 7) + 30);  // the first warning level, 50 %
  EXPECT_FALSE(d->breached);
  ASSERT_TRUE(Move(t, tpb::Ticket::ACKNOWLEDGED, Utc(2026, 12, 4, 10, 1)).ok());
  ASSERT_TRUE(Move(t, tpb::Ticket::IN_PROGRESS, Utc(2026, 12, 4, 10, 1)).ok());
  ASSERT_TRUE(Move(t, tpb::Ticket::WAITING_ON_CUSTOMER, Utc(2026, 12, 4, 10, 2)).ok());
  d = Derive(t, *terms_, Utc(2026, 12, 4, 10, 2));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next_event_at, kOpenEnded);  // paused: nothing will fire
}

}  // namespace
}  // namespace sla::ticket
