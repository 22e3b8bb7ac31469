// billing-svc's use cases on the in-memory repository: closing, ordering, deferral, late data,
// atomicity and the scheduler, in milliseconds and without MariaDB. The MariaDB flows
// (api/*_mysql_test.cc) check the same rules end to end through gRPC.
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "billing-svc/app/billing_manager.h"
#include "billing-svc/app/documents.h"
#include "billing-svc/app/fake_billing_repository.h"
#include "common/status/status_macros.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace sla::billing {
namespace {

using testing::FakeBillingRepository;
using testing::FakeBillingState;

constexpr int64_t kFee = 12'345'600;
constexpr int64_t kP1Credit = 246'912;  // 2 % of the fee per P1 response breach

absl::Time Bangkok(int y, int m, int d, int h = 0) {
  static const absl::TimeZone* zone = [] {
    auto* z = new absl::TimeZone;
    absl::LoadTimeZone("Asia/Bangkok", z);
    return z;
  }();
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), *zone);
}

sla::v1::SlaTerms Terms(int64_t minimum_credit) {
  sla::v1::SlaTerms t;
  const bool ok = google::protobuf::TextFormat::ParseFromString(
      R"pb(
        pricing {
          monthly_fee { currency_code: "THB" amount_minor: 12345600 }
          billing_time_zone: "Asia/Bangkok"
        }
        credit_schedule {
          per_event_rules {
            rule_id: "p1-response"
            clock: CLOCK_FIRST_RESPONSE
            priority: PRIORITY_P1
            fee_share_ppm: 20000
          }
          minimum_credit_handling: MINIMUM_CREDIT_DEFER
          rounding: ROUNDING_HALF_UP
          close_grace_hours: 72
        }
      )pb",
      &t);
  EXPECT_TRUE(ok);
  t.mutable_credit_schedule()->mutable_minimum_credit()->set_currency_code("THB");
  t.mutable_credit_schedule()->mutable_minimum_credit()->set_amount_minor(minimum_credit);
  return t;
}

// contract-svc as billing sees it: one version per contract, in force from a start.
class FakeTerms final : public clients::TermsSource, public clients::ContractDirectory {
 public:
  void Add(const std::string& contract, absl::Time from, int64_t minimum_credit = 0) {
    versions_[contract] = {absl::StrCat(contract, "/versions/1"), Terms(minimum_credit), from};
  }
  void Unreachable(const std::string& contract) { unreachable_.insert(contract); }

  absl::StatusOr<clients::ResolvedVersion> Resolve(const std::string& contract,
                                                   absl::Time at) override {
    if (unreachable_.count(contract) > 0) return absl::UnavailableError("contract-svc is down");
    auto it = versions_.find(contract);
    if (it == versions_.end()) return absl::NotFoundError(contract);
    if (at < it->second.effective_from || at >= it->second.effective_until)
      return absl::FailedPreconditionError("no terms in force");
    return it->second;
  }
  absl::StatusOr<clients::ResolvedVersion> ResolveVersion(const std::string& contract,
                                                          const std::string&) override {
    return Resolve(contract, absl::Now());
  }
  absl::StatusOr<std::vector<std::string>> ActiveContracts() override {
    std::vector<std::string> out;
    for (const auto& [name, v] : versions_) out.push_back(name);
    return out;
  }
  absl::StatusOr<std::vector<Terminated>> TerminatedContracts(absl::Time) override {
    return std::vector<Terminated>{};
  }

 private:
  std::map<std::string, clients::ResolvedVersion> versions_;
  std::set<std::string> unreachable_;
};

// ticket-svc's stream: breaches waiting to be applied, written into the repository as facts.
class FakeTicketFacts final : public TicketFacts {
 public:
  explicit FakeTicketFacts(FakeBillingRepository* repo) : repo_(repo) {}
  void Breach(const ContractKey& k, const std::string& ticket, absl::Time at) {
    waiting_.push_back(
        {k,
         {ticket, sla::v1::CLOCK_FIRST_RESPONSE, sla::v1::PRIORITY_P1, absl::ToUnixSeconds(at)}});
  }
  absl::StatusOr<int> ApplyAvailable() override {
    const int n = static_cast<int>(waiting_.size());
    repo_->Edit([&](FakeBillingState& s) {
      for (auto& b : waiting_) s.breaches.push_back(std::move(b));
    });
    waiting_.clear();
    sequence_ += n;
    return n;
  }
  absl::StatusOr<FactsPosition> Current() override { return FactsPosition{"e1", sequence_, 0}; }
  absl::StatusOr<FactsPosition> CatchUp(const std::string&, int64_t sequence,
                                        absl::Duration) override {
    SLA_RETURN_IF_ERROR(ApplyAvailable().status());
    if (sequence_ < sequence) return absl::UnavailableError("not caught up");
    return Current();
  }

 private:
  FakeBillingRepository* repo_;
  std::vector<FakeBillingState::Breach> waiting_;
  int64_t sequence_ = 0;
};

const char kAcme[] = "customers/acme/contracts/msa";
const ContractKey kAcmeKey{"acme", "msa"};

server::Identity Admin() { return {"alice", "", {"msp_admin"}}; }
server::Identity Customer(const std::string& tenant) {
  return {"carol", tenant, {"customer_admin"}};
}

pb::ClosePeriodRequest CloseReq(const std::string& contract, int y, int m) {
  pb::ClosePeriodRequest r;
  r.set_contract(contract);
  r.mutable_period()->set_year(y);
  r.mutable_period()->set_month(m);
  return r;
}

std::vector<std::string> EventTypes(const FakeBillingState& s) {
  std::vector<std::string> out;
  for (const outbox::Row& e : s.events) out.push_back(e.type);
  return out;
}

class BillingAppTest : public ::testing::Test {
 protected:
  BillingAppTest() : facts_(&repo_) {
    // Starts with December 2026, in Bangkok.
    terms_.Add(kAcme, Bangkok(2026, 12, 1));
    BillingOptions o;
    o.clock = [this] { return now_; };
    o.close_batch = 2;
    o.close_workers = 2;
    manager_ = std::make_unique<BillingManager>(&repo_, &terms_, &facts_, o);
  }

  absl::StatusOr<pb::ClosePeriodResponse> Close(const std::string& contract, int y, int m) {
    const pb::ClosePeriodRequest r = CloseReq(contract, y, m);
    return manager_->Close(Admin(), r.contract(), r.period());
  }

  FakeBillingRepository repo_;
  FakeTerms terms_;
  FakeTicketFacts facts_;
  absl::Time now_ = Bangkok(2027, 1, 2);
  std::unique_ptr<BillingManager> manager_;
};

TEST_F(BillingAppTest, ClosingIssuesOneInvoiceAndOneCreditNoteOnce) {
  facts_.Breach(kAcmeKey, "customers/acme/tickets/t1", Bangkok(2026, 12, 9, 10));
  auto first = Close(kAcme, 2026, 12);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->newly_closed());
  EXPECT_EQ(first->invoice().number(), "INV-000001");
  EXPECT_EQ(first->invoice().total().amount_minor(), kFee);
  EXPECT_EQ(first->credit_note().number(), "CN-000001");
  EXPECT_EQ(first->credit_note().total().amount_minor(), kP1Credit);
  ASSERT_EQ(first->credit_note().lines_size(), 1);
  EXPECT_EQ(first->credit_note().lines(0).rule_id(), "p1-response");

  auto again = Close(kAcme, 2026, 12);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->newly_closed());
  EXPECT_EQ(again->invoice().SerializeAsString(), first->invoice().SerializeAsString());
  EXPECT_EQ(again->credit_note().SerializeAsString(), first->credit_note().SerializeAsString());

  const FakeBillingState s = repo_.state();
  EXPECT_EQ(s.documents.size(), 2u);
  EXPECT_EQ(s.credits.size(), 1u);
  EXPECT_EQ(EventTypes(s), (std::vector<std::string>{"credit_note.issued", "invoice.issued"}));
}

TEST_F(BillingAppTest, PeriodsCloseInOrderAndNotBeforeTheyEnd) {
  now_ = Bangkok(2027, 2, 10);
  auto jan = Close(kAcme, 2027, 1);
  EXPECT_EQ(jan.status().code(), absl::StatusCode::kFailedPrecondition) << jan.status();
  EXPECT_NE(jan.status().message().find("2026-12 is not closed yet"), std::string::npos);
  auto feb = Close(kAcme, 2027, 2);
  EXPECT_EQ(feb.status().code(), absl::StatusCode::kFailedPrecondition) << feb.status();
  auto before = Close(kAcme, 2026, 11);
  EXPECT_EQ(before.status().code(), absl::StatusCode::kNotFound) << before.status();
  const FakeBillingState s = repo_.state();
  EXPECT_TRUE(s.closed.empty());
  EXPECT_TRUE(s.events.empty());
}

TEST_F(BillingAppTest, OnlyAdminsAndBillingCloseAndCustomersSeeOnlyTheirOwnPreview) {
  const pb::ClosePeriodRequest close = CloseReq(kAcme, 2026, 12);
  auto denied = manager_->Close(Customer("acme"), close.contract(), close.period());
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  pb::PreviewCreditsRequest req;
  req.set_contract(kAcme);
  req.mutable_period()->set_year(2026);
  req.mutable_period()->set_month(12);
  auto preview = [&](const server::Identity& who) {
    return manager_->Preview(who, req.contract(), req.period(), req.min_event_position());
  };
  EXPECT_EQ(preview(Customer("globex")).status().code(), absl::StatusCode::kNotFound);
  facts_.Breach(kAcmeKey, "customers/acme/tickets/t1", Bangkok(2026, 12, 9, 10));
  req.set_min_event_position("ticket-svc/e1/1");
  auto own = preview(Customer("acme"));
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->computation.credits.total_minor, kP1Credit);
  EXPECT_EQ(own->reflects.epoch, "e1");
  EXPECT_EQ(own->reflects.sequence, 1);
  req.set_min_event_position("billing-svc/e1/1");
  EXPECT_EQ(preview(Admin()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(repo_.state().closed.empty());  // a preview writes nothing
}

TEST_F(BillingAppTest, TheNextInvoiceDeductsACreditOnce) {
  facts_.Breach(kAcmeKey, "customers/acme/tickets/t1", Bangkok(2026, 12, 9, 10));
  ASSERT_TRUE(Close(kAcme, 2026, 12).ok());
  now_ = Bangkok(2027, 2, 2);
  auto jan = Close(kAcme, 2027, 1);
  ASSERT_TRUE(jan.ok()) << jan.status();
  EXPECT_EQ(jan->invoice().total().amount_minor(), kFee - kP1Credit);
  EXPECT_FALSE(jan->has_credit_note());
  now_ = Bangkok(2027, 3, 2);
  auto feb = Close(kAcme, 2027, 2);
  ASSERT_TRUE(feb.ok()) << feb.status();
  EXPECT_EQ(feb->invoice().total().amount_minor(), kFee);
  EXPECT_EQ(feb->invoice().number(), "INV-000003");
}

TEST_F(BillingAppTest, DeferredCreditsArePaidOutOnceTheyReachTheMinimum) {
  terms_.Add(kAcme, Bangkok(2026, 12, 1), /*minimum_credit=*/300'000);
  facts_.Breach(kAcmeKey, "customers/acme/tickets/t1", Bangkok(2026, 12, 9, 10));
  auto dec = Close(kAcme, 2026, 12);
  ASSERT_TRUE(dec.ok()) << dec.status();
  EXPECT_FALSE(dec->has_credit_note());
  EXPECT_EQ(EventTypes(repo_.state()),
            (std::vector<std::string>{"credit.deferred", "invoice.issued"}));

  facts_.Breach(kAcmeKey, "customers/acme/tickets/t2", Bangkok(2027, 1, 9, 10));
  now_ = Bangkok(2027, 2, 2);
  auto jan = Close(kAcme, 2027, 1);
  ASSERT_TRUE(jan.ok()) << jan.status();
  EXPECT_EQ(jan->credit_note().total().amount_minor(), 2 * kP1Credit);
  ASSERT_EQ(jan->credit_note().lines_size(), 2);
  EXPECT_NE(jan->credit_note().lines(1).description().find("deferred from 2026-12"),
            std::string::npos);
  // Paid out with January's close, so deducted by February's invoice, not January's.
  EXPECT_EQ(jan->invoice().total().amount_minor(), kFee);
  now_ = Bangkok(2027, 3, 2);
  auto feb = Close(kAcme, 2027, 2);
  ASSERT_TRUE(feb.ok()) << feb.status();
  EXPECT_EQ(feb->invoice().total().amount_minor(), kFee - 2 * kP1Credit);
}

TEST_F(BillingAppTest, LateDataIssuesADeltaNoteOnce) {
  ASSERT_TRUE(Close(kAcme, 2026, 12).ok());
  // A breach of December arrives after its close; the consumer marks the period stale.
  facts_.Breach(kAcmeKey, "customers/acme/tickets/t9", Bangkok(2026, 12, 20, 10));
  ASSERT_TRUE(manager_->ConsumeOnce().ok());
  repo_.Edit([](FakeBillingState& s) { s.closed.begin()->second.stale = true; });

  auto changed = manager_->ReviseStalePeriods();
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(*changed, 1);
  FakeBillingState s = repo_.state();
  ASSERT_EQ(s.documents.size(), 2u);
  EXPECT_EQ(s.documents[1].series, "CN");
  EXPECT_EQ(s.documents[1].revision, 1);
  pb::CreditNote note;
  ASSERT_TRUE(note.ParseFromString(s.documents[1].body));
  EXPECT_EQ(note.total().amount_minor(), kP1Credit);
  EXPECT_NE(note.lines(0).description().find("late data, revision 1"), std::string::npos);
  EXPECT_FALSE(s.closed.begin()->second.stale);

  auto again = manager_->ReviseStalePeriods();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(repo_.state().documents.size(), 2u);
}

TEST_F(BillingAppTest, AFailedCloseLeavesNothingAndNumbersStayGapless) {
  facts_.Breach(kAcmeKey, "customers/acme/tickets/t1", Bangkok(2026, 12, 9, 10));
  repo_.FailNext("InsertDocuments", absl::UnavailableError("connection lost"));
  auto failed = Close(kAcme, 2026, 12);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  FakeBillingState s = repo_.state();
  EXPECT_TRUE(s.closed.empty());
  EXPECT_TRUE(s.credits.empty());
  EXPECT_TRUE(s.documents.empty());
  EXPECT_TRUE(s.events.empty());
  EXPECT_TRUE(s.last_number.empty());

  auto retried = Close(kAcme, 2026, 12);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->invoice().number(), "INV-000001");
  EXPECT_EQ(retried->credit_note().number(), "CN-000001");
}

TEST_F(BillingAppTest, TheSchedulerClosesEveryDuePeriodOldestFirstAndSkipsAFailingContract) {
  const std::vector<std::string> others = {"customers/beta/contracts/b",
                                           "customers/gamma/contracts/c"};
  for (const std::string& c : others) terms_.Add(c, Bangkok(2026, 12, 1));
  terms_.Add("customers/down/contracts/d", Bangkok(2026, 12, 1));
  terms_.Unreachable("customers/down/contracts/d");
  // February ended on the 1st of March in Bangkok; its 72 grace hours end on the 4th.
  now_ = Bangkok(2027, 3, 3);
  auto closed = manager_->CloseDuePeriods(terms_);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 3 * 2);  // December and January of acme, beta and gamma
  now_ = Bangkok(2027, 3, 5);
  closed = manager_->CloseDuePeriods(terms_);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 3);  // February's, now past its grace
  closed = manager_->CloseDuePeriods(terms_);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(*closed, 0);

  const FakeBillingState s = repo_.state();
  EXPECT_EQ(s.closed.size(), 9u);
  for (const auto& [text, row] : s.closed) EXPECT_NE(row.at.key.customer_id, "down");
  // Per contract, invoice numbers follow the periods: each period closed after the one before.
  std::map<std::string, int64_t> last;
  std::vector<DocumentRow> invoices;
  for (const DocumentRow& d : s.documents) {
    if (d.series == "INV") invoices.push_back(d);
  }
  std::sort(invoices.begin(), invoices.end(), [](const auto& a, const auto& b) {
    return MonthIndex(a.period) < MonthIndex(b.period);
  });
  for (const DocumentRow& d : invoices) {
    EXPECT_GT(d.number, last[KeyText(d.key)]) << KeyText(d.key);
    last[KeyText(d.key)] = d.number;
  }
  EXPECT_EQ(s.last_number.at("INV"), 9);
}

TEST_F(BillingAppTest, CustomersListOnlyTheirOwnDocuments) {
  terms_.Add("customers/beta/contracts/b", Bangkok(2026, 12, 1));
  ASSERT_TRUE(Close(kAcme, 2026, 12).ok());
  ASSERT_TRUE(Close("customers/beta/contracts/b", 2026, 12).ok());
  DocumentReader reader(&repo_);
  pb::ListInvoicesRequest req;
  req.set_parent("customers/-");
  auto mine = reader.ListInvoices(Customer("beta"), api::PageOf(req));
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->documents.size(), 1u);
  EXPECT_EQ(mine->documents[0].contract(), "customers/beta/contracts/b");
  auto all = reader.ListInvoices(Admin(), api::PageOf(req));
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->documents.size(), 2u);
  EXPECT_EQ(
      reader.GetInvoice(Customer("beta"), "customers/acme/invoices/INV-000001").status().code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sla::billing
