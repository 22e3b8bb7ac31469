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
#include "tests/service_process.h"

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

class BillingCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* db : {&contract_db_, &ticket_db_, &billing_db_}) {
      auto created = test::ScratchDatabase::Create("crash");
      ASSERT_TRUE(created.ok()) << created.status();
      *db = *std::move(created);
    }
    char dir_template[] = "/tmp/sla-crash-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    std::ofstream(dir_ + "/jwt.key") << key_;
    std::ofstream(dir_ + "/db.password") << contract_db_->options().password;
  }

  std::unique_ptr<ServiceProcess> Start(const char* binary, const test::ScratchDatabase& db,
                                        const std::string& log, std::vector<std::string> extra = {}) {
    const auto& o = db.options();
    std::vector<std::string> args{"--port=0", absl::StrCat("--db_port=", o.port),
                                  absl::StrCat("--db_user=", o.user),
                                  absl::StrCat("--db_password_file=", dir_, "/db.password"),
                                  absl::StrCat("--db_name=", o.database),
                                  absl::StrCat("--jwt_key_file=", dir_, "/jwt.key"),
                                  "--drain_seconds=2", "--db_pool_size=4"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ServiceProcess>(binary, args, absl::StrCat(dir_, "/", log));
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& role) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    auto t = server::MintToken({key_, "sla-platform", "sla-platform"}, {"e2e", "", {role}}, absl::Now(),
                               absl::Minutes(10));
    ctx->AddMetadata("authorization", "Bearer " + t.value_or(""));
    return ctx;
  }

  const std::string key_ = std::string(48, 'k');
  std::unique_ptr<test::ScratchDatabase> contract_db_, ticket_db_, billing_db_;
  std::string dir_;
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
  std::ifstream in(SLA_EXAMPLE_TERMS);
  std::stringstream terms_json;
  terms_json << in.rdbuf();
  // A period closes 72 hours (the terms' close grace) after it ends in the billing zone, so
  // "this month" is the month of now − 72 h there: the two months before it have closed
  // whatever today's date (on the 1st–3rd, last month is still in its grace).
  absl::TimeZone bangkok;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Bangkok", &bangkok));
  const absl::CivilMonth this_month(absl::ToCivilSecond(absl::Now() - absl::Hours(72), bangkok));
  const absl::Time start = absl::FromCivil(this_month - 2, absl::UTCTimeZone());
  const absl::Time outage = absl::FromCivil(absl::CivilDay(this_month - 1) + 9, absl::UTCTimeZone());
  for (const char* id : {"bangkok-office", "always-on"}) {
    cpb::CreateCalendarRequest req;
    req.set_calendar_id(id);
    req.mutable_calendar()->set_display_name(id);
    req.mutable_calendar()->set_time_zone("Asia/Bangkok");
    req.mutable_calendar()->set_always_open(true);
    sla::v1::BusinessCalendar out;
    ASSERT_TRUE(cstub->CreateCalendar(As("msp_admin").get(), req, &out).ok());
  }
  constexpr int kContracts = 25;
  for (int i = 0; i < kContracts; ++i) {
    cpb::CreateCustomerRequest creq;
    creq.mutable_customer()->set_display_name(absl::StrCat("Customer ", i));
    cpb::Customer customer;
    ASSERT_TRUE(cstub->CreateCustomer(As("msp_admin").get(), creq, &customer).ok());
    cpb::CreateContractRequest req;
    req.set_parent(customer.name());
    req.mutable_contract()->set_display_name("Managed IT");
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(terms_json.str(),
                                                            req.mutable_contract()->mutable_terms()).ok());
    cpb::Contract draft, active;
    ASSERT_TRUE(cstub->CreateContract(As("msp_admin").get(), req, &draft).ok());
    cpb::ActivateContractRequest act;
    act.set_name(draft.name());
    act.set_etag(draft.etag());
    act.mutable_effective_from()->set_seconds(absl::ToUnixSeconds(start));
    const grpc::Status s = cstub->ActivateContract(As("msp_admin").get(), act, &active);
    ASSERT_TRUE(s.ok()) << s.error_message();
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

  std::vector<std::string> billing_args{absl::StrCat("--contract_address=127.0.0.1:", contract_port),
                                        absl::StrCat("--ticket_address=127.0.0.1:", ticket_port),
                                        "--close_interval_s=1"};
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
  for (int i = 0; i < 600 && CountWhere(*pool, "SELECT COUNT(*) FROM closed_periods") < total; ++i) {
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
