// Test fixture for ticket-svc's API: the real contract-svc and ticket-svc in process, each on
// its own scratch MariaDB database with its real schema, talking over gRPC. The example
// contract (docs/examples/acme-managed-it-terms.json) is active from 2026-12-01 Bangkok time,
// on DOMAIN.md's "Bangkok office" calendar (Mon–Fri 09:00–17:00, holiday 2026-12-07).
//
// ticket-svc runs on a simulated clock the test sets and advances; its background loops are
// off, and tests drive the escalation worker and the outbox sequencer with RunOnce().
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/mysql/migrator.h"
#include "common/server/auth.h"
#include "common/test_util/mariadb_env.h"
#include "contract-svc/api/contract_service_impl.h"
#include "contract-svc/storage/mysql_calendar_repository.h"
#include "contract-svc/storage/mysql_contract_repository.h"
#include "contract-svc/storage/mysql_customer_repository.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ticket-svc/api/contract_terms_source.h"
#include "ticket-svc/api/ticket_service_impl.h"

namespace sla::contract {
const std::vector<mysql::Migration>& Migrations();
}  // namespace sla::contract
namespace sla::ticket {
const std::vector<mysql::Migration>& Migrations();

namespace cpb = ::sla::contract::v1;

// Unix seconds of a UTC civil time.
inline int64_t Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
}

class SimClock {
 public:
  explicit SimClock(int64_t start) : now_(start) {}
  absl::Time Now() const { return absl::FromUnixSeconds(now_.load()); }
  void Set(int64_t t) { now_ = t; }
  void Advance(absl::Duration d) { now_ += absl::ToInt64Seconds(d); }

 private:
  std::atomic<int64_t> now_;
};

class TicketApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartContractService();
    if (HasFatalFailure()) return;
    auto db = test::ScratchDatabase::Create("ticket");
    ASSERT_TRUE(db.ok()) << db.status();
    ticket_db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(ticket_db_->options());
    ASSERT_TRUE(pool.ok()) << pool.status();
    ticket_pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::Migrate(*ticket_pool_, Migrations()).ok());
    ticket_boundary_ = std::make_unique<server::RpcBoundary>(verifier_.get(), [this] { return clock_.Now(); });
    ticket_ = std::make_unique<TicketServiceImpl>(*ticket_boundary_, ticket_pool_.get(), NewTermsSource(),
                                                  Options());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(ticket_.get());
    ticket_server_ = builder.BuildAndStart();
    ASSERT_GT(port, 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    stub_ = pb::TicketService::NewStub(channel_);
  }

  void TearDown() override {
    if (ticket_server_) ticket_server_->Shutdown(std::chrono::system_clock::now());
    if (contract_server_) contract_server_->Shutdown(std::chrono::system_clock::now());
  }

  TicketServiceOptions Options() {
    TicketServiceOptions o;
    o.clock = [this] { return clock_.Now(); };
    o.start_workers = false;
    return o;
  }

  std::unique_ptr<TermsSource> NewTermsSource() {
    return std::make_unique<ContractTermsSource>(contract_channel_, Jwt(), [] { return absl::Now(); });
  }

  static server::JwtConfig Jwt() { return {std::string(32, 'k'), "", ""}; }

  // A context for a call to ticket-svc as `role` of `tenant`, at the simulated time.
  std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& tenant = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    auto token = server::MintToken(Jwt(), {"user-" + role, tenant, {role}}, clock_.Now(), absl::Hours(1));
    ctx->AddMetadata("authorization", "Bearer " + *token);
    return ctx;
  }
  std::unique_ptr<grpc::ClientContext> Contract(const std::string& role = "msp_admin") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    auto token = server::MintToken(Jwt(), {"user-" + role, "", {role}}, absl::Now(), absl::Hours(1));
    ctx->AddMetadata("authorization", "Bearer " + *token);
    return ctx;
  }

  // A customer with the example contract active from 2026-12-01 00:00 Bangkok time.
  struct Tenant {
    std::string customer;  // customers/{id}
    std::string id;
    std::string contract;  // customers/{id}/contracts/{k}
  };
  Tenant NewTenant(const std::string& display_name) {
    Tenant t;
    cpb::CreateCustomerRequest creq;
    creq.mutable_customer()->set_display_name(display_name);
    cpb::Customer customer;
    EXPECT_TRUE(contract_stub_->CreateCustomer(Contract().get(), creq, &customer).ok());
    t.customer = customer.name();
    t.id = customer.name().substr(strlen("customers/"));
    cpb::CreateContractRequest req;
    req.set_parent(t.customer);
    req.mutable_contract()->set_display_name("Managed IT services");
    *req.mutable_contract()->mutable_terms() = ExampleTerms();
    cpb::Contract draft;
    const grpc::Status s = contract_stub_->CreateContract(Contract().get(), req, &draft);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cpb::ActivateContractRequest act;
    act.set_name(draft.name());
    act.set_etag(draft.etag());
    act.mutable_effective_from()->set_seconds(Utc(2026, 11, 30, 17));
    cpb::Contract active;
    const grpc::Status a = contract_stub_->ActivateContract(Contract().get(), act, &active);
    EXPECT_TRUE(a.ok()) << a.error_message();
    t.contract = active.name();
    return t;
  }

  static sla::v1::SlaTerms ExampleTerms() {
    std::ifstream in(SLA_EXAMPLE_TERMS);
    std::stringstream ss;
    ss << in.rdbuf();
    sla::v1::SlaTerms t;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(ss.str(), &t).ok());
    return t;
  }

  pb::Ticket Open(const Tenant& t, sla::v1::Priority p, const std::string& role = "msp_agent",
                  const std::string& request_id = "") {
    pb::CreateTicketRequest req;
    req.set_parent(t.customer);
    req.set_request_id(request_id);
    pb::Ticket* in = req.mutable_ticket();
    in->set_contract(t.contract);
    in->set_service_id("service-desk");
    in->set_priority(p);
    in->set_title("Printer on floor 3 is down");
    in->set_reporter("somchai@acme.example");
    pb::Ticket out;
    const grpc::Status s =
        stub_->CreateTicket(As(role, role.rfind("customer", 0) == 0 ? t.id : "").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Move(const pb::Ticket& t, pb::Ticket::Status to, pb::Ticket* out = nullptr,
                    const std::string& role = "msp_agent", const std::string& tenant = "") {
    pb::TransitionTicketRequest req;
    req.set_name(t.name());
    req.set_status(to);
    pb::Ticket ignored;
    return stub_->TransitionTicket(As(role, tenant).get(), req, out ? out : &ignored);
  }

  pb::Ticket Get(const std::string& name) {
    pb::GetTicketRequest req;
    req.set_name(name);
    pb::Ticket out;
    const grpc::Status s = stub_->GetTicket(As("msp_agent").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static const pb::Clock* ClockOf(const pb::Ticket& t, sla::v1::ClockKind kind) {
    for (const auto& c : t.clocks()) {
      if (c.kind() == kind) return &c;
    }
    return nullptr;
  }

  SimClock clock_{Utc(2026, 12, 1, 3)};
  std::unique_ptr<server::JwtVerifier> verifier_;
  std::unique_ptr<test::ScratchDatabase> contract_db_;
  std::unique_ptr<mysql::ConnectionPool> contract_pool_;
  std::unique_ptr<server::RpcBoundary> contract_boundary_;
  std::unique_ptr<contract::ContractServiceImpl> contract_;
  std::unique_ptr<grpc::Server> contract_server_;
  std::shared_ptr<grpc::Channel> contract_channel_;
  std::unique_ptr<cpb::ContractService::Stub> contract_stub_;
  std::unique_ptr<test::ScratchDatabase> ticket_db_;
  std::unique_ptr<mysql::ConnectionPool> ticket_pool_;
  std::unique_ptr<server::RpcBoundary> ticket_boundary_;
  std::unique_ptr<TicketServiceImpl> ticket_;
  std::unique_ptr<grpc::Server> ticket_server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::TicketService::Stub> stub_;

 private:
  void StartContractService() {
    auto db = test::ScratchDatabase::Create("contract");
    ASSERT_TRUE(db.ok()) << db.status();
    contract_db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(contract_db_->options());
    ASSERT_TRUE(pool.ok()) << pool.status();
    contract_pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::Migrate(*contract_pool_, contract::Migrations()).ok());
    verifier_ = std::make_unique<server::JwtVerifier>(*server::JwtVerifier::Create(Jwt()));
    // Tokens between the services carry real time; the contract's own logic runs at a fixed
    // instant before the contract starts.
    contract_boundary_ = std::make_unique<server::RpcBoundary>(verifier_.get(), [] { return absl::Now(); });
    const absl::Time contract_now = absl::FromUnixSeconds(Utc(2026, 11, 20, 0));
    contract_ = std::make_unique<contract::ContractServiceImpl>(
        *contract_boundary_, std::make_unique<contract::MySqlCustomerRepository>(contract_pool_.get()),
        std::make_unique<contract::MySqlCalendarRepository>(contract_pool_.get()),
        std::make_unique<contract::MySqlContractRepository>(contract_pool_.get()),
        [contract_now] { return contract_now; });
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(contract_.get());
    contract_server_ = builder.BuildAndStart();
    ASSERT_GT(port, 0);
    contract_channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    contract_stub_ = cpb::ContractService::NewStub(contract_channel_);
    for (const char* id : {"bangkok-office", "always-on"}) {
      cpb::CreateCalendarRequest req;
      req.set_calendar_id(id);
      auto* cal = req.mutable_calendar();
      cal->set_display_name(id);
      cal->set_time_zone("Asia/Bangkok");
      if (std::string(id) == "always-on") {
        cal->set_always_open(true);
      } else {
        for (auto day : {sla::v1::MONDAY, sla::v1::TUESDAY, sla::v1::WEDNESDAY, sla::v1::THURSDAY,
                         sla::v1::FRIDAY}) {
          auto* w = cal->add_weekly_intervals();
          w->set_day(day);
          w->set_start_minute(540);
          w->set_end_minute(1020);
        }
        auto* h = cal->add_holidays();
        h->mutable_date()->set_year(2026);
        h->mutable_date()->set_month(12);
        h->mutable_date()->set_day(7);
        h->set_name("Father's Day substitute");
      }
      sla::v1::BusinessCalendar out;
      const grpc::Status s = contract_stub_->CreateCalendar(Contract().get(), req, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }
};

}  // namespace sla::ticket
