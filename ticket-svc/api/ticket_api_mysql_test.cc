// ticket-svc through its gRPC API, with the real contract-svc and MariaDB: DOMAIN.md's worked
// examples, pause/resume, priority change, reopen, the RCA gate, comments, tenant isolation,
// idempotent creation, list filters and outages.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <google/protobuf/util/json_util.h>

#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/outbox/payload.h"
#include "common/status/status_macros.h"
#include "gmock/gmock.h"
#include "sla/v1/event_service.grpc.pb.h"
#include "tests/harness/ticket_api_fixture.h"
#include "ticket-svc/storage/ticket_store.h"

namespace sla::ticket {
namespace {

using ::testing::HasSubstr;

class TicketApi : public TicketApiTest {
 protected:
  void SetUp() override {
    TicketApiTest::SetUp();
    if (HasFatalFailure()) return;
    acme_ = NewTenant("Acme");
    other_ = NewTenant("Globex");
  }
  Tenant acme_, other_;
};

TEST_F(TicketApi, WorkedExampleFridayTicketDueTuesdayAfterHoliday) {
  clock_.Set(Utc(2026, 12, 4, 9));  // Fri 16:00 Bangkok
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P2);
  EXPECT_EQ(t.status(), pb::Ticket::NEW);
  EXPECT_THAT(t.terms_version(), HasSubstr(acme_.contract + "/versions/1"));
  ASSERT_NE(ClockOf(t, sla::v1::CLOCK_RESOLUTION), nullptr);
  EXPECT_EQ(ClockOf(t, sla::v1::CLOCK_RESOLUTION)->due_time().seconds(), Utc(2026, 12, 8, 5));
  EXPECT_EQ(ClockOf(t, sla::v1::CLOCK_RESOLUTION)->target_seconds(), 4 * 3600);
  EXPECT_EQ(ClockOf(t, sla::v1::CLOCK_UPDATE_INTERVAL), nullptr);  // P2 sets none

  // Waiting on the customer Tue 09:30–11:00 local moves the due time to 13:30 local.
  ASSERT_TRUE(Move(t, pb::Ticket::ACKNOWLEDGED).ok());
  ASSERT_TRUE(Move(t, pb::Ticket::IN_PROGRESS).ok());
  clock_.Set(Utc(2026, 12, 8, 2, 30));
  pb::Ticket waiting;
  ASSERT_TRUE(Move(t, pb::Ticket::WAITING_ON_CUSTOMER, &waiting).ok());
  EXPECT_EQ(ClockOf(waiting, sla::v1::CLOCK_RESOLUTION)->state(), pb::Clock::PAUSED);
  clock_.Set(Utc(2026, 12, 8, 4));
  pb::Ticket resumed;
  ASSERT_TRUE(Move(t, pb::Ticket::IN_PROGRESS, &resumed).ok());
  const pb::Clock* res = ClockOf(resumed, sla::v1::CLOCK_RESOLUTION);
  EXPECT_EQ(res->due_time().seconds(), Utc(2026, 12, 8, 6, 30));
  EXPECT_EQ(res->paused_seconds(), 5400);
  EXPECT_EQ(res->consumed_seconds(), 3600 + 1800);
}

TEST_F(TicketApi, WorkedExampleTwentyFourSevenResponseCrossesMidnight) {
  clock_.Set(Utc(2026, 12, 4, 23, 55));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P1);
  EXPECT_EQ(ClockOf(t, sla::v1::CLOCK_FIRST_RESPONSE)->due_time().seconds(),
            Utc(2026, 12, 5, 0, 10));
}

TEST_F(TicketApi, IllegalTransitionIsFailedPreconditionNamingBothStatuses) {
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P3);
  const grpc::Status s = Move(t, pb::Ticket::RESOLVED);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("NEW cannot move to RESOLVED"));
}

TEST_F(TicketApi, PriorityChangeKeepsConsumedTimeAndKeepsHistory) {
  clock_.Set(Utc(2026, 12, 1, 2));  // Tue 09:00 Bangkok
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P3);
  clock_.Set(Utc(2026, 12, 1, 5));  // three business hours later
  pb::ChangePriorityRequest req;
  req.set_name(t.name());
  req.set_priority(sla::v1::PRIORITY_P1);
  pb::Ticket out;
  EXPECT_EQ(stub_->ChangePriority(As("msp_agent").get(), req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // the reason is required
  req.set_reason("whole office affected");
  ASSERT_TRUE(stub_->ChangePriority(As("msp_agent").get(), req, &out).ok());
  EXPECT_EQ(out.priority(), sla::v1::PRIORITY_P1);
  const pb::Clock* response = ClockOf(out, sla::v1::CLOCK_FIRST_RESPONSE);
  EXPECT_EQ(response->state(), pb::Clock::BREACHED);  // 3 h consumed ≥ 15 min
  EXPECT_EQ(response->breach_time().seconds(), Utc(2026, 12, 1, 5));
  EXPECT_EQ(ClockOf(out, sla::v1::CLOCK_RESOLUTION)->due_time().seconds(), Utc(2026, 12, 1, 6));
  EXPECT_TRUE(out.breached());

  pb::ListSlaHistoryRequest hreq;
  hreq.set_parent(t.name());
  pb::ListSlaHistoryResponse history;
  ASSERT_TRUE(stub_->ListSlaHistory(As("msp_agent").get(), hreq, &history).ok());
  int changed = 0, breached = 0;
  for (const auto& e : history.entries()) {
    changed += e.cause() == "priority_changed";
    breached += e.cause() == "breached";
    if (e.cause() == "priority_changed") {
      EXPECT_EQ(e.reason(), "whole office affected");
    }
  }
  EXPECT_EQ(changed, 3);  // response, resolution, and P1's new update-interval clock
  EXPECT_EQ(breached, 1);
  EXPECT_GT(history.entries(history.entries_size() - 1).clocks_size(), 0);
}

TEST_F(TicketApi, ReopenResumesResolutionAndRcaGatesClosing) {
  clock_.Set(Utc(2026, 12, 1, 2));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P2);
  for (auto s : {pb::Ticket::ACKNOWLEDGED, pb::Ticket::IN_PROGRESS}) ASSERT_TRUE(Move(t, s).ok());
  clock_.Set(Utc(2026, 12, 1, 3));
  ASSERT_TRUE(Move(t, pb::Ticket::RESOLVED).ok());
  // The customer reopens it two hours later; those hours do not count.
  clock_.Set(Utc(2026, 12, 1, 5));
  pb::Ticket reopened;
  ASSERT_TRUE(Move(t, pb::Ticket::IN_PROGRESS, &reopened, "customer_user", acme_.id).ok());
  EXPECT_EQ(reopened.reopen_count(), 1);
  const pb::Clock* res = ClockOf(reopened, sla::v1::CLOCK_RESOLUTION);
  EXPECT_EQ(res->state(), pb::Clock::RUNNING);
  EXPECT_EQ(res->consumed_seconds(), 3600);
  EXPECT_EQ(res->due_time().seconds(), Utc(2026, 12, 1, 8));

  clock_.Set(Utc(2026, 12, 1, 6));
  ASSERT_TRUE(Move(t, pb::Ticket::RESOLVED).ok());
  const grpc::Status gate = Move(t, pb::Ticket::CLOSED);
  EXPECT_EQ(gate.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(gate.error_message(), HasSubstr("root cause"));
  pb::RecordRootCauseRequest rca;
  rca.set_name(t.name());
  rca.set_root_cause("Toner sensor failure");
  pb::Ticket out;
  EXPECT_EQ(stub_->RecordRootCause(As("msp_agent").get(), rca, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  rca.set_preventive_action("Replace sensors at each service visit");
  ASSERT_TRUE(stub_->RecordRootCause(As("msp_agent").get(), rca, &out).ok());
  pb::Ticket closed;
  ASSERT_TRUE(Move(t, pb::Ticket::CLOSED, &closed, "customer_admin", acme_.id).ok());
  EXPECT_EQ(closed.status(), pb::Ticket::CLOSED);
  // Reopening after the terms' 14-day window is refused.
  clock_.Set(Utc(2026, 12, 16, 7));
  const grpc::Status late = Move(t, pb::Ticket::IN_PROGRESS);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("reopen window of 14 days"));
}

TEST_F(TicketApi, CommentsMeetTargetsPerTheTermsAndInternalOnesStayInternal) {
  clock_.Set(Utc(2026, 12, 4, 10));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P1);
  auto comment = [&](const std::string& role, const std::string& tenant, pb::Comment::Visibility v,
                     pb::Comment::Kind k, bool awaits, pb::Comment* out) {
    pb::AddCommentRequest req;
    req.set_parent(t.name());
    req.mutable_comment()->set_body("text");
    req.mutable_comment()->set_visibility(v);
    req.mutable_comment()->set_kind(k);
    req.mutable_comment()->set_awaits_reply(awaits);
    return stub_->AddComment(As(role, tenant).get(), req, out);
  };
  pb::Comment c;
  clock_.Set(Utc(2026, 12, 4, 10, 5));
  ASSERT_TRUE(
      comment("msp_agent", "", pb::Comment::INTERNAL, pb::Comment::MESSAGE, false, &c).ok());
  EXPECT_EQ(ClockOf(Get(t.name()), sla::v1::CLOCK_FIRST_RESPONSE)->state(), pb::Clock::RUNNING);
  clock_.Set(Utc(2026, 12, 4, 10, 10));
  ASSERT_TRUE(
      comment("msp_agent", "", pb::Comment::INTERNAL, pb::Comment::PHONE_CALL, false, &c).ok());
  pb::Ticket after_call = Get(t.name());
  EXPECT_EQ(ClockOf(after_call, sla::v1::CLOCK_FIRST_RESPONSE)->state(), pb::Clock::MET);
  EXPECT_EQ(ClockOf(after_call, sla::v1::CLOCK_FIRST_RESPONSE)->met_time().seconds(),
            Utc(2026, 12, 4, 10, 10));
  // A customer question starts the update interval; customers cannot write internal notes.
  EXPECT_EQ(
      comment("customer_user", acme_.id, pb::Comment::INTERNAL, pb::Comment::MESSAGE, false, &c)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(
      comment("customer_user", acme_.id, pb::Comment::PUBLIC, pb::Comment::MESSAGE, true, &c).ok());
  EXPECT_EQ(c.side(), pb::Comment::CUSTOMER);
  const pb::Ticket asked = Get(t.name());
  const pb::Clock* update = ClockOf(asked, sla::v1::CLOCK_UPDATE_INTERVAL);
  EXPECT_EQ(update->cycle(), 1);
  EXPECT_EQ(update->due_time().seconds(), Utc(2026, 12, 4, 11, 10));

  pb::ListCommentsRequest list;
  list.set_parent(t.name());
  pb::ListCommentsResponse msp, customer;
  ASSERT_TRUE(stub_->ListComments(As("msp_agent").get(), list, &msp).ok());
  ASSERT_TRUE(stub_->ListComments(As("customer_user", acme_.id).get(), list, &customer).ok());
  EXPECT_EQ(msp.comments_size(), 3);
  EXPECT_EQ(customer.comments_size(), 1);
  for (const auto& cm : customer.comments()) EXPECT_EQ(cm.visibility(), pb::Comment::PUBLIC);
}

TEST_F(TicketApi, CustomersSeeOnlyTheirOwnTicketsAndCannotDoTheMspsWork) {
  const pb::Ticket mine = Open(acme_, sla::v1::PRIORITY_P3, "customer_user");
  const pb::Ticket theirs = Open(other_, sla::v1::PRIORITY_P3);
  pb::GetTicketRequest get;
  get.set_name(theirs.name());
  pb::Ticket out;
  EXPECT_EQ(stub_->GetTicket(As("customer_user", acme_.id).get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_name(mine.name());
  EXPECT_TRUE(stub_->GetTicket(As("customer_user", acme_.id).get(), get, &out).ok());
  // A ticket for another customer cannot be opened either.
  pb::CreateTicketRequest create;
  create.set_parent(other_.customer);
  *create.mutable_ticket() = mine;
  create.mutable_ticket()->set_contract(other_.contract);
  EXPECT_EQ(stub_->CreateTicket(As("customer_user", acme_.id).get(), create, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::ListTicketsRequest list;
  list.set_parent("customers/-");
  pb::ListTicketsResponse listed;
  ASSERT_TRUE(stub_->ListTickets(As("customer_admin", acme_.id).get(), list, &listed).ok());
  ASSERT_EQ(listed.tickets_size(), 1);
  EXPECT_EQ(listed.tickets(0).name(), mine.name());
  pb::ChangePriorityRequest prio;
  prio.set_name(mine.name());
  prio.set_priority(sla::v1::PRIORITY_P1);
  prio.set_reason("I say so");
  EXPECT_EQ(stub_->ChangePriority(As("customer_admin", acme_.id).get(), prio, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::ListEventsRequest events;
  pb::ListEventsResponse ev;
  EXPECT_EQ(stub_->ListEvents(As("customer_admin", acme_.id).get(), events, &ev).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TicketApi, CreateIsIdempotentByRequestIdAndValidatesInput) {
  const pb::Ticket a = Open(acme_, sla::v1::PRIORITY_P3, "msp_agent", "req-1");
  const pb::Ticket b = Open(acme_, sla::v1::PRIORITY_P3, "msp_agent", "req-1");
  EXPECT_EQ(a.name(), b.name());
  EXPECT_EQ(test::CountRows(*ticket_pool_, "tickets"), 1);

  pb::CreateTicketRequest req;
  req.set_parent(acme_.customer);
  pb::Ticket* in = req.mutable_ticket();
  in->set_contract(acme_.contract);
  in->set_service_id("gardening");
  in->set_priority(sla::v1::PRIORITY_P3);
  in->set_title("x");
  in->set_reporter("r");
  pb::Ticket out;
  grpc::Status s = stub_->CreateTicket(As("msp_agent").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("ticket.service_id"));
  in->set_service_id("service-desk");
  in->set_title(std::string(301, 'x'));
  s = stub_->CreateTicket(As("msp_agent").get(), req, &out);
  EXPECT_THAT(s.error_message(), HasSubstr("ticket.title"));
  in->set_title("x");
  in->set_contract(other_.contract);
  s = stub_->CreateTicket(As("msp_agent").get(), req, &out);
  EXPECT_THAT(s.error_message(), HasSubstr("ticket.contract"));
  in->set_contract(acme_.customer + "/contracts/nope");
  s = stub_->CreateTicket(As("msp_agent").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

// A new ticket whose id is taken is opened again under a fresh id, with or without a request
// id; only a request id claimed before answers with the earlier ticket.
TEST_F(TicketApi, CreateRetriesATakenTicketIdUnderAFreshOne) {
  const std::string taken = RandomTimeOrderedId('t', clock_.Now());
  ForceIds({taken, taken, taken});
  const pb::Ticket a = Open(acme_, sla::v1::PRIORITY_P3, "msp_agent", "req-a");
  const pb::Ticket b = Open(acme_, sla::v1::PRIORITY_P3, "msp_agent", "req-b");
  const pb::Ticket c = Open(acme_, sla::v1::PRIORITY_P3);
  EXPECT_EQ(a.name(), acme_.customer + "/tickets/" + taken);
  EXPECT_NE(b.name(), a.name());
  EXPECT_NE(c.name(), a.name());
  EXPECT_NE(c.name(), b.name());
  EXPECT_EQ(test::CountRows(*ticket_pool_, "tickets"), 3);
  EXPECT_EQ(test::CountRows(*ticket_pool_, "outbox"), 3);
  EXPECT_EQ(Get(b.name()).title(), "Printer on floor 3 is down");
  EXPECT_EQ(Open(acme_, sla::v1::PRIORITY_P3, "msp_agent", "req-b").name(), b.name());
  {
    // The same request id with another request (here a P2) is refused, naming the id.
    pb::CreateTicketRequest other;
    other.set_parent(acme_.customer);
    other.set_request_id("req-b");
    other.mutable_ticket()->set_contract(acme_.contract);
    other.mutable_ticket()->set_service_id("service-desk");
    other.mutable_ticket()->set_priority(sla::v1::PRIORITY_P2);
    other.mutable_ticket()->set_title("Printer on floor 3 is down");
    other.mutable_ticket()->set_reporter("r");
    pb::Ticket ignored;
    const grpc::Status mismatch = stub_->CreateTicket(As("msp_agent").get(), other, &ignored);
    EXPECT_EQ(mismatch.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << mismatch.error_message();
    EXPECT_NE(mismatch.error_message().find("req-b"), std::string::npos)
        << mismatch.error_message();
  }

  // Ids that stay taken end in an error, not in a lost or doubled ticket.
  ForceIds({taken, taken, taken});
  pb::CreateTicketRequest req;
  req.set_parent(acme_.customer);
  req.set_request_id("req-d");
  pb::Ticket* in = req.mutable_ticket();
  in->set_contract(acme_.contract);
  in->set_service_id("service-desk");
  in->set_priority(sla::v1::PRIORITY_P3);
  in->set_title("x");
  in->set_reporter("r");
  pb::Ticket out;
  const grpc::Status s = stub_->CreateTicket(As("msp_agent").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL) << s.error_message();
  EXPECT_EQ(test::CountRows(*ticket_pool_, "tickets"), 3);
  EXPECT_EQ(test::CountRows(*ticket_pool_, "request_log"), 2);
}

// A priority the API does not know (a newer client's, or a typo'd number) is named as such,
// not answered "is required".
TEST_F(TicketApi, AnUnknownPriorityIsRefusedNamingTheValuesItMayTake) {
  pb::CreateTicketRequest req = NewTicketRequest(acme_, sla::v1::PRIORITY_P3, "");
  req.mutable_ticket()->set_priority(static_cast<sla::v1::Priority>(99));
  pb::Ticket out;
  const grpc::Status s = stub_->CreateTicket(As("msp_agent").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("ticket.priority"));
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("99 is not a known value"));
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("PRIORITY_P5"));
}

// The server's id of the one connection of `pool`, which then is killed from another one.
void KillTheConnectionOf(mysql::ConnectionPool& pool, mysql::ConnectionPool& killer) {
  int64_t id = 0;
  ASSERT_TRUE(mysql::WithConnection(pool, [&](mysql::Connection& c) {
                return mysql::Guard([&] {
                  std::unique_ptr<sql::Statement> st(c.raw().createStatement());
                  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT CONNECTION_ID()"));
                  rs->next();
                  id = rs->getInt64(1);
                });
              }).ok());
  ASSERT_TRUE(mysql::WithConnection(killer, [&](mysql::Connection& c) {
                return c.ExecuteUnprepared(absl::StrCat("KILL ", id));
              }).ok());
}

// A ticket written alone (the fallback of a failed batch) goes through the same statements as a
// batch. A write whose connection is lost finds out from its claim whether it committed: not
// yet, it runs again; already, it is its own ticket and nothing is written twice. Another claim
// that draws the same ticket id still fails.
TEST_F(TicketApi, ANewTicketWrittenAloneAfterALostConnectionIsWrittenOnce) {
  mysql::ConnectionOptions one = ticket_db_options();
  one.pool_size = 1;
  auto pool = mysql::ConnectionPool::Create(one);
  ASSERT_TRUE(pool.ok()) << pool.status();
  NewTicketRows r;
  r.ticket.id = "t-alone";
  r.ticket.customer_id = acme_.id;
  r.ticket.contract_id = "c";
  r.ticket.service_id = "service-desk";
  r.ticket.priority = sla::v1::PRIORITY_P3;
  r.ticket.title = "Mail is down";
  r.ticket.create_time = r.ticket.update_time = 1'796'000'000;
  r.history = {"t-alone", 1, ""};
  r.event = {"ticket.opened", r.ticket.name(), acme_.id, 1'796'000'000, {}};
  r.event.payload.mutable_ticket()->set_ticket(r.ticket.name());
  r.claim = {"replay-guard-1", "CreateTicket", "agent", r.ticket.name(), ""};
  auto counts = [&] {
    return std::vector<int64_t>{
        test::CountRows(*ticket_pool_, "tickets"), test::CountRows(*ticket_pool_, "sla_history"),
        test::CountRows(*ticket_pool_, "outbox"), test::CountRows(*ticket_pool_, "request_log")};
  };

  KillTheConnectionOf(**pool, *ticket_pool_);
  absl::Status s = storage::InsertNewTicketAlone(**pool, r);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(counts(), (std::vector<int64_t>{1, 1, 1, 1}));
  // The same write again after a lost connection, as when the COMMIT ran but its answer was lost.
  KillTheConnectionOf(**pool, *ticket_pool_);
  s = storage::InsertNewTicketAlone(**pool, r);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(counts(), (std::vector<int64_t>{1, 1, 1, 1}));
  r.claim.request_id = "replay-guard-2";
  EXPECT_EQ(storage::InsertNewTicketAlone(**pool, r).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(counts(), (std::vector<int64_t>{1, 1, 1, 1}));
}

// Concurrent CreateTickets share transactions (group commit). Pairs of callers send the same
// request id at the same time: each pair gets one ticket, the batch a duplicate lands in
// still writes everyone else's, and every ticket has its history row and its one event.
TEST_F(TicketApi, ConcurrentCreatesShareTransactionsAndEachRequestIdGetsOneTicket) {
  constexpr int kThreads = 24, kPerThread = 10;
  std::vector<std::vector<std::string>> names(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        pb::CreateTicketRequest req;
        req.set_parent(acme_.customer);
        req.set_request_id(absl::StrCat("pair-", t / 2, "-", i));  // threads 2k and 2k+1 collide
        pb::Ticket* in = req.mutable_ticket();
        in->set_contract(acme_.contract);
        in->set_service_id("service-desk");
        in->set_priority(sla::v1::PRIORITY_P3);
        in->set_title(absl::StrCat("เครื่องพิมพ์ชั้น 3 เสีย 'x'); -- \\ #", t / 2, "-", i));
        in->set_reporter("somchai@acme.example");
        pb::Ticket out;
        const grpc::Status st = stub_->CreateTicket(As("msp_agent").get(), req, &out);
        if (!st.ok()) {
          failures++;
          ADD_FAILURE() << st.error_message();
        }
        names[t].push_back(out.name());
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  std::set<std::string> distinct;
  for (int t = 0; t < kThreads; t += 2) {
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_EQ(names[t][i], names[t + 1][i]) << "request id pair-" << t / 2 << "-" << i;
      distinct.insert(names[t][i]);
    }
  }
  constexpr int kTickets = kThreads / 2 * kPerThread;
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kTickets));
  EXPECT_EQ(test::CountRows(*ticket_pool_, "tickets"), kTickets);
  EXPECT_EQ(test::CountRows(*ticket_pool_, "sla_history"), kTickets);
  EXPECT_EQ(test::CountRows(*ticket_pool_, "outbox"), kTickets);
  EXPECT_EQ(test::CountRows(*ticket_pool_, "request_log"), kTickets);
  // A batch numbers its own events; one that failed (a request id taken by its pair) was
  // replayed ticket by ticket and left its events to the sequencer. Together: 1..N, no gap.
  const int64_t numbered_by_batches =
      test::QueryInt64(*ticket_pool_, "SELECT COUNT(*) FROM outbox WHERE seq IS NOT NULL");
  EXPECT_GT(numbered_by_batches, 0);
  ASSERT_TRUE(ticket_->sequencer().RunOnce().ok());
  EXPECT_EQ(test::QueryInt64(*ticket_pool_, "SELECT COUNT(DISTINCT seq) FROM outbox"), kTickets);
  EXPECT_EQ(test::QueryInt64(*ticket_pool_, "SELECT MIN(seq) FROM outbox"), 1);
  EXPECT_EQ(test::QueryInt64(*ticket_pool_, "SELECT MAX(seq) FROM outbox"), kTickets);
  EXPECT_EQ(test::QueryInt64(*ticket_pool_, "SELECT last_seq FROM outbox_sequence"), kTickets);
  // The title went through SQL as a literal and comes back byte for byte.
  pb::GetTicketRequest get;
  get.set_name(names[6][3]);
  pb::Ticket back;
  ASSERT_TRUE(stub_->GetTicket(As("msp_agent").get(), get, &back).ok());
  EXPECT_EQ(back.title(), "เครื่องพิมพ์ชั้น 3 เสีย 'x'); -- \\ #3-3");
  const auto stats = ticket_->manager().create_commit_stats();
  EXPECT_EQ(stats.items, kThreads * kPerThread);
  EXPECT_GT(stats.max_batch_seen, 1) << "24 concurrent callers never shared a transaction";
  EXPECT_LT(stats.batches, stats.items);
}

TEST_F(TicketApi, ListOrderedByNextDueTimeIsTheNextToBreachQueue) {
  clock_.Set(Utc(2026, 12, 4, 10));
  const pb::Ticket p3 = Open(acme_, sla::v1::PRIORITY_P3);
  const pb::Ticket p1 = Open(acme_, sla::v1::PRIORITY_P1);
  const pb::Ticket p2 = Open(acme_, sla::v1::PRIORITY_P2);
  const pb::Ticket done = Open(acme_, sla::v1::PRIORITY_P1);
  for (auto st : {pb::Ticket::ACKNOWLEDGED, pb::Ticket::IN_PROGRESS, pb::Ticket::RESOLVED}) {
    ASSERT_TRUE(Move(done, st).ok());  // resolved: no running clock, so last
  }
  const pb::Ticket p1_later = [&] {
    clock_.Set(Utc(2026, 12, 4, 10, 5));
    return Open(acme_, sla::v1::PRIORITY_P1);
  }();
  // Page by page (one ticket each), across the step from running clocks to none.
  pb::ListTicketsRequest req;
  req.set_parent("customers/-");
  req.set_order_by("next_due_time");
  req.set_page_size(1);
  std::vector<std::string> names;
  for (int page = 0; page < 10; ++page) {
    pb::ListTicketsResponse out;
    const grpc::Status s = stub_->ListTickets(As("msp_agent").get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& t : out.tickets()) names.push_back(t.name());
    if (out.next_page_token().empty()) break;
    req.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(names, (std::vector<std::string>{p1.name(), p1_later.name(), p2.name(), p3.name(),
                                             done.name()}));
  // All at once gives the same order.
  pb::ListTicketsRequest all;
  all.set_parent(acme_.customer);
  all.set_order_by("next_due_time");
  pb::ListTicketsResponse out;
  ASSERT_TRUE(stub_->ListTickets(As("customer_user", acme_.id).get(), all, &out).ok());
  std::vector<std::string> at_once;
  for (const auto& t : out.tickets()) at_once.push_back(t.name());
  EXPECT_EQ(at_once, names);
  // A token holds to its order; unknown orders name the field.
  req.clear_order_by();
  EXPECT_EQ(stub_->ListTickets(As("msp_agent").get(), req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* bad : {"title", "next_due_time desc", "next_due_time, title"}) {
    all.set_order_by(bad);
    const grpc::Status s = stub_->ListTickets(As("msp_agent").get(), all, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_NE(s.error_message().find("order_by"), std::string::npos) << s.error_message();
  }
}

TEST_F(TicketApi, ListFiltersByStatusPriorityBreachedAtRiskAndDueTime) {
  clock_.Set(Utc(2026, 12, 4, 10));
  const pb::Ticket p1 = Open(acme_, sla::v1::PRIORITY_P1);
  const pb::Ticket p3 = Open(acme_, sla::v1::PRIORITY_P3);
  ASSERT_TRUE(Move(p3, pb::Ticket::ACKNOWLEDGED).ok());
  auto list = [&](const std::string& filter) {
    pb::ListTicketsRequest req;
    req.set_parent(acme_.customer);
    req.set_filter(filter);
    pb::ListTicketsResponse out;
    const grpc::Status s = stub_->ListTickets(As("msp_agent").get(), req, &out);
    EXPECT_TRUE(s.ok()) << filter << ": " << s.error_message();
    std::vector<std::string> names;
    for (const auto& t : out.tickets()) names.push_back(t.name());
    return names;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list("priority = PRIORITY_P1"), V{p1.name()});
  EXPECT_EQ(list("status = ACKNOWLEDGED"), V{p3.name()});
  EXPECT_EQ(list("at_risk = true"), V{});
  clock_.Set(Utc(2026, 12, 4, 10, 8));  // P1 response is past its 50 % warning level
  EXPECT_EQ(list("at_risk = true"), V{p1.name()});
  EXPECT_EQ(list("due_before = \"2026-12-04T10:20:00Z\""), V{p1.name()});
  EXPECT_EQ(list("breached = true"), V{});
  clock_.Set(Utc(2026, 12, 4, 10, 20));
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());
  EXPECT_EQ(list("breached = true"), V{p1.name()});
  pb::ListTicketsRequest bad;
  bad.set_parent(acme_.customer);
  bad.set_filter("colour = red");
  pb::ListTicketsResponse out;
  const grpc::Status s = stub_->ListTickets(As("msp_agent").get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // An unknown field is named as such whatever the operator; a known one with `:` is told `=`.
  for (const char* f : {"title : \"mail\"", "title = mail"}) {
    bad.set_filter(f);
    const grpc::Status unknown = stub_->ListTickets(As("msp_agent").get(), bad, &out);
    EXPECT_THAT(unknown.error_message(),
                ::testing::HasSubstr("field `filter.title`: unknown field (status,"))
        << f;
  }
  bad.set_filter("status : NEW");
  EXPECT_THAT(stub_->ListTickets(As("msp_agent").get(), bad, &out).error_message(),
              ::testing::HasSubstr("field `filter.status`: supports only `=`"));
  EXPECT_THAT(s.error_message(), HasSubstr("filter.colour"));
}

TEST_F(TicketApi, ExclusionPausesClocksOnlyForClausesThatSaySo) {
  clock_.Set(Utc(2026, 12, 4, 10));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P1);
  pb::PauseClocksRequest req;
  req.set_name(t.name());
  req.set_exclusion_id("customer-caused");
  req.set_reason("customer changed firewall");
  pb::Ticket out;
  EXPECT_EQ(stub_->PauseClocks(As("msp_agent").get(), req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_exclusion_id("force-majeure");
  ASSERT_TRUE(stub_->PauseClocks(As("msp_agent").get(), req, &out).ok());
  EXPECT_EQ(out.pause_exclusion_id(), "force-majeure");
  clock_.Set(Utc(2026, 12, 4, 12));
  pb::ResumeClocksRequest resume;
  resume.set_name(t.name());
  ASSERT_TRUE(stub_->ResumeClocks(As("msp_agent").get(), resume, &out).ok());
  EXPECT_EQ(ClockOf(out, sla::v1::CLOCK_FIRST_RESPONSE)->due_time().seconds(),
            Utc(2026, 12, 4, 12, 15));
  EXPECT_EQ(ClockOf(out, sla::v1::CLOCK_FIRST_RESPONSE)->paused_seconds(), 7200);
}

TEST_F(TicketApi, ManualEscalationFollowsThePolicysRoles) {
  clock_.Set(Utc(2026, 12, 4, 10));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P1);
  pb::EscalateTicketRequest req;
  req.set_name(t.name());
  req.set_clock(sla::v1::CLOCK_RESOLUTION);
  req.set_reason("CEO cannot send mail");
  pb::Escalation out;
  // The example policy lets customer_admin and msp_agent escalate, not msp_admin.
  EXPECT_EQ(stub_->EscalateTicket(As("msp_admin").get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->EscalateTicket(As("customer_admin", acme_.id).get(), req, &out).ok());
  EXPECT_EQ(out.level(), 1);
  EXPECT_TRUE(out.manual());
  ASSERT_EQ(out.notifications_size(), 1);
  EXPECT_EQ(out.notifications(0).contact().address(), "#desk-leads");
  req.set_level(1);
  EXPECT_EQ(stub_->EscalateTicket(As("msp_agent").get(), req, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  pb::ListEscalationsRequest list;
  list.set_parent(t.name());
  pb::ListEscalationsResponse fired;
  ASSERT_TRUE(stub_->ListEscalations(As("msp_agent").get(), list, &fired).ok());
  ASSERT_EQ(fired.escalations_size(), 1);
  EXPECT_EQ(fired.escalations(0).reason(), "CEO cannot send mail");
  // A person escalated: the SLA history says who, which level and why.
  pb::ListSlaHistoryRequest hreq;
  hreq.set_parent(t.name());
  pb::ListSlaHistoryResponse history;
  ASSERT_TRUE(stub_->ListSlaHistory(As("msp_agent").get(), hreq, &history).ok());
  const pb::SlaHistoryEntry* escalated = nullptr;
  for (const auto& e : history.entries()) {
    if (e.cause() == "escalated") escalated = &e;
  }
  ASSERT_NE(escalated, nullptr);
  EXPECT_EQ(escalated->reason(), "CEO cannot send mail");
  EXPECT_EQ(escalated->clock(), sla::v1::CLOCK_RESOLUTION);
  EXPECT_THAT(escalated->detail(), ::testing::HasSubstr("level 1"));
  EXPECT_FALSE(escalated->actor().empty());
}

// The reason given with a status change is in the SLA history and in the event.
TEST_F(TicketApi, ATransitionsReasonIsInTheHistoryAndTheEvent) {
  clock_.Set(Utc(2026, 12, 4, 10));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P3);
  pb::TransitionTicketRequest req;
  req.set_name(t.name());
  req.set_status(pb::Ticket::ACKNOWLEDGED);
  req.set_reason("Seen by the night desk");
  pb::Ticket out;
  ASSERT_TRUE(stub_->TransitionTicket(As("msp_agent").get(), req, &out).ok());
  pb::ListSlaHistoryRequest hreq;
  hreq.set_parent(t.name());
  pb::ListSlaHistoryResponse history;
  ASSERT_TRUE(stub_->ListSlaHistory(As("msp_agent").get(), hreq, &history).ok());
  bool recorded = false;
  for (const auto& e : history.entries()) {
    recorded =
        recorded || (e.cause() == "status_changed" && e.reason() == "Seen by the night desk" &&
                     e.detail() == "NEW → ACKNOWLEDGED");
  }
  EXPECT_TRUE(recorded);
  ASSERT_TRUE(ticket_->sequencer().RunOnce().ok());
  pb::ListEventsRequest ereq;
  ereq.set_page_size(100);
  pb::ListEventsResponse events;
  ASSERT_TRUE(stub_->ListEvents(As("msp_agent").get(), ereq, &events).ok());
  bool announced = false;
  for (const auto& e : events.events()) {
    if (e.type() != "ticket.status_changed") continue;
    pb::TicketEventPayload p;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.payload_json(), &p).ok());
    announced = announced || p.reason() == "Seen by the night desk";
  }
  EXPECT_TRUE(announced);
}

TEST_F(TicketApi, OutagesAreRecordedValidatedAndAnnounced) {
  clock_.Set(Utc(2026, 12, 4, 10));
  pb::CreateOutageRequest req;
  req.set_parent(acme_.customer);
  pb::Outage* o = req.mutable_outage();
  o->set_contract(acme_.contract);
  o->set_service_id("email-hosting");
  o->mutable_start_time()->set_seconds(Utc(2026, 12, 4, 9, 20));
  o->set_summary("Mail relay down");
  pb::Outage open;
  ASSERT_TRUE(stub_->CreateOutage(As("msp_agent").get(), req, &open).ok());
  EXPECT_FALSE(open.has_end_time());
  pb::Outage bad;
  o->set_exclusion_id("no-such-clause");
  EXPECT_EQ(stub_->CreateOutage(As("msp_agent").get(), req, &bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  o->set_exclusion_id("");
  o->mutable_start_time()->set_seconds(Utc(2026, 12, 5, 0));
  EXPECT_EQ(stub_->CreateOutage(As("msp_agent").get(), req, &bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // in the future
  EXPECT_EQ(stub_->CreateOutage(As("customer_admin", acme_.id).get(), req, &bad).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  pb::CloseOutageRequest close;
  close.set_name(open.name());
  close.mutable_end_time()->set_seconds(Utc(2026, 12, 4, 9, 0));
  pb::Outage closed;
  EXPECT_EQ(stub_->CloseOutage(As("msp_agent").get(), close, &closed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // before the start
  close.mutable_end_time()->set_seconds(Utc(2026, 12, 4, 9, 58));
  ASSERT_TRUE(stub_->CloseOutage(As("msp_agent").get(), close, &closed).ok());
  EXPECT_EQ(closed.end_time().seconds(), Utc(2026, 12, 4, 9, 58));
  EXPECT_EQ(stub_->CloseOutage(As("msp_agent").get(), close, &closed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  pb::ListOutagesRequest list;
  list.set_parent("customers/-");
  list.set_filter("service_id = email-hosting AND open = false");
  pb::ListOutagesResponse listed;
  ASSERT_TRUE(stub_->ListOutages(As("customer_user", acme_.id).get(), list, &listed).ok());
  ASSERT_EQ(listed.outages_size(), 1);
  ASSERT_TRUE(ticket_->sequencer().RunOnce().ok());
  pb::ListEventsRequest ereq;
  pb::ListEventsResponse events;
  ASSERT_TRUE(stub_->ListEvents(As("billing_system").get(), ereq, &events).ok());
  std::vector<std::string> types;
  for (const auto& e : events.events()) {
    if (e.subject() == open.name()) types.push_back(e.type());
  }
  EXPECT_EQ(types, (std::vector<std::string>{"outage.opened", "outage.closed"}));
}

// The payloads ticket-svc writes and the messages its consumers read them into are one schema:
// every event of a ticket's and an outage's life parses into its declared message with no
// field left over (consumers ignore unknown fields, so drift would otherwise pass unnoticed).
TEST_F(TicketApi, EveryEventPayloadIsExactlyItsDeclaredMessage) {
  clock_.Set(Utc(2026, 12, 1, 2));
  const pb::Ticket t = Open(acme_, sla::v1::PRIORITY_P3);
  clock_.Set(Utc(2026, 12, 1, 5));
  pb::ChangePriorityRequest prio;
  prio.set_name(t.name());
  prio.set_priority(sla::v1::PRIORITY_P2);
  prio.set_reason("whole floor affected");
  pb::Ticket out;
  ASSERT_TRUE(stub_->ChangePriority(As("msp_agent").get(), prio, &out).ok());
  for (auto s : {pb::Ticket::ACKNOWLEDGED, pb::Ticket::IN_PROGRESS, pb::Ticket::WAITING_ON_CUSTOMER,
                 pb::Ticket::IN_PROGRESS, pb::Ticket::RESOLVED}) {
    ASSERT_TRUE(Move(t, s).ok()) << s;
  }
  ASSERT_TRUE(
      Move(t, pb::Ticket::IN_PROGRESS, nullptr, "customer_user", acme_.id).ok());  // reopened
  ASSERT_TRUE(Move(t, pb::Ticket::RESOLVED).ok());
  pb::RecordRootCauseRequest rca;
  rca.set_name(t.name());
  rca.set_root_cause("Toner sensor failure");
  rca.set_preventive_action("Replace sensors at each service visit");
  ASSERT_TRUE(stub_->RecordRootCause(As("msp_agent").get(), rca, &out).ok());
  ASSERT_TRUE(Move(t, pb::Ticket::CLOSED, nullptr, "customer_admin", acme_.id).ok());
  // A P1 nobody answers: the worker breaches its clocks and escalates.
  const pb::Ticket ignored = Open(acme_, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2026, 12, 2, 5));
  ASSERT_TRUE(ticket_->worker().RunOnce().ok());
  pb::CreateOutageRequest outage;
  outage.set_parent(acme_.customer);
  outage.mutable_outage()->set_contract(acme_.contract);
  outage.mutable_outage()->set_service_id("email-hosting");
  outage.mutable_outage()->mutable_start_time()->set_seconds(Utc(2026, 12, 2, 1));
  pb::Outage opened;
  ASSERT_TRUE(stub_->CreateOutage(As("msp_agent").get(), outage, &opened).ok());
  pb::CloseOutageRequest close;
  close.set_name(opened.name());
  close.mutable_end_time()->set_seconds(Utc(2026, 12, 2, 2));
  ASSERT_TRUE(stub_->CloseOutage(As("msp_agent").get(), close, &opened).ok());
  ASSERT_TRUE(ticket_->sequencer().RunOnce().ok());

  pb::ListEventsRequest list;
  list.set_page_size(1000);
  pb::ListEventsResponse events;
  ASSERT_TRUE(stub_->ListEvents(As("msp_agent").get(), list, &events).ok());
  google::protobuf::util::JsonParseOptions strict;  // unknown fields are errors
  std::set<std::string> types;
  for (const pb::Event& e : events.events()) {
    types.insert(e.type());
    pb::TicketEventPayload ticket_payload;
    pb::OutagePayload outage_payload;
    google::protobuf::Message& into = absl::StartsWith(e.type(), "outage.")
                                          ? static_cast<google::protobuf::Message&>(outage_payload)
                                          : static_cast<google::protobuf::Message&>(ticket_payload);
    const auto parsed =
        google::protobuf::util::JsonStringToMessage(e.payload_json(), &into, strict);
    EXPECT_TRUE(parsed.ok()) << e.type() << ": " << parsed.ToString() << "\n" << e.payload_json();
    if (e.type() == "clock.breached") {
      pb::ClockBreachedPayload billing_view;  // what billing-svc reads of it
      google::protobuf::util::JsonParseOptions lenient;
      lenient.ignore_unknown_fields = true;
      ASSERT_TRUE(
          google::protobuf::util::JsonStringToMessage(e.payload_json(), &billing_view, lenient)
              .ok());
      EXPECT_FALSE(billing_view.contract().empty());
      EXPECT_TRUE(billing_view.has_breach_time());
    }
  }
  for (const char* type :
       {"ticket.opened", "ticket.priority_changed", "escalation.fired", "ticket.resolved",
        "ticket.reopened", "ticket.rca_recorded", "ticket.closed", "clock.met", "clock.breached",
        "outage.opened", "outage.closed"}) {
    EXPECT_EQ(types.count(type), 1u) << type << " was not produced by the scenario";
  }

  // The typed stream: the same events, each payload of its type's family, and the earlier
  // envelope's JSON is exactly its rendering.
  auto typed = sla::v1::EventService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", harness_->ticket_port()), grpc::InsecureChannelCredentials()));
  sla::v1::ListEventsRequest tlist;
  tlist.set_page_size(1000);
  sla::v1::ListEventsResponse tevents;
  ASSERT_TRUE(typed->ListEvents(As("msp_agent").get(), tlist, &tevents).ok());
  EXPECT_EQ(tevents.stream(), "ticket-svc");
  EXPECT_EQ(tevents.epoch(), events.epoch());
  sla::v1::ListEventsRequest elsewhere;
  elsewhere.set_stream("billing-svc");
  sla::v1::ListEventsResponse none;
  const grpc::Status misrouted = typed->ListEvents(As("msp_agent").get(), elsewhere, &none);
  EXPECT_EQ(misrouted.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(misrouted.error_message(), ::testing::HasSubstr("serves `ticket-svc`"));
  ASSERT_EQ(tevents.events_size(), events.events_size());
  for (int i = 0; i < tevents.events_size(); ++i) {
    const sla::v1::Event& e = tevents.events(i);
    EXPECT_EQ(e.sequence(), events.events(i).sequence());
    EXPECT_EQ(e.type(), events.events(i).type());
    EXPECT_EQ(e.producer(), "ticket-svc");
    EXPECT_EQ(e.payload().kind_case(), outbox::FamilyOf(e.type())) << e.type();
    EXPECT_EQ(outbox::PayloadJson(e.payload()), events.events(i).payload_json()) << e.type();
    if (e.type() == "clock.breached") {
      EXPECT_FALSE(e.payload().ticket().contract().empty());
      EXPECT_TRUE(e.payload().ticket().has_breach_time());
    }
    if (e.type() == "escalation.fired") {
      EXPECT_GT(e.payload().ticket().level(), 0);
      EXPECT_GT(e.payload().ticket().threshold_ppm(), 0);
    }
  }
}

}  // namespace
}  // namespace sla::ticket
