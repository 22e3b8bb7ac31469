// ticket-svc's use cases on the in-memory repository: creating (group commit and its fallback,
// retries by request id), changes and what they write together, access between customers, the
// escalation worker, comments and outages, in milliseconds and without MariaDB. The MariaDB
// tests (api/*_mysql_test.cc, app/*_mysql_test.cc) check the same rules end to end.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/core/test_terms.h"
#include "gtest/gtest.h"
#include "ticket-svc/api/ticket_convert.h"
#include "ticket-svc/app/fake_ticket_repository.h"
#include "ticket-svc/app/outage_manager.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_manager.h"
#include "ticket-svc/app/ticket_reader.h"
#include "ticket-svc/app/workers.h"

namespace sla::ticket {
namespace {

using testing::FakeTicketRepository;
using testing::FakeTicketState;

constexpr char kAcme[] = "customers/acme";
constexpr char kContract[] = "customers/acme/contracts/k1";
constexpr char kOtherContract[] = "customers/globex/contracts/k9";

// contract-svc as the use cases see it: every contract under the Bangkok terms, version 1.
class StaticTerms final : public clients::TermsSource {
 public:
  absl::StatusOr<ResolvedVersion> Resolve(const std::string& contract, absl::Time) override {
    calls++;
    ResolvedVersion v;
    v.name = absl::StrCat(contract, "/versions/1");
    v.terms = core::testing::BangkokTerms();
    v.effective_from = absl::FromUnixSeconds(0);
    return v;
  }
  absl::StatusOr<ResolvedVersion> ResolveVersion(const std::string& contract,
                                                 const std::string&) override {
    return Resolve(contract, absl::Now());
  }
  int calls = 0;
};

// The ticket as the API shows it.
absl::StatusOr<pb::Ticket> Proto(absl::StatusOr<TicketView> v) {
  if (!v.ok()) return v.status();
  pb::Ticket out;
  absl::Status s = TicketToProto(v->ticket, *v->terms, v->now, &out);
  if (!s.ok()) return s;
  return out;
}

server::Identity Agent() { return {"agent-1", "", {"msp_agent"}}; }
server::Identity AcmeUser() { return {"ann@acme", "acme", {"customer_user"}}; }
server::Identity GlobexUser() { return {"gus@globex", "globex", {"customer_user"}}; }

class TicketAppTest : public ::testing::Test {
 protected:
  TicketAppTest()
      : terms_(&source_, &repo_, [this] { return now_; }),
        manager_(&repo_, &terms_, Options()),
        reader_(&repo_, &terms_, [this] { return now_; }),
        outages_(&repo_, &terms_, Options()),
        worker_(&repo_, &terms_, EscalationWorkerOptions{[this] { return now_; }, 10}) {}

  TicketManagerOptions Options() {
    TicketManagerOptions o;
    o.clock = [this] { return now_; };
    o.on_events_written = [this] { wakes_++; };
    o.create_commits.max_batch = 1;  // each CreateTicket its own commit, decided by the caller
    o.new_id = [this](char prefix, absl::Time) {
      return absl::StrCat(std::string(1, prefix), ++ids_);
    };
    return o;
  }

  static pb::CreateTicketRequest NewTicket(sla::v1::Priority p, const std::string& request_id = "",
                                           const std::string& title = "Mail is down") {
    pb::CreateTicketRequest req;
    req.set_parent(kAcme);
    req.set_request_id(request_id);
    pb::Ticket& t = *req.mutable_ticket();
    t.set_contract(kContract);
    t.set_service_id("service-desk");
    t.set_priority(p);
    t.set_title(title);
    t.set_reporter("ann@acme");
    return req;
  }
  absl::StatusOr<pb::Ticket> Create(const server::Identity& who, const pb::CreateTicketRequest& r,
                                    const std::string& fingerprint = "f1") {
    return Proto(
        manager_.CreateTicket(who, convert::FromRequest(r), {r.request_id(), fingerprint}));
  }
  std::vector<std::string> EventTypes() {
    std::vector<std::string> out;
    for (const outbox::Row& e : repo_.state().events) out.push_back(e.type);
    return out;
  }

  // Tuesday 2026-12-08 10:00 in Bangkok: inside business hours.
  absl::Time now_ = absl::FromUnixSeconds(core::testing::Utc(2026, 12, 8, 3));
  int ids_ = 0;
  int wakes_ = 0;
  StaticTerms source_;
  FakeTicketRepository repo_;
  TermsCache terms_;
  TicketManager manager_;
  TicketReader reader_;
  OutageManager outages_;
  EscalationWorker worker_;
};

TEST_F(TicketAppTest, ACreatedTicketCommitsWithItsHistoryAndOneEvent) {
  absl::StatusOr<pb::Ticket> t = Create(Agent(), NewTicket(sla::v1::PRIORITY_P1));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->name(), "customers/acme/tickets/t1");
  EXPECT_EQ(t->terms_version(), absl::StrCat(kContract, "/versions/1"));
  ASSERT_FALSE(t->clocks().empty());

  const FakeTicketState s = repo_.state();
  ASSERT_EQ(s.tickets.size(), 1u);
  EXPECT_EQ(s.history.size(), 1u);
  EXPECT_EQ(EventTypes(), std::vector<std::string>{"ticket.opened"});
  // The terms version is kept for the ticket's life, so it never needs contract-svc again.
  EXPECT_TRUE(s.terms_versions.contains(t->terms_version()));

  absl::StatusOr<pb::Ticket> read = Proto(reader_.GetTicket(AcmeUser(), t->name()));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->title(), "Mail is down");
  EXPECT_EQ(read->etag(), t->etag());
}

TEST_F(TicketAppTest, ARetriedCreateAnswersWithTheFirstTicketAndADifferentOneIsRefused) {
  absl::StatusOr<pb::Ticket> first = Create(Agent(), NewTicket(sla::v1::PRIORITY_P2, "r-1"));
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<pb::Ticket> retry = Create(Agent(), NewTicket(sla::v1::PRIORITY_P2, "r-1"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(repo_.state().tickets.size(), 1u);

  // The same id with another request: refused, naming the id, nothing written.
  absl::StatusOr<pb::Ticket> other =
      Create(Agent(), NewTicket(sla::v1::PRIORITY_P2, "r-1", "Printer jam"), "f2");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("r-1"), std::string::npos);
  EXPECT_EQ(repo_.state().tickets.size(), 1u);
  EXPECT_EQ(EventTypes().size(), 1u);
}

TEST_F(TicketAppTest, ABatchRefusedAsADuplicateIsWrittenTicketByTicket) {
  // The group commit failed on a claimed id: each ticket is then written on its own, so one
  // caller's duplicate is not another's error.
  repo_.FailNext("InsertNewTickets", absl::AlreadyExistsError("duplicate request id"));
  absl::StatusOr<pb::Ticket> t = Create(Agent(), NewTicket(sla::v1::PRIORITY_P3));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(repo_.state().tickets.size(), 1u);
  // Written alone, the ticket carries a claim made up for it, to recognise a replay.
  bool guard = false;
  const FakeTicketState s = repo_.state();
  for (const auto& [key, claim] : s.request_log.rows()) {
    guard = guard ||
            (std::get<0>(key).rfind("replay-guard-", 0) == 0 && claim.resource_name == t->name());
  }
  EXPECT_TRUE(guard);
}

TEST_F(TicketAppTest, ABatchWhoseOutcomeIsUnknownIsNotWrittenAgain) {
  // A lost connection may have committed: writing the tickets again could open them twice.
  repo_.FailNext("InsertNewTickets", absl::UnavailableError("connection lost"));
  absl::StatusOr<pb::Ticket> t = Create(Agent(), NewTicket(sla::v1::PRIORITY_P3));
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(repo_.state().tickets.empty());
}

TEST_F(TicketAppTest, AnotherCustomersTicketIsNotFoundAndNotChanged) {
  absl::StatusOr<pb::Ticket> t = Create(Agent(), NewTicket(sla::v1::PRIORITY_P2));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(reader_.GetTicket(GlobexUser(), t->name()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_.TransitionTicket(GlobexUser(), t->name(), "", pb::Ticket::CLOSED, "")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  // Opening a ticket under another customer's parent is NOT_FOUND too.
  pb::CreateTicketRequest foreign = NewTicket(sla::v1::PRIORITY_P2);
  EXPECT_EQ(Create(GlobexUser(), foreign).status().code(), absl::StatusCode::kNotFound);
  // And a contract of another customer is refused by field.
  foreign.mutable_ticket()->set_contract(kOtherContract);
  absl::Status s = Create(Agent(), foreign).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("ticket.contract"), std::string::npos);
  EXPECT_EQ(repo_.state().tickets.size(), 1u);
}

TEST_F(TicketAppTest, AChangeThatFailsToSaveLeavesNoHistoryAndNoEvent) {
  absl::StatusOr<pb::Ticket> t = Create(Agent(), NewTicket(sla::v1::PRIORITY_P2));
  ASSERT_TRUE(t.ok()) << t.status();
  const FakeTicketState before = repo_.state();
  auto change = [&](const std::string& etag) {
    return Proto(manager_.ChangePriority(Agent(), t->name(), etag, sla::v1::PRIORITY_P1,
                                         "whole office down"));
  };
  repo_.FailNext("SaveTickets", absl::UnavailableError("connection lost"));
  EXPECT_EQ(change("").status().code(), absl::StatusCode::kUnavailable);
  const FakeTicketState after = repo_.state();
  EXPECT_EQ(after.history.size(), before.history.size());
  EXPECT_EQ(after.events.size(), before.events.size());
  EXPECT_EQ(after.tickets.at("t1").ticket.priority, sla::v1::PRIORITY_P2);

  // Run again, it commits the change with its history and event, and a stale etag is refused.
  absl::StatusOr<pb::Ticket> changed = change("");
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->priority(), sla::v1::PRIORITY_P1);
  EXPECT_EQ(repo_.state().history.size(), before.history.size() + 1);
  EXPECT_EQ(EventTypes().back(), "ticket.priority_changed");
  EXPECT_EQ(change(t->etag()).status().code(), absl::StatusCode::kAborted);
}

TEST_F(TicketAppTest, TheWorkerFiresABreachOnceAtItsDueTime) {
  absl::StatusOr<pb::Ticket> t = Create(Agent(), NewTicket(sla::v1::PRIORITY_P1));
  ASSERT_TRUE(t.ok()) << t.status();
  absl::StatusOr<PassStats> early = worker_.RunOnce();
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->tickets, 0);

  // P1's first response is due in 15 minutes, on wall-clock time.
  now_ += absl::Minutes(16);
  absl::StatusOr<PassStats> pass = worker_.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->tickets, 1);
  const std::vector<std::string> types = EventTypes();
  const auto breaches = std::count(types.begin(), types.end(), "clock.breached");
  EXPECT_EQ(breaches, 1);
  const FakeTicketState s = repo_.state();
  for (const outbox::Row& e : s.events) {
    if (e.type == "clock.breached") {
      EXPECT_EQ(e.event_time, absl::ToUnixSeconds(now_ - absl::Minutes(1)))
          << "recorded at the due instant, not at the pass";
    }
  }
  EXPECT_FALSE(s.escalations.empty());

  // A second pass finds nothing more due: nothing fires twice.
  absl::StatusOr<PassStats> again = worker_.RunOnce();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->events, 0);
  const std::vector<std::string> after = EventTypes();
  EXPECT_EQ(std::count(after.begin(), after.end(), "clock.breached"), breaches);

  absl::StatusOr<std::vector<std::string>> esc = reader_.ListEscalations(Agent(), t->name());
  ASSERT_TRUE(esc.ok()) << esc.status();
  EXPECT_EQ(esc->size(), s.escalations.size());
}

TEST_F(TicketAppTest, TheWorkerSetsAsideATicketItCannotReadAndGoesOn) {
  ASSERT_TRUE(Create(Agent(), NewTicket(sla::v1::PRIORITY_P1)).ok());
  ASSERT_TRUE(Create(Agent(), NewTicket(sla::v1::PRIORITY_P1)).ok());
  // One ticket refers to terms this replica never stored (e.g. restored from a bad backup).
  repo_.Edit(
      [](FakeTicketState& s) { s.tickets.at("t1").ticket.terms_version = "lost/versions/9"; });
  now_ += absl::Minutes(16);
  absl::StatusOr<PassStats> pass = worker_.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->tickets, 2);
  const FakeTicketState s = repo_.state();
  // The readable one breached; the other is looked at again in an hour.
  EXPECT_EQ(s.tickets.at("t1").derived.next_event_at, absl::ToUnixSeconds(now_) + 3600);
  int breached = 0;
  for (const outbox::Row& e : s.events) breached += e.type == "clock.breached";
  EXPECT_GE(breached, 1);
  for (const outbox::Row& e : s.events) {
    if (e.type == "clock.breached") {
      EXPECT_EQ(e.subject, "customers/acme/tickets/t2");
    }
  }
}

TEST_F(TicketAppTest, CustomersDoNotSeeInternalCommentsAndARetriedCommentIsAddedOnce) {
  absl::StatusOr<pb::Ticket> t = Create(Agent(), NewTicket(sla::v1::PRIORITY_P2));
  ASSERT_TRUE(t.ok()) << t.status();
  pb::AddCommentRequest internal;
  internal.set_parent(t->name());
  internal.mutable_comment()->set_body("customer's VPN config is wrong");
  internal.mutable_comment()->set_visibility(pb::Comment::INTERNAL);
  ASSERT_TRUE(manager_.AddComment(Agent(), convert::FromRequest(internal), {}).ok());
  pb::AddCommentRequest reply;
  reply.set_parent(t->name());
  reply.set_request_id("c-1");
  reply.mutable_comment()->set_body("Still down here");
  absl::StatusOr<CommentRow> first =
      manager_.AddComment(AcmeUser(), convert::FromRequest(reply), {"c-1", "h"});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<CommentRow> retry =
      manager_.AddComment(AcmeUser(), convert::FromRequest(reply), {"c-1", "h"});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->comment.name(), first->comment.name());
  EXPECT_EQ(repo_.state().comments.size(), 2u);

  pb::ListCommentsRequest list;
  list.set_parent(t->name());
  absl::StatusOr<CommentPage> mine = reader_.ListComments(AcmeUser(), api::PageOf(list));
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->comments.size(), 1u);
  EXPECT_EQ(mine->comments[0].comment.body(), "Still down here");
  absl::StatusOr<CommentPage> all = reader_.ListComments(Agent(), api::PageOf(list));
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->comments.size(), 2u);
  // Customers write public messages only.
  internal.set_parent(t->name());
  EXPECT_EQ(manager_.AddComment(AcmeUser(), convert::FromRequest(internal), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TicketAppTest, PagesByNextDueTimeCoverEveryTicketOnce) {
  // P1 (due in 15 min), P3 (4 business hours), paused ones (no running clock) mixed in.
  const sla::v1::Priority order[] = {sla::v1::PRIORITY_P3, sla::v1::PRIORITY_P1,
                                     sla::v1::PRIORITY_P2, sla::v1::PRIORITY_P1,
                                     sla::v1::PRIORITY_P3};
  for (sla::v1::Priority p : order) ASSERT_TRUE(Create(Agent(), NewTicket(p)).ok());
  ASSERT_TRUE(
      manager_.PauseClocks(Agent(), "customers/acme/tickets/t2", "force-majeure", "flood").ok());

  pb::ListTicketsRequest req;
  req.set_parent(kAcme);
  req.set_order_by("next_due_time");
  req.set_page_size(2);
  std::vector<std::string> seen;
  std::vector<int64_t> dues;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<TicketPage> r = reader_.ListTickets(AcmeUser(), api::PageOf(req));
    ASSERT_TRUE(r.ok()) << r.status();
    for (const TicketView& t : r->tickets) seen.push_back(t.ticket.name());
    if (r->next_page_token.empty()) break;
    req.set_page_token(r->next_page_token);
  }
  const std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(unique.size(), 5u);
  // The soonest due first (the P1 not paused), the paused one last.
  EXPECT_EQ(seen.front(), "customers/acme/tickets/t4");
  EXPECT_EQ(seen.back(), "customers/acme/tickets/t2");

  // Another customer's list is empty, not an error.
  pb::ListTicketsRequest theirs;
  theirs.set_parent("customers/-");
  absl::StatusOr<TicketPage> r = reader_.ListTickets(GlobexUser(), api::PageOf(theirs));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->tickets.empty());
}

TEST_F(TicketAppTest, AnOutageOpensAndClosesOnceWithItsEvents) {
  pb::CreateOutageRequest req;
  req.set_parent(kAcme);
  pb::Outage& o = *req.mutable_outage();
  o.set_contract(kContract);
  o.set_service_id("email-hosting");
  o.mutable_start_time()->set_seconds(absl::ToUnixSeconds(now_ - absl::Hours(1)));
  o.set_summary("MX unreachable");
  auto create = [&](const server::Identity& who) {
    return outages_.CreateOutage(who, *convert::FromRequest(req), {});
  };
  EXPECT_EQ(create(AcmeUser()).status().code(), absl::StatusCode::kPermissionDenied);
  o.set_service_id("no-such-service");
  EXPECT_EQ(create(Agent()).status().code(), absl::StatusCode::kInvalidArgument);
  o.set_service_id("email-hosting");
  absl::StatusOr<OutageRow> created = create(Agent());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(EventTypes(), std::vector<std::string>{"outage.opened"});

  const std::string name = created->name();
  const int64_t end = absl::ToUnixSeconds(now_);
  absl::StatusOr<OutageRow> closed = outages_.CloseOutage(Agent(), name, end);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->end_time, end);
  EXPECT_EQ(outages_.CloseOutage(Agent(), name, end).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(outages_.CloseOutage(Agent(), name, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((EventTypes()), (std::vector<std::string>{"outage.opened", "outage.closed"}));

  EXPECT_TRUE(outages_.GetOutage(AcmeUser(), name).ok());
  EXPECT_EQ(outages_.GetOutage(GlobexUser(), name).status().code(), absl::StatusCode::kNotFound);
  pb::ListOutagesRequest list;
  list.set_parent("customers/-");
  list.set_filter("open = false");
  absl::StatusOr<OutageManager::Page> mine = outages_.ListOutages(AcmeUser(), api::PageOf(list));
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->outages.size(), 1u);
  absl::StatusOr<OutageManager::Page> theirs =
      outages_.ListOutages(GlobexUser(), api::PageOf(list));
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_TRUE(theirs->outages.empty());
}

}  // namespace
}  // namespace sla::ticket
