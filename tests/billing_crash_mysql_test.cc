// billing-svc killed (SIGKILL) while its scheduler closes billing periods, then restarted: every
// period closes exactly once, no document number is skipped or repeated, and every credit is
// issued once. The three real service binaries run on their own scratch databases.
#include <grpcpp/grpcpp.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "common/server/auth.h"
#include "common/test_util/mariadb_env.h"
#include "google/protobuf/util/json_util.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"
#include "tests/suite_fixture.h"

namespace sla {
namespace {

namespace cpb = contract::v1;
namespace tpb = ticket::v1;

int64_t CountWhere(mysql::ConnectionPool& pool, const std::string& sql) {
  int64_t n = -1;
  (void)mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    auto st = c.Prepare(sql);
    if (!st.ok()) return st.status();
    return mysql::Guard([&] {
      std::unique_ptr<sql::ResultSet> rs((*st)->executeQuery());
      if (rs->next()) n = rs->getInt64(1);
    });
  });
  return n;
}

class BillingCrashTest : public SuiteProcessTest {
 protected:
  void SetUp() override {
    contract_db_ = NewDatabase("crash");
    ticket_db_ = NewDatabase("crash");
    billing_db_ = NewDatabase("crash");
    ASSERT_TRUE(contract_db_ && ticket_db_ && billing_db_);
  }

  std::unique_ptr<test::ScratchDatabase> contract_db_, ticket_db_, billing_db_;
};

TEST_F(BillingCrashTest, KilledWhileClosingPeriodsEveryCreditIsIssuedOnce) {
  auto contract = Start(SLA_CONTRACT_SVC, *contract_db_, "contract.log");
  const int contract_port = contract->WaitForPort();
  ASSERT_GT(contract_port, 0);
  auto ticket = Start(SLA_TICKET_SVC, *ticket_db_, "ticket.log",
                      {absl::StrCat("--contract_address=127.0.0.1:", contract_port)});
  const int ticket_port = ticket->WaitForPort();
  ASSERT_GT(ticket_port, 0);
  auto cstub = cpb::ContractService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", contract_port), grpc::InsecureChannelCredentials()));
  auto tstub = tpb::TicketService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", ticket_port), grpc::InsecureChannelCredentials()));

  // Contracts in force since two months before this one; each had 100 minutes of e-mail
  // downtime in the previous month (a credit to issue).
  // A period closes 72 hours (the terms' close grace) after it ends in the billing zone, so
  // "this month" is the month of now − 72 h there: the two months before it have closed
  // whatever today's date (on the 1st–3rd, last month is still in its grace).
  absl::TimeZone bangkok;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Bangkok", &bangkok));
  const absl::CivilMonth this_month(absl::ToCivilSecond(absl::Now() - absl::Hours(72), bangkok));
  const absl::Time start = absl::FromCivil(this_month - 2, absl::UTCTimeZone());
  const absl::Time outage =
      absl::FromCivil(absl::CivilDay(this_month - 1) + 9, absl::UTCTimeZone());
  CreateExampleCalendars(*cstub);
  if (HasFatalFailure()) return;
  constexpr int kContracts = 25;
  for (int i = 0; i < kContracts; ++i) {
    cpb::Customer customer;
    cpb::Contract active;
    ActivateExampleContract(*cstub, absl::StrCat("Customer ", i), start, &customer, &active);
    if (HasFatalFailure()) return;
    tpb::CreateOutageRequest oreq;
    oreq.set_parent(customer.name());
    oreq.mutable_outage()->set_contract(active.name());
    oreq.mutable_outage()->set_service_id("email-hosting");
    oreq.mutable_outage()->mutable_start_time()->set_seconds(absl::ToUnixSeconds(outage));
    oreq.mutable_outage()->mutable_end_time()->set_seconds(absl::ToUnixSeconds(outage) + 100 * 60);
    tpb::Outage o;
    const grpc::Status os = tstub->CreateOutage(As("msp_agent").get(), oreq, &o);
    ASSERT_TRUE(os.ok()) << os.error_message();
  }

  std::vector<std::string> billing_args{
      absl::StrCat("--contract_address=127.0.0.1:", contract_port),
      absl::StrCat("--ticket_address=127.0.0.1:", ticket_port),
      // Small transactions, so that the kill lands between them too.
      "--close_interval_s=1", "--close_batch=2"};
  auto pool = *mysql::ConnectionPool::Create(billing_db_->options());
  auto billing = Start(SLA_BILLING_SVC, *billing_db_, "billing1.log", billing_args);
  ASSERT_GT(billing->WaitForPort(), 0);
  // Kill it in the middle of the scheduler's pass.
  const int64_t total = 2 * kContracts;  // two ended periods per contract
  int64_t at_kill = 0;
  for (int i = 0; i < 3000 && at_kill == 0; ++i) {
    at_kill = CountWhere(*pool, "SELECT COUNT(*) FROM closed_periods");
    if (at_kill == 0) absl::SleepFor(absl::Milliseconds(5));
  }
  billing->Kill();
  at_kill = CountWhere(*pool, "SELECT COUNT(*) FROM closed_periods");
  ASSERT_GT(at_kill, 0) << billing->log();
  EXPECT_LT(at_kill, total) << "the kill came after the pass finished; nothing was interrupted";

  auto restarted = Start(SLA_BILLING_SVC, *billing_db_, "billing2.log", billing_args);
  ASSERT_GT(restarted->WaitForPort(), 0);
  for (int i = 0; i < 600 && CountWhere(*pool, "SELECT COUNT(*) FROM closed_periods") < total;
       ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(CountWhere(*pool, "SELECT COUNT(*) FROM closed_periods"), total);
  // One invoice per contract and period, numbered 1..n without gaps.
  EXPECT_EQ(CountWhere(*pool, "SELECT COUNT(*) FROM documents WHERE series = 'INV'"), total);
  EXPECT_EQ(CountWhere(*pool, "SELECT MAX(number) FROM documents WHERE series = 'INV'"), total);
  // One credit note and one availability credit per contract, for the month with the outage.
  EXPECT_EQ(CountWhere(*pool, "SELECT COUNT(*) FROM documents WHERE series = 'CN'"), kContracts);
  EXPECT_EQ(CountWhere(*pool, "SELECT MAX(number) FROM documents WHERE series = 'CN'"), kContracts);
  EXPECT_EQ(CountWhere(*pool, "SELECT COUNT(*) FROM credits WHERE rule_id = 'email-availability'"),
            kContracts);
  EXPECT_EQ(restarted->Terminate(), 0);
  EXPECT_EQ(ticket->Terminate(), 0);
  EXPECT_EQ(contract->Terminate(), 0);
}

}  // namespace
}  // namespace sla
