// A billing month through the real services (contract-svc, ticket-svc, billing-svc in process,
// each on its own MariaDB database, over gRPC): a contract, tickets that breach, outages (one in
// a maintenance window, one excluded), a rule cap that bites, a mid-month start; then the
// credits, credit note, invoices and their totals against amounts computed by hand below.
//
// The example contract (docs/examples/acme-managed-it-terms.json): monthly fee 123,456.00 THB
// (12,345,600 minor), of which email-hosting 33,456.00; credit schedule: 2 % of the fee per
// missed P1 response capped at 10 % of the fee; 5,000.00 per missed P2 resolution after one
// free; e-mail availability below 99.9 % but at least 99.0 % → 10 % of the service's fee;
// maintenance Sundays 02:00–04:00 Bangkok; period cap 30 %; grace 72 h.
#include "common/outbox/payload.h"
#include "sla/v1/event_service.grpc.pb.h"
#include "tests/harness/billing_api_fixture.h"

namespace sla::billing {
namespace {

using ticket::Tenant;
using ticket::Utc;
class BillingFlowTest : public BillingApiTest {};

// Read-your-writes: the position CreateOutage answers, passed to PreviewCredits, makes the
// preview include the outage at once, without waiting for billing's next consumer pass.
TEST_F(BillingFlowTest, PreviewCreditsWithTheWritesPositionSeesTheOutageAtOnce) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 20, 0));
  Sync();
  std::string position;
  Outage(acme, Utc(2026, 12, 9, 3), Utc(2026, 12, 9, 4, 40), "", &position);
  ASSERT_FALSE(position.empty());
  EXPECT_THAT(position, ::testing::StartsWith("ticket-svc/"));

  pb::PreviewCreditsRequest preview;
  preview.set_contract(acme.contract);
  preview.mutable_period()->set_year(2026);
  preview.mutable_period()->set_month(12);
  pb::PreviewCreditsResponse before;
  ASSERT_TRUE(billing_stub_->PreviewCredits(As("msp_agent").get(), preview, &before).ok());
  ASSERT_EQ(before.availability_size(), 1);
  EXPECT_EQ(before.availability(0).downtime_minutes(), 0);  // billing has not read it yet
  auto sequence = [](const std::string& p) { return std::stoll(p.substr(p.rfind('/') + 1)); };
  EXPECT_LT(sequence(before.event_position()), sequence(position));  // and says what it reflects

  preview.set_min_event_position(position);
  pb::PreviewCreditsResponse after;
  const grpc::Status s = billing_stub_->PreviewCredits(As("msp_agent").get(), preview, &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(after.availability(0).downtime_minutes(), 100);
  EXPECT_EQ(after.event_position(), position);
  EXPECT_TRUE(after.has_event_time());

  // Positions of another stream or history, or not positions at all, are refused.
  for (const std::string bad : {"nonsense", "billing-svc/x/1"}) {
    preview.set_min_event_position(bad);
    EXPECT_EQ(billing_stub_->PreviewCredits(As("msp_agent").get(), preview, &after).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << bad;
  }
  preview.set_min_event_position("ticket-svc/otherhistory/1");
  EXPECT_EQ(billing_stub_->PreviewCredits(As("msp_agent").get(), preview, &after).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(BillingFlowTest, AMonthOfBreachesAndOutagesBecomesExactCreditsAndInvoices) {
  const Tenant acme = NewTenant("Acme");
  // Globex starts mid-month: Wed 2026-12-16 00:00 Bangkok.
  auto globex_or = harness_->NewTenant("Globex", Utc(2026, 12, 15, 17));
  ASSERT_TRUE(globex_or.ok()) << globex_or.status();
  const Tenant globex = *globex_or;

  // Seven P1 tickets nobody answers within 15 minutes.
  clock_.Set(Utc(2026, 12, 2, 10));
  for (int i = 0; i < 7; ++i) Open(acme, sla::v1::PRIORITY_P1);
  // Two P2 tickets (Thu 09:00 Bangkok) left past their 4 business hours.
  clock_.Set(Utc(2026, 12, 3, 2));
  for (int i = 0; i < 2; ++i) Open(acme, sla::v1::PRIORITY_P2);
  clock_.Set(Utc(2026, 12, 3, 8));
  Sync();

  clock_.Set(Utc(2026, 12, 20, 0));
  Outage(acme, Utc(2026, 12, 9, 3), Utc(2026, 12, 9, 4, 40));  // 100 min down
  Outage(acme, Utc(2026, 12, 12, 19, 30),
         Utc(2026, 12, 12, 20, 30));  // Sun 02:30 Bangkok: maintenance
  Outage(acme, Utc(2026, 12, 15, 3), Utc(2026, 12, 15, 5), "force-majeure");  // excluded
  Sync();

  // Hand computation, Acme, December 2026:
  //   p1-response: 7 × 2 % × 12,345,600 = 1,728,384; rule cap 10 % = 1,234,560 (cut 493,824)
  //   p2-resolution: (2 − 1 free) × 500,000 = 500,000
  //   email: E = 44,640 − 4 Sundays × 120 = 44,160 min; D = 100 → 44,060/44,160 = 99.7735 %
  //          → band [99.0, 99.9) → 10 % of 3,345,600 = 334,560
  //   total 2,069,120 (period cap 30 % = 3,703,680 does not bind)
  pb::PreviewCreditsRequest preview;
  preview.set_contract(acme.contract);
  preview.mutable_period()->set_year(2026);
  preview.mutable_period()->set_month(12);
  pb::PreviewCreditsResponse previewed;
  ASSERT_TRUE(
      billing_stub_->PreviewCredits(As("customer_admin", acme.id).get(), preview, &previewed).ok());
  EXPECT_EQ(previewed.total().amount_minor(), 2'069'120);
  ASSERT_EQ(previewed.availability_size(), 1);
  EXPECT_EQ(previewed.availability(0).eligible_minutes(), 44'160);
  EXPECT_EQ(previewed.availability(0).downtime_minutes(), 100);
  EXPECT_FALSE(previewed.availability(0).met());
  EXPECT_EQ(
      billing_stub_->PreviewCredits(As("customer_admin", globex.id).get(), preview, &previewed)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  // Closing before the month ended is refused.
  pb::ClosePeriodResponse early;
  EXPECT_EQ(Close(acme, 2026, 12, &early).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Close(acme, 2026, 12, &early, "msp_agent").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  clock_.Set(Utc(2027, 1, 5, 0));
  pb::ClosePeriodResponse dec;
  ASSERT_TRUE(Close(acme, 2026, 12, &dec).ok());
  EXPECT_TRUE(dec.newly_closed());
  const pb::CreditNote& cn = dec.credit_note();
  EXPECT_EQ(cn.total().amount_minor(), 2'069'120);
  EXPECT_EQ(Line(cn.lines(), "p1-response"), 1'234'560);
  EXPECT_EQ(Line(cn.lines(), "p2-resolution"), 500'000);
  EXPECT_EQ(Line(cn.lines(), "email-availability"), 334'560);
  EXPECT_EQ(cn.number(), "CN-000001");
  EXPECT_EQ(dec.invoice().total().amount_minor(), 12'345'600);  // no credits earned before
  // Closing again returns the same documents and issues nothing.
  pb::ClosePeriodResponse again;
  ASSERT_TRUE(Close(acme, 2026, 12, &again, "msp_admin").ok());
  EXPECT_FALSE(again.newly_closed());
  EXPECT_EQ(again.invoice().number(), dec.invoice().number());
  EXPECT_EQ(again.credit_note().number(), "CN-000001");

  // The scheduler closes Globex's December (past the 72 h grace): 16 of 31 days,
  // 12,345,600 × 16/31 = 6,371,922.58 → 6,371,923; no credits.
  auto closed = billing_->manager().CloseDuePeriods(*directory_);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 1);
  const pb::ListInvoicesResponse globex_invoices =
      Invoices(globex.customer, "customer_user", globex.id);
  ASSERT_EQ(globex_invoices.invoices_size(), 1);
  EXPECT_EQ(globex_invoices.invoices(0).total().amount_minor(), 6'371'923);
  // Gapless numbering across customers.
  EXPECT_EQ(globex_invoices.invoices(0).number(), "INV-000002");
  // Newest first, a page at a time; the page token holds to its order.
  pb::ListInvoicesRequest newest;
  newest.set_parent("customers/-");
  newest.set_order_by("issue_time desc");
  newest.set_page_size(1);
  std::vector<std::string> numbers;
  for (int page = 0; page < 5; ++page) {
    pb::ListInvoicesResponse got;
    const grpc::Status s = billing_stub_->ListInvoices(As("billing_system").get(), newest, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& inv : got.invoices()) numbers.push_back(inv.number());
    if (got.next_page_token().empty()) break;
    newest.set_page_token(got.next_page_token());
    if (page == 0) {
      pb::ListInvoicesRequest other_order = newest;
      other_order.clear_order_by();
      pb::ListInvoicesResponse ignored_page;
      EXPECT_EQ(billing_stub_->ListInvoices(As("billing_system").get(), other_order, &ignored_page)
                    .error_code(),
                grpc::StatusCode::INVALID_ARGUMENT);
    }
  }
  EXPECT_EQ(numbers, (std::vector<std::string>{"INV-000002", "INV-000001"}));
  pb::ListInvoicesRequest by_total;
  by_total.set_parent("customers/-");
  by_total.set_order_by("total");
  pb::ListInvoicesResponse none;
  const grpc::Status unsortable =
      billing_stub_->ListInvoices(As("billing_system").get(), by_total, &none);
  EXPECT_EQ(unsortable.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unsortable.error_message().find("order_by"), std::string::npos)
      << unsortable.error_message();
  pb::GetInvoiceRequest foreign;
  foreign.set_name(dec.invoice().name());
  pb::Invoice ignored;
  EXPECT_EQ(billing_stub_->GetInvoice(As("customer_user", globex.id).get(), foreign, &ignored)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // January: the December credit is a line of the January invoice.
  clock_.Set(Utc(2027, 2, 5, 0));
  pb::ClosePeriodResponse jan;
  ASSERT_TRUE(Close(acme, 2027, 1, &jan).ok());
  EXPECT_EQ(Line(jan.invoice().lines(), "p1-response"), -1'234'560);
  EXPECT_EQ(jan.invoice().total().amount_minor(), 12'345'600 - 2'069'120);
  int64_t sum = 0;
  for (const auto& l : jan.invoice().lines()) sum += l.amount().amount_minor();
  EXPECT_EQ(sum, jan.invoice().total().amount_minor());
  EXPECT_FALSE(jan.has_credit_note());

  // billing-svc's own stream announces what it issued.
  ASSERT_TRUE(billing_->sequencer().RunOnce().ok());
  pb::ListEventsRequest ereq;
  pb::ListEventsResponse events;
  ASSERT_TRUE(billing_stub_->ListEvents(As("billing_system").get(), ereq, &events).ok());
  std::vector<std::string> types;
  for (const auto& e : events.events()) types.push_back(e.type());
  EXPECT_THAT(types, ::testing::ElementsAre("credit_note.issued", "invoice.issued",
                                            "invoice.issued", "invoice.issued"));
}

TEST_F(BillingFlowTest, ChronicBreachAccruesATerminationRight) {
  // The example terms: the same rule missed in 3 of 6 periods gives the customer a right to
  // terminate, to be exercised within 60 days.
  const Tenant acme = NewTenant("Acme");
  const int64_t months[][2] = {{2026, 12}, {2027, 1}, {2027, 2}};
  for (const auto& ym : months) {
    const int y = static_cast<int>(ym[0]), m = static_cast<int>(ym[1]);
    clock_.Set(Utc(y, m, 10, 10));
    Open(acme, sla::v1::PRIORITY_P1);
    clock_.Set(Utc(y, m, 10, 11));
    Sync();
    clock_.Set(Utc(y, m, 25, 0) + 15 * 86400);  // the next month
    pb::ClosePeriodResponse out;
    ASSERT_TRUE(Close(acme, y, m, &out).ok());
    EXPECT_EQ(out.credit_note().total().amount_minor(), 246'912);  // 2 % of 12,345,600
  }
  ASSERT_TRUE(billing_->sequencer().RunOnce().ok());
  // As reporting-svc reads billing's stream: typed.
  auto stream = sla::v1::EventService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", billing_port_), grpc::InsecureChannelCredentials()));
  sla::v1::ListEventsRequest req;
  sla::v1::ListEventsResponse events;
  ASSERT_TRUE(stream
                  ->ListEvents(ticket::SuiteHarness::AsService("reporting-svc", clock_.Now()).get(),
                               req, &events)
                  .ok());
  EXPECT_EQ(events.stream(), "billing-svc");
  std::vector<sla::v1::TerminationRightEventPayload> accrued;
  for (const auto& e : events.events()) {
    EXPECT_EQ(e.payload().kind_case(), outbox::FamilyOf(e.type())) << e.type();
    if (e.type() == "termination_right.accrued") accrued.push_back(e.payload().termination_right());
  }
  ASSERT_EQ(accrued.size(), 1u);  // after the third period only
  EXPECT_EQ(accrued[0].period(), "2027-02");
  EXPECT_EQ(accrued[0].breached_periods(), 3);
  EXPECT_EQ(accrued[0].window_periods(), 6);
  // February ends 2027-03-01 00:00 Bangkok (02-28 17:00 UTC); + 60 days.
  EXPECT_EQ(accrued[0].exercise_by().seconds(), Utc(2027, 4, 29, 17));
}

TEST_F(BillingFlowTest, ReplayedEventsAreAppliedOnce) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 2, 10));
  Open(acme, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2026, 12, 2, 11));
  Sync();
  // A second consumer (another replica) and a rewound cursor change nothing.
  ASSERT_TRUE(billing_->manager().ConsumeOnce().ok());
  ASSERT_TRUE(mysql::RunInTransaction(*billing_pool_, [](mysql::Connection& c) {
                return c.ExecuteUnprepared("UPDATE consumer_cursor SET last_seq = 0");
              }).ok());
  ASSERT_TRUE(billing_->manager().ConsumeOnce().ok());
  EXPECT_EQ(test::CountRows(*billing_pool_, "breach_facts"), 1);  // the P1 response breach
}

TEST_F(BillingFlowTest,
       ABillingUpgradedBeforeTicketSvcFollowsItsEarlierEnvelopeThenTheTypedStream) {
  // ticket-svc of the release before typed events: only its own ListEvents, payloads as JSON.
  RestartTicketSvc(/*same_address=*/true, /*serve_typed_events=*/false);
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 2, 10));
  const std::string first = Open(acme, sla::v1::PRIORITY_P1).name();
  clock_.Set(Utc(2026, 12, 2, 11));
  Sync();
  EXPECT_EQ(test::CountRows(*billing_pool_, "breach_facts"), 1);  // read from the JSON
  // ticket-svc upgraded: the typed stream, from the same position, once the consumer looks
  // again (it rechecks a producer that lacked it after a minute).
  RestartTicketSvc(/*same_address=*/true, /*serve_typed_events=*/true);
  clock_.Set(Utc(2026, 12, 2, 12));
  const std::string second = Open(acme, sla::v1::PRIORITY_P1).name();
  clock_.Set(Utc(2026, 12, 2, 13));
  Sync();
  EXPECT_EQ(test::CountRows(*billing_pool_, "breach_facts"), 2);
  for (const std::string& ticket : {first, second}) {
    EXPECT_EQ(
        test::CountRows(*billing_pool_, absl::StrCat("breach_facts WHERE ticket = '", ticket, "'")),
        1)
        << ticket;
  }
  EXPECT_EQ(test::CountRows(*billing_pool_, "dead_letters"), 0);
}

}  // namespace
}  // namespace sla::billing
