// reporting-svc's use cases on the in-memory repository: issuing and revising reports, late
// credits, the schedule, access and paging, the what-if's calendars, in milliseconds and
// without MariaDB. The MariaDB flows (api/*_mysql_test.cc) check them end to end.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/core/test_terms.h"
#include "common/test_util/example_terms.h"
#include "gtest/gtest.h"
#include "reporting-svc/app/fake_reporting_repository.h"
#include "reporting-svc/app/report_manager.h"

namespace sla::reporting {
namespace {

using testing::FakeReportingRepository;
using testing::FakeReportingState;

constexpr int kJan2027 = 2027 * 12;  // period index of January 2027

absl::Time Utc(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

// The example contract's terms (docs/examples), as a person writes them: calendars named, not
// carried.
sla::v1::SlaTerms Proposal() { return test::ExampleTerms(); }

// The same terms as contract-svc answers them: with the calendars' contents.
sla::v1::SlaTerms Priced() {
  sla::v1::SlaTerms t = Proposal();
  const sla::v1::SlaTerms bangkok = core::testing::BangkokTerms();
  for (const auto& c : bangkok.calendars()) *t.add_calendars() = c;
  return t;
}

// contract-svc as reporting sees it: each contract's versions, numbered from 1.
class FakeTerms final : public clients::TermsSource {
 public:
  void Add(const std::string& contract, absl::Time from, sla::v1::Frequency f) {
    sla::v1::SlaTerms t = Priced();
    t.mutable_reporting()->set_frequency(f);
    versions_[contract] = {absl::StrCat(contract, "/versions/1"), t, from};
  }
  bool down = false;

  absl::StatusOr<clients::ResolvedVersion> Resolve(const std::string& contract,
                                                   absl::Time at) override {
    if (down) return absl::UnavailableError("contract-svc is down");
    auto it = versions_.find(contract);
    if (it == versions_.end()) return absl::NotFoundError(contract);
    if (at < it->second.effective_from) return absl::FailedPreconditionError("no terms in force");
    return it->second;
  }
  absl::StatusOr<clients::ResolvedVersion> ResolveVersion(const std::string& contract,
                                                          const std::string& version) override {
    if (down) return absl::UnavailableError("contract-svc is down");
    auto it = versions_.find(contract);
    if (it == versions_.end() || it->second.name != version) return absl::NotFoundError(version);
    return it->second;
  }

 private:
  std::map<std::string, clients::ResolvedVersion> versions_;
};

class FakeDirectory final : public clients::ContractDirectory {
 public:
  std::vector<std::string> active;
  absl::StatusOr<std::vector<std::string>> ActiveContracts() override { return active; }
  absl::StatusOr<std::vector<Terminated>> TerminatedContracts(absl::Time) override {
    return std::vector<Terminated>{};
  }
};

// The followed streams: what "applying billing's events" does to the read model is the test's.
class FakeStreams final : public ReportStreams {
 public:
  std::function<int()> on_billing = [] { return 0; };
  absl::StatusOr<int> ApplyTicketEvents() override { return 0; }
  absl::StatusOr<int> ApplyBillingEvents() override { return on_billing(); }
  absl::StatusOr<std::vector<std::string>> Positions() override {
    return std::vector<std::string>{"ticket-svc/e/7", "billing-svc/e/3"};
  }
  absl::Status CatchUp(const outbox::Position&, absl::Duration) override {
    return absl::OkStatus();
  }
};

const char kAcme[] = "customers/acme/contracts/msa";
const char kAcmeJan[] = "customers/acme/contracts/msa/reports/2027-01";

server::Identity Admin() { return {"alice", "", {"msp_admin"}}; }
server::Identity Customer(const std::string& tenant) {
  return {"carol", tenant, {"customer_admin"}};
}

FakeReportingState::Ticket Ticket(const std::string& contract_id, int period, int resp_state) {
  FakeReportingState::Ticket t;
  t.at = {"acme", contract_id, period};
  t.figures.priority = sla::v1::PRIORITY_P2;
  t.figures.resp_state = resp_state;
  t.figures.breach_count = resp_state == kBreached ? 1 : 0;
  return t;
}

class ReportingAppTest : public ::testing::Test {
 protected:
  ReportingAppTest() : terms_cache_(&terms_) {
    terms_.Add(kAcme, Utc(2026, 10, 1), sla::v1::FREQUENCY_MONTHLY);
    ReportingOptions o;
    o.clock = [this] { return now_; };
    manager_ = std::make_unique<ReportManager>(&repo_, &terms_cache_, &streams_, o);
    repo_.Edit([](FakeReportingState& s) {
      s.tickets.push_back(Ticket("msa", kJan2027, kMetOnTime));
      s.tickets.push_back(Ticket("msa", kJan2027, kBreached));
    });
  }

  FakeReportingRepository repo_;
  FakeTerms terms_;
  ReportTerms terms_cache_;
  FakeStreams streams_;
  absl::Time now_ = Utc(2027, 2, 10);
  std::unique_ptr<ReportManager> manager_;
};

TEST_F(ReportingAppTest, AReportIsIssuedOnceAndRevisedOnlyWhenItsFiguresChange) {
  auto first = manager_->Issue(Admin(), kAcmeJan);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->revision(), 1);
  EXPECT_EQ(first->total().ticket_count(), 2);
  EXPECT_EQ(first->total().response_met_ppm(), 500'000);
  auto same = manager_->Issue(Admin(), kAcmeJan);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->revision(), 1);
  EXPECT_EQ(repo_.state().events.size(), 1u);

  repo_.Edit([](FakeReportingState& s) {
    FakeReportingState::Credit c;
    c.at = {"acme", "msa", kJan2027};
    c.figure.set_currency("THB");
    c.figure.set_amount_minor(246'912);
    c.figure.set_status("issued");
    s.credits.push_back(c);
  });
  auto revised = manager_->Issue(Admin(), kAcmeJan);
  ASSERT_TRUE(revised.ok()) << revised.status();
  EXPECT_EQ(revised->revision(), 2);
  EXPECT_EQ(revised->revision_note(), "revision 2 replaces revision 1: issued on request");
  const FakeReportingState s = repo_.state();
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[1].type, "report.issued");
  EXPECT_EQ(s.events[1].payload.report().revision(), 2);

  // Revision 1 stays readable as issued.
  auto old = manager_->Get(Admin(), kAcmeJan, 1, "");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->credits_size(), 0);
}

TEST_F(ReportingAppTest, APeriodIsNotIssuedBeforeItEndsAndAFailedIssueLeavesNothing) {
  auto feb = manager_->Issue(Admin(), "customers/acme/contracts/msa/reports/2027-02");
  EXPECT_EQ(feb.status().code(), absl::StatusCode::kFailedPrecondition) << feb.status();
  repo_.FailNext("Publish", absl::UnavailableError("connection lost"));
  EXPECT_EQ(manager_->Issue(Admin(), kAcmeJan).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(repo_.state().reports.empty());
  EXPECT_TRUE(repo_.state().events.empty());
}

TEST_F(ReportingAppTest, CustomersReadOnlyTheirOwnReportsAndNeverIssue) {
  EXPECT_EQ(manager_->Issue(Customer("acme"), kAcmeJan).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(manager_->Get(Customer("globex"), kAcmeJan, 0, "").status().code(),
            absl::StatusCode::kNotFound);
  auto own = manager_->Get(Customer("acme"), kAcmeJan, 0, "");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->total().ticket_count(), 2);
  EXPECT_EQ(own->event_positions_size(), 2);  // figures as of now, with what they reflect
  const std::string msp_wide = "customers/-/reports/2027-01";
  EXPECT_EQ(manager_->Get(Customer("acme"), msp_wide, 0, "").status().code(),
            absl::StatusCode::kPermissionDenied);
  auto all = manager_->Get(Admin(), msp_wide, 0, "");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->contract_count(), 1);
}

TEST_F(ReportingAppTest, LateCreditsBecomeARevisionOnceContractSvcAnswers) {
  ASSERT_TRUE(manager_->Issue(Admin(), kAcmeJan).ok());
  // Billing's events, as the projection applies them: a credit, and the revision it makes due.
  streams_.on_billing = [this] {
    repo_.Edit([](FakeReportingState& s) {
      FakeReportingState::Credit c;
      c.at = {"acme", "msa", kJan2027};
      c.figure.set_currency("THB");
      c.figure.set_amount_minor(10'000);
      c.figure.set_status("issued");
      s.credits.push_back(c);
      s.pending.push_back({{"acme", "msa"}, kJan2027, "late data: credits decided later"});
    });
    return 1;
  };
  terms_.down = true;
  ReportingOptions o;
  o.clock = [this] { return now_; };
  ReportTerms cold(&terms_);  // a restarted process: nothing cached
  ReportManager restarted(&repo_, &cold, &streams_, o);
  EXPECT_EQ(restarted.ConsumeBillingEvents().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(repo_.state().pending.size(), 1u);  // kept for the next pass
  terms_.down = false;
  streams_.on_billing = [] { return 0; };
  auto applied = restarted.ConsumeBillingEvents();
  ASSERT_TRUE(applied.ok()) << applied.status();
  const FakeReportingState s = repo_.state();
  EXPECT_TRUE(s.pending.empty());
  ASSERT_EQ(s.reports.size(), 2u);
  EXPECT_EQ(s.reports[1].revision, 2);
}

TEST_F(ReportingAppTest, TheScheduleIssuesEachDuePeriodOnceMonthlyOrQuarterly) {
  terms_.Add("customers/acme/contracts/q", Utc(2026, 10, 1), sla::v1::FREQUENCY_QUARTERLY);
  FakeDirectory directory;
  directory.active = {kAcme, "customers/acme/contracts/q"};
  now_ = Utc(2027, 4, 5);
  auto issued = manager_->IssueDueReports(directory);
  ASSERT_TRUE(issued.ok()) << issued.status();
  // Monthly: October to March, six; quarterly: December and March.
  EXPECT_EQ(*issued, 6 + 2);
  std::map<std::string, std::vector<int>> periods;
  for (const auto& r : repo_.state().reports) periods[r.at.contract_id].push_back(r.at.period);
  EXPECT_EQ(periods["q"], (std::vector<int>{2026 * 12 + 11, 2027 * 12 + 2}));
  auto again = manager_->IssueDueReports(directory);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_F(ReportingAppTest, ListingPagesThroughRevisionsNewestFirst) {
  FakeDirectory directory;
  directory.active = {kAcme};
  now_ = Utc(2027, 4, 5);
  ASSERT_TRUE(manager_->IssueDueReports(directory).ok());  // October..March
  v1::ListReportsRequest req;
  req.set_parent(kAcme);
  req.set_page_size(4);
  auto page = manager_->List(Admin(), api::PageOf(req));
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->reports.size(), 4u);
  EXPECT_EQ(page->reports[0].period(), "2027-03");
  ASSERT_FALSE(page->next_page_token.empty());
  req.set_page_token(page->next_page_token);
  auto rest = manager_->List(Admin(), api::PageOf(req));
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->reports.size(), 2u);
  EXPECT_EQ(rest->reports[1].period(), "2026-10");
  EXPECT_TRUE(rest->next_page_token.empty());
  req.set_page_token("x");
  EXPECT_EQ(manager_->List(Admin(), api::PageOf(req)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(manager_->List(Customer("globex"), api::PageOf(req)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ReportingAppTest, AWhatIfTakesTheCalendarsItNamesButDoesNotCarryFromTheContract) {
  ProposalInput req{kAcme, Proposal(), 3};
  EXPECT_EQ(manager_->Simulate(Customer("acme"), req).status().code(),
            absl::StatusCode::kPermissionDenied);
  auto replay = manager_->Simulate(Admin(), req);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->periods_size(), 3);
  // A customer-wide what-if has no contract to take them from: the proposal must carry them.
  req.subject = "customers/acme";
  EXPECT_EQ(manager_->Simulate(Admin(), req).status().code(), absl::StatusCode::kInvalidArgument);
  req.lookback_periods = 0;
  EXPECT_EQ(manager_->Simulate(Admin(), req).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sla::reporting
