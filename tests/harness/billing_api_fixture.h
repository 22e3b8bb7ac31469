// contract-svc, ticket-svc and billing-svc in one process, each on its own scratch MariaDB
// database with its real schema, talking over gRPC, on a simulated clock: the fixture of
// billing-svc's flow tests and of the services that follow billing-svc's events.
#pragma once

#include "billing-svc/api/billing_service_impl.h"
#include "common/clients/contract_terms.h"
#include "common/clients/event_feed.h"
#include "common/mysql/migrator.h"
#include "common/outbox/event_service.h"
#include "gmock/gmock.h"
#include "tests/harness/ticket_api_fixture.h"

namespace sla::billing {
const std::vector<mysql::Migration>& Migrations();

namespace tpb = sla::ticket::v1;

class BillingApiTest : public ticket::TicketApiTest {
 protected:
  void SetUp() override {
    TicketApiTest::SetUp();
    if (HasFatalFailure()) return;
    auto db = test::ScratchDatabase::Create("billing");
    ASSERT_TRUE(db.ok()) << db.status();
    billing_db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(billing_db_->options());
    ASSERT_TRUE(pool.ok());
    billing_pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::Migrate(*billing_pool_, Migrations()).ok());
    directory_ = std::make_unique<clients::ContractTermsSource>(harness_->contract_channel(), Jwt(),
                                                                "billing-svc");
    boundary_ =
        std::make_unique<server::RpcBoundary>(&verifier_holder(), [this] { return clock_.Now(); });
    BillingServiceOptions o;
    o.clock = [this] { return clock_.Now(); };
    o.start_workers = false;
    billing_ = std::make_unique<BillingServiceImpl>(
        *boundary_, billing_pool_.get(),
        std::make_unique<clients::ContractTermsSource>(harness_->contract_channel(), Jwt(),
                                                       "billing-svc"),
        directory_.get(),
        clients::TicketEventFeed(
            grpc::CreateChannel(absl::StrCat("127.0.0.1:", harness_->ticket_port()),
                                grpc::InsecureChannelCredentials()),
            Jwt(), "billing-svc", [this] { return clock_.Now(); }),
        o);
    grpc::ServerBuilder builder;
    int& port = billing_port_;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(billing_.get());
    billing_events_ = std::make_unique<outbox::EventServiceImpl>(
        *boundary_, billing_pool_.get(), &billing_->sequencer(), "billing-svc",
        &billing_->watch_slots());
    builder.RegisterService(billing_events_.get());
    billing_server_ = builder.BuildAndStart();
    ASSERT_GT(port, 0);
    billing_stub_ = pb::BillingService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (billing_server_) billing_server_->Shutdown(std::chrono::system_clock::now());
    TicketApiTest::TearDown();
  }
  server::JwtVerifier& verifier_holder() {
    if (!verifier_)
      verifier_ = std::make_unique<server::JwtVerifier>(*server::JwtVerifier::Create(Jwt()));
    return *verifier_;
  }

  // Everything ticket-svc has to say reaches billing-svc.
  void Sync() {
    ASSERT_TRUE(ticket_->worker().RunOnce().ok());
    ASSERT_TRUE(ticket_->sequencer().RunOnce().ok());
    auto n = billing_->manager().ConsumeOnce();
    ASSERT_TRUE(n.ok()) << n.status();
  }

  // An e-mail outage; `end` 0 leaves it open. Returns its name. With `position`, asks for and
  // stores the event position of the write (read-your-writes tests pass it on).
  std::string Outage(const ticket::Tenant& t, int64_t start, int64_t end,
                     const std::string& exclusion = "", std::string* position = nullptr) {
    tpb::CreateOutageRequest req;
    req.set_parent(t.customer);
    req.mutable_outage()->set_contract(t.contract);
    req.mutable_outage()->set_service_id("email-hosting");
    req.mutable_outage()->mutable_start_time()->set_seconds(start);
    if (end != 0) req.mutable_outage()->mutable_end_time()->set_seconds(end);
    req.mutable_outage()->set_exclusion_id(exclusion);
    tpb::Outage out;
    auto ctx = As("msp_agent");
    if (position != nullptr) ctx->AddMetadata("x-sla-want-position", "1");
    const grpc::Status s = stub_->CreateOutage(ctx.get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (position != nullptr) {
      const auto& headers = ctx->GetServerInitialMetadata();
      const auto header = headers.find("x-sla-event-position");
      EXPECT_NE(header, headers.end()) << "CreateOutage answered no event position";
      if (header != headers.end()) position->assign(header->second.data(), header->second.size());
    }
    return out.name();
  }

  grpc::Status Close(const ticket::Tenant& t, int year, int month, pb::ClosePeriodResponse* out,
                     const std::string& role = "billing_system") {
    pb::ClosePeriodRequest req;
    req.set_contract(t.contract);
    req.mutable_period()->set_year(year);
    req.mutable_period()->set_month(month);
    return billing_stub_->ClosePeriod(As(role).get(), req, out);
  }

  // Invoices under `parent` (`customers/{c}` or `customers/-`) as `role` of `tenant`.
  pb::ListInvoicesResponse Invoices(const std::string& parent, const std::string& role,
                                    const std::string& tenant = "",
                                    const std::string& filter = "") {
    pb::ListInvoicesRequest req;
    req.set_parent(parent);
    req.set_filter(filter);
    pb::ListInvoicesResponse out;
    const grpc::Status s = billing_stub_->ListInvoices(As(role, tenant).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static int64_t Line(const google::protobuf::RepeatedPtrField<pb::DocumentLine>& lines,
                      const std::string& rule_or_kind) {
    for (const auto& l : lines) {
      if (l.rule_id() == rule_or_kind || (l.rule_id().empty() && l.kind() == rule_or_kind)) {
        return l.amount().amount_minor();
      }
    }
    return -1;
  }

  std::unique_ptr<server::JwtVerifier> verifier_;
  std::unique_ptr<test::ScratchDatabase> billing_db_;
  std::unique_ptr<mysql::ConnectionPool> billing_pool_;
  std::unique_ptr<clients::ContractTermsSource> directory_;
  std::unique_ptr<server::RpcBoundary> boundary_;
  std::unique_ptr<BillingServiceImpl> billing_;
  std::unique_ptr<outbox::EventServiceImpl> billing_events_;
  std::unique_ptr<grpc::Server> billing_server_;
  std::unique_ptr<pb::BillingService::Stub> billing_stub_;
  int billing_port_ = 0;
};

}  // namespace sla::billing
