// contract-svc's use cases on the in-memory repositories: customers created once per request
// id and seen by their own users only, a contract from draft through activation and amendment
// to the version in force at an instant, calendars frozen once a version names them, and lint's
// history check when reporting-svc cannot answer. In milliseconds, without MariaDB; the MariaDB
// tests (api/*_mysql_test.cc) check the same rules through gRPC.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/test_util/example_terms.h"
#include "contract-svc/app/calendar_manager.h"
#include "contract-svc/app/contract_manager.h"
#include "contract-svc/app/customer_manager.h"
#include "contract-svc/app/fake_contract_store.h"
#include "contract-svc/app/terms_history.h"
#include "contract-svc/app/terms_reader.h"
#include "gtest/gtest.h"

namespace sla::contract {
namespace {

using testing::FakeCalendarRepository;
using testing::FakeContractRepository;
using testing::FakeContractState;
using testing::FakeContractStore;
using testing::FakeCustomerRepository;

server::Identity Admin() { return {"admin-1", "", {"msp_admin"}}; }
server::Identity CustomerAdmin(const std::string& tenant) {
  return {"boss@" + tenant, tenant, {"customer_admin"}};
}

absl::Time Bangkok(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::FixedTimeZone(7 * 3600));
}

// reporting-svc, down.
class UnreachableHistory final : public TermsHistory {
 public:
  absl::StatusOr<sla::reporting::v1::SimulateTermsResponse> Replay(const std::string&,
                                                                   const sla::v1::SlaTerms&,
                                                                   int) override {
    calls++;
    return absl::UnavailableError("reporting-svc: connection refused");
  }
  int calls = 0;
};

class ContractAppTest : public ::testing::Test {
 protected:
  ContractAppTest()
      : customers_(
            &customer_repo_, [this] { return now_; }, NextId()),
        calendars_(
            &calendar_repo_, [this] { return now_; }, NextId()),
        contracts_(
            &contract_repo_, &calendar_repo_, [this] { return now_; }, NextId()),
        reader_(&contracts_, &contract_repo_, [this] { return now_; }) {}

  std::function<std::string()> NextId() {
    return [this] { return absl::StrCat("id", ++ids_); };
  }

  void SetUp() override {
    for (const char* id : {"bangkok-office", "always-on"}) {
      sla::v1::BusinessCalendar c;
      c.set_display_name(id);
      c.set_time_zone("Asia/Bangkok");
      if (std::string(id) == "always-on") {
        c.set_always_open(true);
      } else {
        for (auto day : {sla::v1::MONDAY, sla::v1::TUESDAY, sla::v1::WEDNESDAY, sla::v1::THURSDAY,
                         sla::v1::FRIDAY}) {
          auto* w = c.add_weekly_intervals();
          w->set_day(day);
          w->set_start_minute(540);
          w->set_end_minute(1020);
        }
      }
      ASSERT_TRUE(calendars_.Create(Admin(), c, id, {}).ok());
    }
    Customer acme;
    acme.display_name = "Acme Co., Ltd.";
    absl::StatusOr<Customer> created = customers_.Create(Admin(), acme, {});
    ASSERT_TRUE(created.ok()) << created.status();
    acme_ = *created;
  }

  absl::StatusOr<ContractView> Draft(const sla::v1::SlaTerms& terms) {
    return contracts_.Create(Admin(), acme_.name(), "Managed IT services 2027", terms, {});
  }

  absl::Time now_ = Bangkok(2026, 12, 8);
  int ids_ = 0;
  FakeContractStore store_;
  FakeCustomerRepository customer_repo_{&store_};
  FakeCalendarRepository calendar_repo_{&store_};
  FakeContractRepository contract_repo_{&store_};
  CustomerManager customers_;
  CalendarManager calendars_;
  ContractManager contracts_;
  TermsReader reader_;
  Customer acme_;
};

TEST_F(ContractAppTest, ACustomerIsCreatedOncePerRequestIdAndSeenByItsOwnUsersOnly) {
  Customer globex;
  globex.display_name = "Globex";
  absl::StatusOr<Customer> first = customers_.Create(Admin(), globex, {"r-1", "h1"});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<Customer> retry = customers_.Create(Admin(), globex, {"r-1", "h1"});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->id, first->id);
  globex.display_name = "Globex Thailand";
  absl::Status other = customers_.Create(Admin(), globex, {"r-1", "h2"}).status();
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(other.message().find("r-1"), std::string::npos);
  EXPECT_EQ(store_.state().customers.size(), 2u);

  absl::StatusOr<CustomerManager::Page> mine = customers_.List(CustomerAdmin(acme_.id), 50, "", "");
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->customers.size(), 1u);
  EXPECT_EQ(mine->customers[0].id, acme_.id);
  EXPECT_EQ(customers_.Get(CustomerAdmin(acme_.id), first->name()).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<CustomerManager::Page> all = customers_.List(Admin(), 50, "", "");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->customers.size(), 2u);
}

TEST_F(ContractAppTest, DraftActivateAmendAndTheVersionInForceAtAnInstant) {
  absl::StatusOr<ContractView> draft = Draft(test::ExampleTerms());
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(draft->contract.state, Contract::State::kDraft);

  absl::StatusOr<ContractView> active = contracts_.Activate(
      Admin(), draft->contract.name(), draft->contract.etag(), Bangkok(2026, 12, 1));
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->contract.state, Contract::State::kActive);
  EXPECT_EQ(active->contract.latest_version, 1);
  EXPECT_EQ(active->terms.calendars_size(), 2) << "the version carries its calendars' snapshot";

  // A version must start after the one before it; the amendment's etag must be current.
  sla::v1::SlaTerms amended = test::ExampleTerms();
  amended.mutable_priority_targets(1)->mutable_resolution()->set_target_seconds(8 * 3600);
  EXPECT_EQ(contracts_
                .Amend(Admin(), active->contract.name(), active->contract.etag(), amended,
                       Bangkok(2026, 11, 1))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(contracts_
                .Amend(Admin(), active->contract.name(), draft->contract.etag(), amended,
                       Bangkok(2027, 1, 1))
                .status()
                .code(),
            absl::StatusCode::kAborted);
  absl::StatusOr<ContractView> v2 = contracts_.Amend(
      Admin(), active->contract.name(), active->contract.etag(), amended, Bangkok(2027, 1, 1));
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->contract.latest_version, 2);

  const server::Identity service{"ticket-svc", "", {"service"}};
  absl::StatusOr<ResolvedVersion> december =
      reader_.ResolveTerms(service, active->contract.name(), Bangkok(2026, 12, 24));
  ASSERT_TRUE(december.ok()) << december.status();
  EXPECT_EQ(december->version.version, 1);
  ASSERT_TRUE(december->effective_until.has_value());
  EXPECT_EQ(*december->effective_until, Bangkok(2027, 1, 1));
  absl::StatusOr<ResolvedVersion> january =
      reader_.ResolveTerms(service, active->contract.name(), Bangkok(2027, 1, 2));
  ASSERT_TRUE(january.ok()) << january.status();
  EXPECT_EQ(january->version.version, 2);
  EXPECT_FALSE(january->effective_until.has_value());
  EXPECT_EQ(
      reader_.ResolveTerms(service, active->contract.name(), Bangkok(2026, 11, 30)).status().code(),
      absl::StatusCode::kFailedPrecondition)
      << "before the first version starts, no terms are in force";
}

TEST_F(ContractAppTest, ACalendarNamedByAnActivatedVersionNoLongerChangesInPlace) {
  absl::StatusOr<sla::v1::BusinessCalendar> cal =
      calendars_.Get(Admin(), "calendars/bangkok-office");
  ASSERT_TRUE(cal.ok()) << cal.status();
  sla::v1::BusinessCalendar patch = *cal;
  patch.set_display_name("Bangkok office (new hours)");
  absl::StatusOr<sla::v1::BusinessCalendar> renamed =
      calendars_.Update(Admin(), patch, {"display_name"});
  ASSERT_TRUE(renamed.ok()) << renamed.status();

  absl::StatusOr<ContractView> draft = Draft(test::ExampleTerms());
  ASSERT_TRUE(draft.ok()) << draft.status();
  ASSERT_TRUE(
      contracts_
          .Activate(Admin(), draft->contract.name(), draft->contract.etag(), Bangkok(2026, 12, 1))
          .ok());
  patch = *renamed;
  patch.set_display_name("Bangkok office (later)");
  EXPECT_EQ(calendars_.Update(Admin(), patch, {"display_name"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_.state().calendars.at("bangkok-office").calendar.display_name(),
            "Bangkok office (new hours)");
}

TEST_F(ContractAppTest, NothingIsWrittenForAContractThatCannotBeCreatedOrActivated) {
  // Under a customer that does not exist.
  absl::Status missing =
      contracts_.Create(Admin(), "customers/nobody", "x", test::ExampleTerms(), {}).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_.state().contracts.empty());

  // Terms whose lint reports an error: activation refused, naming the rule, no version.
  sla::v1::SlaTerms broken = test::ExampleTerms();
  broken.mutable_responsibilities()->clear_customer();
  absl::StatusOr<ContractView> draft = Draft(broken);
  ASSERT_TRUE(draft.ok()) << draft.status();
  absl::Status refused =
      contracts_
          .Activate(Admin(), draft->contract.name(), draft->contract.etag(), Bangkok(2026, 12, 1))
          .status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("no-customer-responsibilities"), std::string::npos) << refused;
  const FakeContractState s = store_.state();
  EXPECT_TRUE(s.versions.empty());
  EXPECT_TRUE(s.calendars_in_use.empty());
  EXPECT_EQ(s.contracts.begin()->second.state, Contract::State::kDraft);
}

TEST_F(ContractAppTest, LintsHistoryCheckSaysSoWhenReportingCannotAnswer) {
  // contract-svc asks reporting-svc to replay terms, reporting-svc asks contract-svc for
  // terms: with reporting-svc down, lint's history check fails UNAVAILABLE and plain lint,
  // activation and ResolveTerms (which ticket-svc needs) go on.
  absl::StatusOr<ContractView> draft = Draft(test::ExampleTerms());
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(reader_.Lint(Admin(), draft->contract.name(), 3).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "no history configured";
  UnreachableHistory history;
  reader_.SetTermsHistory(&history);
  EXPECT_EQ(reader_.Lint(Admin(), draft->contract.name(), 3).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(history.calls, 1);
  absl::StatusOr<std::vector<LintFinding>> plain = reader_.Lint(Admin(), draft->contract.name());
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(history.calls, 1);
  absl::StatusOr<ContractView> active = contracts_.Activate(
      Admin(), draft->contract.name(), draft->contract.etag(), Bangkok(2026, 12, 1));
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_TRUE(reader_
                  .ResolveTerms({"ticket-svc", "", {"service"}}, active->contract.name(),
                                Bangkok(2026, 12, 8))
                  .ok());
  EXPECT_EQ(history.calls, 1);
}

}  // namespace
}  // namespace sla::contract
