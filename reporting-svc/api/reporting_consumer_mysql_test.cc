// reporting-svc's consumers through the real services (in process, over gRPC, each on its own
// MariaDB database): a consumer never stalls on an event it cannot apply, a ticket closed after
// its contract ended still counts under the terms it was opened under, a report's credit
// figures equal billing's documents after late data, and a revision that late data made due is
// not lost while contract-svc is away.
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/clients/event_feed.h"
#include "common/outbox/consumer_service.h"
#include "common/status/status_macros.h"
#include "tests/harness/reporting_api_fixture.h"

namespace sla::reporting {
namespace {

using ::testing::HasSubstr;
using ticket::Tenant;
using ticket::Utc;
namespace cpb = sla::contract::v1;

// A feed that passes the real one's events on, with the payload of one sequence number spoiled.
class SpoilingFeed final : public outbox::Feed {
 public:
  SpoilingFeed(outbox::Feed* real, int64_t spoiled) : real_(real), spoiled_(spoiled) {}
  absl::StatusOr<outbox::FeedPage> List(const outbox::FeedPosition& from, int max_events,
                                        int64_t max_bytes) override {
    SLA_ASSIGN_OR_RETURN(outbox::FeedPage page, real_->List(from, max_events, max_bytes));
    for (outbox::FeedEvent& e : page.events) {
      if (e.sequence == spoiled_) e.payload.Clear();  // as a row that did not convert
    }
    return page;
  }

 private:
  outbox::Feed* real_;
  int64_t spoiled_;
};

// contract-svc as a switch: answers through the real one, or UNAVAILABLE while "down".
class SwitchedTerms final : public clients::TermsSource {
 public:
  explicit SwitchedTerms(clients::TermsSource* real) : real_(real) {}
  absl::StatusOr<clients::ResolvedVersion> Resolve(const std::string& contract,
                                                   absl::Time at) override {
    if (down) return absl::UnavailableError("contract-svc is unavailable; retry");
    if (missing) return absl::NotFoundError(absl::StrCat("`", contract, "` not found"));
    return real_->Resolve(contract, at);
  }
  absl::StatusOr<clients::ResolvedVersion> ResolveVersion(const std::string& contract,
                                                          const std::string& version) override {
    if (down) return absl::UnavailableError("contract-svc is unavailable; retry");
    if (missing) return absl::NotFoundError(absl::StrCat("`", contract, "` not found"));
    return real_->ResolveVersion(contract, version);
  }
  bool down = false;
  bool missing = false;  // answers NOT_FOUND, a permanent failure

 private:
  clients::TermsSource* real_;
};

class ReportingConsumerTest : public ReportingApiTest {
 protected:
  // A reporting-svc process started afresh on the same database: an empty terms cache.
  std::unique_ptr<ReportingStack> Restarted(clients::TermsSource* terms, outbox::Feed* tickets,
                                            outbox::Feed* billing) {
    ReportingOptions o;
    o.clock = [this] { return clock_.Now(); };
    return std::make_unique<ReportingStack>(pool_.get(), terms, tickets, billing, o);
  }
  std::unique_ptr<outbox::Feed> TicketFeed() {
    return clients::TicketEventFeed(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", harness_->ticket_port()),
                            grpc::InsecureChannelCredentials()),
        Jwt(), "reporting-svc", [this] { return clock_.Now(); });
  }
  std::unique_ptr<outbox::Feed> BillingFeed() {
    return clients::BillingEventFeed(grpc::CreateChannel(absl::StrCat("127.0.0.1:", billing_port_),
                                                         grpc::InsecureChannelCredentials()),
                                     Jwt(), "reporting-svc", [this] { return clock_.Now(); });
  }
  std::unique_ptr<clients::ContractTermsSource> Terms() {
    return std::make_unique<clients::ContractTermsSource>(harness_->contract_channel(), Jwt(),
                                                          "reporting-svc");
  }
  // Ends `t`'s contract for cause at `end` (contract-svc checks against real time: `end` must
  // not be more than a day in the past).
  void TerminateForCause(const Tenant& t, absl::Time end) {
    const auto admin = [] { return ticket::SuiteHarness::As("msp_admin", "", absl::Now()); };
    cpb::GetContractRequest get;
    get.set_name(t.contract);
    cpb::Contract contract;
    ASSERT_TRUE(harness_->contract_stub().GetContract(admin().get(), get, &contract).ok());
    cpb::TerminateContractRequest term;
    term.set_name(t.contract);
    term.set_etag(contract.etag());
    term.set_reason("Chronic breach of the P1 response target.");
    term.set_for_cause(true);
    term.mutable_effective_time()->set_seconds(absl::ToUnixSeconds(end));
    cpb::Contract terminated;
    const grpc::Status s =
        harness_->contract_stub().TerminateContract(admin().get(), term, &terminated);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  grpc::Status Issue(const std::string& name, pb::Report* out) {
    pb::IssueReportRequest req;
    req.set_name(name);
    return stub_r_->IssueReport(As("msp_admin").get(), req, out);
  }
  int64_t ReportingEvents(const std::string& type) {
    return test::CountRows(*pool_, absl::StrCat("outbox WHERE type = '", type, "'"));
  }
};

// A ticket closed after its contract was terminated, seen by a freshly started reporting-svc:
// the close counts under the version the ticket was opened under, and the consumer goes on.
// Before, the batch resolved the terms "in force" at the close, found none, and repeated forever.
TEST_F(ReportingConsumerTest, ATicketClosedAfterTheContractEndedCountsAndNothingStalls) {
  const Tenant acme = NewTenant("Acme");
  // contract-svc runs on real time: a termination for cause two days ahead of it; the tickets'
  // clock is set around that instant.
  const int64_t end = (absl::ToUnixSeconds(absl::Now()) / 86'400 + 3) * 86'400;
  clock_.Set(end - 2 * 86'400);
  const tpb::Ticket t = Open(acme, sla::v1::PRIORITY_P3);
  Resolve(t);
  SyncAll();
  TerminateForCause(acme, absl::FromUnixSeconds(end));
  if (HasFatalFailure()) return;

  clock_.Set(end + 86'400);  // the customer closes its resolved ticket a day after the end
  ASSERT_TRUE(Move(t, tpb::Ticket::CLOSED, nullptr, "customer_user", acme.id).ok());
  Sync();
  auto terms = Terms();
  auto tickets = TicketFeed();
  auto billing = BillingFeed();
  std::unique_ptr<ReportingStack> fresh = Restarted(terms.get(), tickets.get(), billing.get());
  absl::StatusOr<int> applied = fresh->manager.ConsumeTicketEvents();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_GE(*applied, 1);
  EXPECT_EQ(*fresh->manager.ConsumeTicketEvents(), 0);  // the cursor moved past it
  EXPECT_TRUE(fresh->streams.DeadLetters(10)->empty());
  EXPECT_EQ(test::CountRows(*pool_, "rpt_tickets WHERE closed = 1"), 1);
}

// An event that cannot be applied is set aside with its reason, visible to operators, and the
// events after it are applied.
TEST_F(ReportingConsumerTest, AnEventThatCannotBeAppliedIsSetAsideAndTheConsumerMovesOn) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 2, 3));
  Open(acme, sla::v1::PRIORITY_P3);
  Open(acme, sla::v1::PRIORITY_P3);
  Sync();
  auto real_tickets = TicketFeed();
  auto first = real_tickets->List({}, 10, 1 << 20);
  ASSERT_TRUE(first.ok() && first->events.size() >= 2);
  const int64_t spoiled = first->events[0].sequence;
  SpoilingFeed tickets(real_tickets.get(), spoiled);
  auto terms = Terms();
  auto billing = BillingFeed();
  std::unique_ptr<ReportingStack> fresh = Restarted(terms.get(), &tickets, billing.get());
  absl::StatusOr<int> applied = fresh->manager.ConsumeTicketEvents();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*fresh->manager.ConsumeTicketEvents(), 0);
  auto dead = fresh->streams.DeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].source, "ticket-svc");
  EXPECT_EQ((*dead)[0].sequence, spoiled);
  EXPECT_THAT((*dead)[0].reason, HasSubstr("carries no readable payload"));
  EXPECT_EQ((*dead)[0].customer_id, acme.id);
  // Operators see it on reporting-svc's own stream too, and the other ticket was counted.
  EXPECT_EQ(ReportingEvents("event.dead_lettered"), 1);
  EXPECT_EQ(test::CountRows(*pool_, "rpt_tickets"), 1);
}

// Read-your-writes: the position CreateOutage answers, passed to GetReport, makes the figures of
// the month include the outage without waiting for reporting's next pass.
TEST_F(ReportingConsumerTest, AReportWithTheWritesPositionSeesTheOutageAtOnce) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 20, 0));
  SyncAll();
  std::string position;
  Outage(acme, Utc(2026, 12, 9, 3), Utc(2026, 12, 9, 4, 40), "", &position);
  ASSERT_FALSE(position.empty());

  const std::string name = absl::StrCat(acme.contract, "/reports/2026-12");
  auto downtime = [](const pb::Report& r) {
    int64_t minutes = 0;
    for (const auto& a : r.availability()) minutes += a.downtime_minutes();
    return minutes;
  };
  pb::GetReportRequest get;
  get.set_name(name);
  pb::Report before;
  ASSERT_TRUE(stub_r_->GetReport(As("msp_agent").get(), get, &before).ok());
  EXPECT_EQ(downtime(before), 0);               // reporting has not read it yet
  ASSERT_EQ(before.event_positions_size(), 2);  // and says what it reflects
  EXPECT_NE(before.event_positions(0), position);

  get.set_min_event_position(position);
  pb::Report after;
  const grpc::Status s = stub_r_->GetReport(As("msp_agent").get(), get, &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(downtime(after), 100);
  ASSERT_EQ(after.event_positions_size(), 2);
  EXPECT_EQ(after.event_positions(0), position);
  for (const std::string bad : {"nonsense", "contract-svc/x/1"}) {
    get.set_min_event_position(bad);
    EXPECT_EQ(stub_r_->GetReport(As("msp_agent").get(), get, &after).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << bad;
  }
}

// Events whose contract did not resolve are set aside; once it does, an operator replays
// them through EventConsumerService and they count as if they had arrived late.
TEST_F(ReportingConsumerTest, AnOperatorReplaysSetAsideEventsOverTheApiOnceTheirCauseIsFixed) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 2, 3));
  Open(acme, sla::v1::PRIORITY_P3);
  Sync();
  auto real_terms = Terms();
  SwitchedTerms terms(real_terms.get());
  terms.missing = true;
  auto tickets = TicketFeed();
  auto billing = BillingFeed();
  std::unique_ptr<ReportingStack> fresh = Restarted(&terms, tickets.get(), billing.get());
  absl::StatusOr<int> applied = fresh->manager.ConsumeTicketEvents();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(test::CountRows(*pool_, "rpt_tickets"), 0);

  outbox::EventConsumerServiceImpl service(*boundary_, pool_.get(),
                                           {{"ticket-svc", &fresh->streams.ticket_events()},
                                            {"billing-svc", &fresh->streams.billing_events()}});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_GT(port, 0);
  auto stub = sla::v1::EventConsumerService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));

  sla::v1::ListDeadLettersResponse dead;
  EXPECT_EQ(stub->ListDeadLetters(As("msp_agent").get(), {}, &dead).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub->ListDeadLetters(As("msp_admin").get(), {}, &dead).ok());
  ASSERT_GE(dead.dead_letters_size(), 1);
  EXPECT_EQ(dead.dead_letters(0).type(), "ticket.opened");
  EXPECT_THAT(dead.dead_letters(0).reason(), HasSubstr("not found"));
  EXPECT_EQ(dead.dead_letters(0).customer(), absl::StrCat("customers/", acme.id));

  terms.missing = false;  // the contract resolves again
  for (const sla::v1::DeadLetter& d : dead.dead_letters()) {
    sla::v1::ReplayDeadLetterRequest req;
    req.set_source(d.source());
    req.set_epoch(d.epoch());
    req.set_sequence(d.sequence());
    sla::v1::DeadLetter out;
    const grpc::Status s = stub->ReplayDeadLetter(As("msp_admin").get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.state(), "replayed");
  }
  EXPECT_EQ(test::CountRows(*pool_, "rpt_tickets"), 1);
  sla::v1::ListDeadLettersResponse after;
  ASSERT_TRUE(stub->ListDeadLetters(As("msp_admin").get(), {}, &after).ok());
  EXPECT_EQ(after.dead_letters_size(), 0);

  sla::v1::ListConsumerCursorsResponse cursors;
  ASSERT_TRUE(stub->ListConsumerCursors(As("msp_admin").get(), {}, &cursors).ok());
  ASSERT_EQ(cursors.cursors_size(), 1);  // billing's stream was not read yet
  EXPECT_EQ(cursors.cursors(0).source(), "ticket-svc");
  EXPECT_FALSE(cursors.cursors(0).epoch().empty());
  EXPECT_EQ(cursors.cursors(0).stopped_reason(), "");
  EXPECT_GE(cursors.cursors(0).sequence(),
            dead.dead_letters(dead.dead_letters_size() - 1).sequence());

  sla::v1::ReplayDeadLetterRequest unknown;
  unknown.set_source("nowhere");
  sla::v1::DeadLetter out;
  EXPECT_EQ(stub->ReplayDeadLetter(As("msp_admin").get(), unknown, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  server->Shutdown(std::chrono::system_clock::now());
}

// After late data, a report's credits are billing's documents for the period: the credit note,
// plus the delta credit note, less the debit note. Before, each note overwrote the figure.
TEST_F(ReportingConsumerTest, ReportCreditsEqualBillingsDocumentsAfterLateData) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 2, 10));
  Open(acme, sla::v1::PRIORITY_P1);  // missed: 246,912 (2 % of 12,345,600)
  clock_.Set(Utc(2026, 12, 2, 11));
  Sync();
  clock_.Set(Utc(2026, 12, 31, 16));  // 23:00 Bangkok: a P1 and an open e-mail outage
  Open(acme, sla::v1::PRIORITY_P1);
  const std::string outage = Outage(acme, Utc(2026, 12, 31, 16), 0);
  clock_.Set(Utc(2026, 12, 31, 16, 5));
  Sync();
  clock_.Set(Utc(2027, 1, 5, 0));
  billing::pb::ClosePeriodResponse dec;
  ASSERT_TRUE(Close(acme, 2026, 12, &dec).ok());
  ASSERT_EQ(dec.credit_note().total().amount_minor(), 581'472);
  SyncAll();
  const std::string name = absl::StrCat(acme.contract, "/reports/2026-12");
  pb::Report issued;
  ASSERT_TRUE(Issue(name, &issued).ok());
  ASSERT_EQ(issued.credits_size(), 1);
  EXPECT_EQ(issued.credits(0).amount_minor(), 581'472);

  // The late P1 breach: delta credit note +246,912.
  Sync();
  ASSERT_TRUE(billing_->manager().ReviseStalePeriods().ok());
  // The outage closed after 30 minutes: the availability credit is taken back (debit 334,560).
  tpb::CloseOutageRequest close;
  close.set_name(outage);
  close.mutable_end_time()->set_seconds(Utc(2026, 12, 31, 16, 30));
  tpb::Outage closed;
  ASSERT_TRUE(stub_->CloseOutage(As("msp_agent").get(), close, &closed).ok());
  Sync();
  ASSERT_TRUE(billing_->manager().ReviseStalePeriods().ok());
  SyncAll();

  pb::Report r;
  ASSERT_TRUE(GetReport(name, &r).ok());
  ASSERT_EQ(r.credits_size(), 1);
  EXPECT_EQ(r.credits(0).credit_note(), dec.credit_note().name());
  EXPECT_EQ(r.credits(0).amount_minor(), 581'472 + 246'912 - 334'560);
  EXPECT_EQ(r.credits(0).adjustment_notes_size(), 2);
  EXPECT_EQ(r.trend(r.trend_size() - 1).credits_minor(), 581'472 + 246'912 - 334'560);
  // The sum of billing's documents for the period, read back from billing-svc.
  int64_t documents = 0;
  for (const std::string series : {"series = CN", "series = DN"}) {
    billing::pb::ListCreditNotesRequest req;
    req.set_parent(acme.customer);
    req.set_filter(series);
    billing::pb::ListCreditNotesResponse out;
    ASSERT_TRUE(billing_stub_->ListCreditNotes(As("msp_agent").get(), req, &out).ok());
    for (const auto& n : out.credit_notes())
      documents += n.debit() ? -n.total().amount_minor() : n.total().amount_minor();
  }
  EXPECT_EQ(r.credits(0).amount_minor(), documents);
}

// A revision that late data made due while contract-svc was unavailable is issued on a later
// pass. Before, it ran after the cursor commit and was lost on the first failure.
TEST_F(ReportingConsumerTest, ARevisionDueWhileContractSvcIsAwayIsIssuedLater) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 2, 10));
  Open(acme, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2026, 12, 2, 11));
  Sync();
  clock_.Set(Utc(2027, 1, 1, 12));  // December has ended; billing has not closed it yet
  SyncAll();
  const std::string name = absl::StrCat(acme.contract, "/reports/2026-12");
  pb::Report issued;
  ASSERT_TRUE(Issue(name, &issued).ok());
  ASSERT_EQ(issued.revision(), 1);

  clock_.Set(Utc(2027, 1, 5, 0));
  billing::pb::ClosePeriodResponse dec;
  ASSERT_TRUE(Close(acme, 2026, 12, &dec).ok());
  ASSERT_TRUE(billing_->sequencer().RunOnce().ok());
  auto real_terms = Terms();
  SwitchedTerms terms(real_terms.get());
  auto tickets = TicketFeed();
  auto billing = BillingFeed();
  std::unique_ptr<ReportingStack> fresh = Restarted(&terms, tickets.get(), billing.get());
  terms.down = true;
  EXPECT_FALSE(
      fresh->manager.ConsumeBillingEvents().ok());  // the credits are in; the revision is not
  pb::Report r;
  ASSERT_TRUE(GetReport(name, &r).ok());
  EXPECT_EQ(r.revision(), 1);
  terms.down = false;
  absl::StatusOr<int> later = fresh->manager.ConsumeBillingEvents();
  ASSERT_TRUE(later.ok()) << later.status();
  ASSERT_TRUE(GetReport(name, &r).ok());
  EXPECT_EQ(r.revision(), 2);
  ASSERT_EQ(r.credits_size(), 1);
  EXPECT_EQ(r.credits(0).amount_minor(), dec.credit_note().total().amount_minor());
}

// The schedule issues every month a contract was in force: the first one even when it began
// after the 15th, the final one of a terminated contract (its notice period included), and
// months missed while reporting-svc was down. Before, only the last ended month of active
// contracts was tried, and a month the contract did not cover on the 15th failed.
TEST_F(ReportingConsumerTest, TheScheduleIssuesFirstFinalAndMissedMonths) {
  absl::TimeZone bangkok;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Bangkok", &bangkok));
  // Late starter: in force from 20 December 2026 (Bangkok).
  absl::StatusOr<Tenant> late = harness_->NewTenant("Late", Utc(2026, 12, 19, 17));
  ASSERT_TRUE(late.ok()) << late.status();
  // Ends for cause on the 10th of a month (contract-svc checks termination times against real
  // time, so the month is the first whose 10th is at least two days ahead).
  const Tenant leaving = NewTenant("Leaving");
  absl::CivilDay day = absl::ToCivilDay(absl::Now() + absl::Hours(48), bangkok);
  absl::CivilMonth month(day);
  if (day.day() > 10) month += 1;
  const absl::Time end = absl::FromCivil(absl::CivilDay(month.year(), month.month(), 10), bangkok);
  TerminateForCause(leaving, end);
  if (HasFatalFailure()) return;

  // reporting-svc's first pass comes five days after the leaving contract's final month.
  const absl::CivilMonth after = month + 1;
  clock_.Set(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(after.year(), after.month(), 5), bangkok)));
  SyncAll();
  auto issued = reporting_->manager().IssueDueReports(*directory_);
  ASSERT_TRUE(issued.ok()) << issued.status();
  auto has = [&](const Tenant& t, absl::CivilMonth m) {
    pb::Report r;
    const std::string name =
        absl::StrFormat("%s/reports/%04d-%02d", t.contract, m.year(), m.month());
    return GetReport(name, &r).ok() && r.revision() == 1;
  };
  // Every month of the late starter, from its first (not in force on 15 December).
  int expected = 0;
  for (absl::CivilMonth m(2026, 12); m < after; ++m) {
    EXPECT_TRUE(has(*late, m)) << m;
    ++expected;
  }
  // The leaving contract: every month from December to its final one (not in force on its 15th).
  for (absl::CivilMonth m(2026, 12); m <= month; ++m) {
    EXPECT_TRUE(has(leaving, m)) << m;
    ++expected;
  }
  EXPECT_EQ(*issued, expected);
  EXPECT_EQ(*reporting_->manager().IssueDueReports(*directory_), 0);  // nothing twice
}

}  // namespace
}  // namespace sla::reporting
