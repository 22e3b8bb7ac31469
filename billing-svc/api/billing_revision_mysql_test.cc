// What happens to a billing period after it closed, and at a contract's edges, through the real
// services (contract-svc, ticket-svc, billing-svc in process on MariaDB, over gRPC): facts that
// arrive late produce delta credit and debit notes (issued documents never change); credits
// below the minimum are deferred and paid out once they add up; a contract terminated mid-month
// pays for its days. Amounts are computed by hand in the comments, on the example contract
// (docs/examples/acme-managed-it-terms.json; see billing_flow_mysql_test.cc).
#include <thread>

#include "tests/harness/billing_api_fixture.h"

namespace sla::billing {
namespace {

using ticket::Tenant;
using ticket::Utc;
namespace cpb = sla::contract::v1;

class BillingRevisionTest : public BillingApiTest {
 protected:
  // contract-svc checks tokens against real time (its own logic runs at a fixed instant).
  static std::unique_ptr<grpc::ClientContext> ContractAdmin() {
    return ticket::SuiteHarness::As("msp_admin", "", absl::Now());
  }
  pb::CreditNote GetNote(const std::string& name) {
    pb::GetCreditNoteRequest req;
    req.set_name(name);
    pb::CreditNote out;
    const grpc::Status s = billing_stub_->GetCreditNote(As("billing_system").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  std::vector<pb::CreditNote> Notes(const Tenant& t, const std::string& filter = "") {
    pb::ListCreditNotesRequest req;
    req.set_parent(t.customer);
    req.set_filter(filter);
    pb::ListCreditNotesResponse out;
    const grpc::Status s =
        billing_stub_->ListCreditNotes(As("customer_user", t.id).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.credit_notes().begin(), out.credit_notes().end()};
  }
  cpb::Contract GetContract(const Tenant& t) {
    cpb::GetContractRequest req;
    req.set_name(t.contract);
    cpb::Contract out;
    const grpc::Status s = harness_->contract_stub().GetContract(ContractAdmin().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  // From the first second of December: a minimum payable credit of 3,000.00, deferred below it
  // (the example terms' handling). Returns the amended contract.
  cpb::Contract RaiseMinimumCredit(const Tenant& t) {
    cpb::Contract contract = GetContract(t);
    cpb::AmendContractRequest amend;
    amend.set_name(t.contract);
    amend.set_etag(contract.etag());
    *amend.mutable_terms() = contract.terms();
    amend.mutable_terms()->mutable_credit_schedule()->mutable_minimum_credit()->set_amount_minor(
        300'000);
    amend.mutable_effective_from()->set_seconds(Utc(2026, 11, 30, 17) + 1);
    cpb::Contract amended;
    const grpc::Status s =
        harness_->contract_stub().AmendContract(ContractAdmin().get(), amend, &amended);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return amended;
  }
  static int64_t Sum(const google::protobuf::RepeatedPtrField<pb::DocumentLine>& lines) {
    int64_t sum = 0;
    for (const auto& l : lines) sum += l.amount().amount_minor();
    return sum;
  }
};

TEST_F(BillingRevisionTest, LateFactsAfterTheCloseBecomeDeltaNotesNeverEdits) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2026, 12, 2, 10));
  Open(acme, sla::v1::PRIORITY_P1);  // missed: 246,912 (2 % of 12,345,600)
  clock_.Set(Utc(2026, 12, 2, 11));
  Sync();
  // Thu 31 Dec 23:00 Bangkok: a P1 (due 23:15, still December) and an e-mail outage, open.
  clock_.Set(Utc(2026, 12, 31, 16));
  Open(acme, sla::v1::PRIORITY_P1);
  const std::string outage = Outage(acme, Utc(2026, 12, 31, 16), 0);
  clock_.Set(Utc(2026, 12, 31, 16, 5));
  Sync();

  // Closed on 5 January before ticket-svc's worker ran again: the late P1 is unknown, and the
  // open outage counts until the period's end (60 min): E = 44,640 − 4 Sundays × 120 = 44,160,
  // 44,100 / 44,160 = 99.864 % < 99.9 % → 10 % of 3,345,600 = 334,560. Total 581,472.
  clock_.Set(Utc(2027, 1, 5, 0));
  pb::ClosePeriodResponse dec;
  ASSERT_TRUE(Close(acme, 2026, 12, &dec).ok());
  const pb::CreditNote original = dec.credit_note();
  EXPECT_EQ(original.total().amount_minor(), 581'472);
  EXPECT_EQ(Line(original.lines(), "p1-response"), 246'912);
  EXPECT_EQ(Line(original.lines(), "email-availability"), 334'560);

  // ticket-svc catches up: the second P1 breached at 23:15 on 31 December. A delta credit note,
  // revision 1: +246,912.
  Sync();
  auto revised = billing_->manager().ReviseStalePeriods();
  ASSERT_TRUE(revised.ok()) << revised.status();
  EXPECT_EQ(*revised, 1);
  std::vector<pb::CreditNote> notes = Notes(acme);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].number(), "CN-000002");
  EXPECT_EQ(notes[1].revision(), 1);
  EXPECT_FALSE(notes[1].debit());
  EXPECT_EQ(notes[1].total().amount_minor(), 246'912);
  ASSERT_EQ(notes[1].lines_size(), 1);
  EXPECT_EQ(Line(notes[1].lines(), "p1-response"), 246'912);

  // The outage is closed after 30 minutes: 44,130 / 44,160 = 99.932 % ≥ 99.9 %, the target is
  // met and the availability credit is taken back: debit note DN-000001, revision 2, 334,560.
  tpb::CloseOutageRequest close;
  close.set_name(outage);
  close.mutable_end_time()->set_seconds(Utc(2026, 12, 31, 16, 30));
  tpb::Outage closed;
  ASSERT_TRUE(stub_->CloseOutage(As("msp_agent").get(), close, &closed).ok());
  Sync();
  revised = billing_->manager().ReviseStalePeriods();
  ASSERT_TRUE(revised.ok()) << revised.status();
  EXPECT_EQ(*revised, 1);
  const std::vector<pb::CreditNote> debits = Notes(acme, "series = DN");
  ASSERT_EQ(debits.size(), 1u);
  EXPECT_EQ(debits[0].number(), "DN-000001");
  EXPECT_TRUE(debits[0].debit());
  EXPECT_EQ(debits[0].revision(), 2);
  EXPECT_EQ(debits[0].total().amount_minor(), 334'560);
  EXPECT_EQ(Line(debits[0].lines(), "email-availability"), 334'560);
  EXPECT_EQ(GetNote(debits[0].name()).total().amount_minor(), 334'560);

  // Nothing new: no revision. Replayed events mark the period again; the recomputation finds
  // no change and issues nothing.
  revised = billing_->manager().ReviseStalePeriods();
  ASSERT_TRUE(revised.ok());
  EXPECT_EQ(*revised, 0);
  ASSERT_TRUE(mysql::RunInTransaction(*billing_pool_, [](mysql::Connection& c) {
                return c.ExecuteUnprepared("UPDATE consumer_cursor SET last_seq = 0");
              }).ok());
  Sync();
  EXPECT_EQ(test::CountRows(*billing_pool_, "closed_periods WHERE stale = 1"), 1);
  revised = billing_->manager().ReviseStalePeriods();
  ASSERT_TRUE(revised.ok());
  EXPECT_EQ(*revised, 0);
  EXPECT_EQ(test::CountRows(*billing_pool_, "closed_periods WHERE stale = 1"), 0);
  EXPECT_EQ(Notes(acme).size(), 2u);

  // The issued documents are as they were.
  EXPECT_EQ(GetNote(original.name()).SerializeAsString(), original.SerializeAsString());

  // January's invoice applies all of December's: 12,345,600 − 246,912 − 334,560 (the close)
  // − 246,912 (credit delta) + 334,560 (debit) = 11,851,776.
  clock_.Set(Utc(2027, 2, 5, 0));
  pb::ClosePeriodResponse jan;
  ASSERT_TRUE(Close(acme, 2027, 1, &jan).ok());
  EXPECT_EQ(jan.invoice().total().amount_minor(), 11'851'776);
  EXPECT_EQ(Sum(jan.invoice().lines()), jan.invoice().total().amount_minor());
  int debit_lines = 0;
  for (const auto& l : jan.invoice().lines()) {
    if (l.kind() == "debit") {
      ++debit_lines;
      EXPECT_EQ(l.amount().amount_minor(), 334'560);
    }
  }
  EXPECT_EQ(debit_lines, 1);

  // billing-svc's stream announces each document.
  ASSERT_TRUE(billing_->sequencer().RunOnce().ok());
  pb::ListEventsRequest ereq;
  pb::ListEventsResponse events;
  ASSERT_TRUE(billing_stub_->ListEvents(As("billing_system").get(), ereq, &events).ok());
  std::vector<std::string> types;
  for (const auto& e : events.events()) types.push_back(e.type());
  EXPECT_THAT(types,
              ::testing::ElementsAre("credit_note.issued", "invoice.issued", "credit_note.issued",
                                     "debit_note.issued", "invoice.issued"));
}

TEST_F(BillingRevisionTest, CreditsBelowTheMinimumAreDeferredUntilTheyAddUp) {
  const Tenant acme = NewTenant("Acme");
  RaiseMinimumCredit(acme);
  if (HasFailure()) return;

  // December: one P1 missed, 246,912 < 300,000: deferred, no credit note.
  clock_.Set(Utc(2026, 12, 2, 10));
  Open(acme, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2026, 12, 2, 11));
  Sync();
  clock_.Set(Utc(2027, 1, 5, 0));
  pb::ClosePeriodResponse dec;
  ASSERT_TRUE(Close(acme, 2026, 12, &dec).ok());
  EXPECT_FALSE(dec.has_credit_note());
  EXPECT_EQ(test::CountRows(*billing_pool_, "credits WHERE status = 2"), 1);

  // January: another, 246,912; with December's 493,824 ≥ 300,000: one credit note pays both.
  clock_.Set(Utc(2027, 1, 6, 10));
  Open(acme, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2027, 1, 6, 11));
  Sync();
  clock_.Set(Utc(2027, 2, 5, 0));
  pb::ClosePeriodResponse jan;
  ASSERT_TRUE(Close(acme, 2027, 1, &jan).ok());
  ASSERT_TRUE(jan.has_credit_note());
  EXPECT_EQ(jan.credit_note().total().amount_minor(), 493'824);
  ASSERT_EQ(jan.credit_note().lines_size(), 2);
  EXPECT_THAT(jan.credit_note().lines(1).description(),
              ::testing::HasSubstr("deferred from 2026-12"));
  EXPECT_EQ(Sum(jan.credit_note().lines()), 493'824);
  // Nothing was deducted from January's invoice (December's credit was not payable then).
  EXPECT_EQ(jan.invoice().total().amount_minor(), 12'345'600);

  // February's invoice deducts both.
  clock_.Set(Utc(2027, 3, 5, 0));
  pb::ClosePeriodResponse feb;
  ASSERT_TRUE(Close(acme, 2027, 2, &feb).ok());
  EXPECT_EQ(feb.invoice().total().amount_minor(), 12'345'600 - 493'824);
  EXPECT_EQ(Sum(feb.invoice().lines()), feb.invoice().total().amount_minor());
  EXPECT_EQ(test::CountRows(*billing_pool_, "credits WHERE status = 2"), 0);
}

TEST_F(BillingRevisionTest, AContractTerminatedMidMonthPaysForItsDaysAndItsDeferredCredits) {
  const Tenant acme = NewTenant("Acme");
  const cpb::Contract amended = RaiseMinimumCredit(acme);
  if (HasFailure()) return;

  // One P1 missed on 2 December; the contract ends (for cause) at 20 December 00:00 Bangkok.
  clock_.Set(Utc(2026, 12, 2, 10));
  Open(acme, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2026, 12, 2, 11));
  Sync();
  cpb::TerminateContractRequest end;
  end.set_name(acme.contract);
  end.set_etag(amended.etag());
  end.set_reason("chronic breach of the response target");
  end.mutable_effective_time()->set_seconds(Utc(2026, 12, 19, 17));
  end.set_for_cause(true);
  cpb::Contract terminated;
  const grpc::Status ts =
      harness_->contract_stub().TerminateContract(ContractAdmin().get(), end, &terminated);
  ASSERT_TRUE(ts.ok()) << ts.error_message();

  // The scheduler still bills it after the 72 h grace. 19 of 31 days: 12,345,600 × 19/31 =
  // 7,566,658.06 → 7,566,658. The credit base is that fee: 2 % = 151,333.16 → 151,333, below
  // the 3,000.00 minimum, but the last period pays out what is deferred.
  clock_.Set(Utc(2027, 1, 5, 0));
  auto closed = billing_->manager().CloseDuePeriods(*directory_);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 1);
  const pb::ListInvoicesResponse invoices = Invoices(acme.customer, "customer_user", acme.id);
  ASSERT_EQ(invoices.invoices_size(), 1);
  EXPECT_EQ(invoices.invoices(0).total().amount_minor(), 7'566'658);
  EXPECT_THAT(invoices.invoices(0).lines(0).description(), ::testing::HasSubstr("19 of 31 days"));
  const std::vector<pb::CreditNote> notes = Notes(acme);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].total().amount_minor(), 151'333);

  // Nothing after its end: later passes close nothing.
  clock_.Set(Utc(2027, 3, 5, 0));
  closed = billing_->manager().CloseDuePeriods(*directory_);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 0);
  pb::ClosePeriodResponse jan;
  EXPECT_EQ(Close(acme, 2027, 1, &jan).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(BillingRevisionTest, PeriodsCloseInOrder) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2027, 2, 5, 0));
  pb::ClosePeriodResponse out;
  const grpc::Status s = Close(acme, 2027, 1, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("2026-12 is not closed yet"));
  ASSERT_TRUE(Close(acme, 2026, 12, &out).ok());
  ASSERT_TRUE(Close(acme, 2027, 1, &out).ok());
  // The first period has nothing before it to wait for.
  EXPECT_EQ(out.invoice().period().month(), 1);
}

TEST_F(BillingRevisionTest, TwoReplicasClosingTogetherIssueEveryPeriodOnce) {
  // Eight contracts, each with a missed P1 in December and January; two billing-svc replicas
  // (two managers on their own connection pools) run their scheduler passes at the same time,
  // in batches of three on two connections each.
  constexpr int kContracts = 8;
  std::vector<Tenant> tenants;
  for (int i = 0; i < kContracts; ++i) tenants.push_back(NewTenant(absl::StrCat("Customer ", i)));
  for (const auto& [y, m] : {std::pair{2026, 12}, std::pair{2027, 1}}) {
    clock_.Set(Utc(y, m, 9, 10));
    for (const Tenant& t : tenants) Open(t, sla::v1::PRIORITY_P1);
    clock_.Set(Utc(y, m, 9, 11));
    Sync();
  }
  clock_.Set(Utc(2027, 2, 5, 0));
  auto other_pool = mysql::ConnectionPool::Create(billing_db_->options());
  ASSERT_TRUE(other_pool.ok());
  auto terms = std::make_unique<clients::ContractTermsSource>(harness_->contract_channel(), Jwt(),
                                                              "billing-svc");
  auto events = clients::TicketEventFeed(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", harness_->ticket_port()),
                          grpc::InsecureChannelCredentials()),
      Jwt(), "billing-svc", [this] { return clock_.Now(); });
  BillingOptions o;
  o.clock = [this] { return clock_.Now(); };
  o.close_batch = 3;
  o.close_workers = 2;
  storage::MysqlBillingRepository first_repo(billing_pool_.get()), second_repo(other_pool->get());
  storage::FollowedTicketFacts first_facts(billing_pool_.get(), events.get(), o.clock);
  storage::FollowedTicketFacts second_facts(other_pool->get(), events.get(), o.clock);
  BillingManager first(&first_repo, terms.get(), &first_facts, o);
  BillingManager second(&second_repo, terms.get(), &second_facts, o);
  absl::StatusOr<int> a = 0, b = 0;
  std::thread t1([&] { a = first.CloseDuePeriods(*directory_); });
  std::thread t2([&] { b = second.CloseDuePeriods(*directory_); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  // A replica may find periods the other was still closing and leave them to a later pass.
  for (int pass = 0; pass < 3 && *a + *b < 2 * kContracts; ++pass) {
    auto more = first.CloseDuePeriods(*directory_);
    ASSERT_TRUE(more.ok()) << more.status();
    *a += *more;
  }
  EXPECT_EQ(*a + *b, 2 * kContracts);
  EXPECT_EQ(test::CountRows(*billing_pool_, "closed_periods"), 2 * kContracts);
  // One invoice and one credit note per contract and period, numbered without gaps.
  EXPECT_EQ(test::CountRows(*billing_pool_, "documents WHERE series = 'INV'"), 2 * kContracts);
  EXPECT_EQ(test::CountRows(*billing_pool_, "documents WHERE series = 'CN'"), 2 * kContracts);
  EXPECT_EQ(test::CountRows(*billing_pool_, "documents WHERE series = 'INV' AND number > 16"), 0);
  EXPECT_EQ(test::CountRows(*billing_pool_, "documents WHERE series = 'CN' AND number > 16"), 0);
  EXPECT_EQ(test::CountRows(*billing_pool_, "credits WHERE rule_id = 'p1-response'"),
            2 * kContracts);
  // January's invoices deduct December's credit, once each: 12,345,600 − 246,912.
  EXPECT_EQ(
      test::CountRows(*billing_pool_, "credits WHERE applied_year = 2027 AND applied_month = 1"),
      kContracts);
  const pb::ListInvoicesResponse jan =
      Invoices("customers/-", "billing_system", "", "period = 2027-01");
  ASSERT_EQ(jan.invoices_size(), kContracts);
  for (const auto& inv : jan.invoices())
    EXPECT_EQ(inv.total().amount_minor(), 12'345'600 - 246'912);
}

}  // namespace
}  // namespace sla::billing
