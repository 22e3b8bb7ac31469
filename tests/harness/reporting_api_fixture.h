// The whole suite in one process on a simulated clock: contract-svc and ticket-svc (the
// harness), billing-svc and reporting-svc, each on its own scratch database, talking over
// gRPC. The fixture of reporting-svc's flow tests and of the authorization matrix.
#pragma once

#include <grpcpp/grpcpp.h>

#include "common/clients/event_feed.h"
#include "reporting-svc/api/reporting_service_impl.h"
#include "tests/harness/billing_api_fixture.h"

namespace sla::reporting {
const std::vector<mysql::Migration>& Migrations();
namespace tpb = sla::ticket::v1;

class ReportingApiTest : public billing::BillingApiTest {
 protected:
  void SetUp() override {
    BillingApiTest::SetUp();
    if (HasFatalFailure()) return;
    auto db = test::ScratchDatabase::Create("reporting");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = mysql::ConnectionPool::Create(db_->options());
    ASSERT_TRUE(pool.ok());
    pool_ = *std::move(pool);
    ASSERT_TRUE(mysql::Migrate(*pool_, Migrations()).ok());
    auto now = [this] { return clock_.Now(); };
    auto channel = [](int port) {
      return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                 grpc::InsecureChannelCredentials());
    };
    boundary_ = std::make_unique<server::RpcBoundary>(&verifier_holder(), now);
    ReportingServiceOptions o;
    o.clock = now;
    o.start_workers = false;
    reporting_ = std::make_unique<ReportingServiceImpl>(
        *boundary_, pool_.get(),
        std::make_unique<clients::ContractTermsSource>(harness_->contract_channel(), Jwt(),
                                                       "reporting-svc"),
        clients::TicketEventFeed(channel(harness_->ticket_port()), Jwt(), "reporting-svc", now),
        clients::BillingEventFeed(channel(billing_port_), Jwt(), "reporting-svc", now), o);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(reporting_.get());
    server_ = builder.BuildAndStart();
    ASSERT_GT(port, 0);
    reporting_port_ = port;
    stub_r_ = pb::ReportingService::NewStub(channel(port));
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
    BillingApiTest::TearDown();
  }

  // Everything ticket-svc and billing-svc have to say reaches reporting-svc.
  void SyncAll() {
    Sync();
    ASSERT_TRUE(billing_->sequencer().RunOnce().ok());
    auto t = reporting_->manager().ConsumeTicketEvents();
    ASSERT_TRUE(t.ok()) << t.status();
    auto b = reporting_->manager().ConsumeBillingEvents();
    ASSERT_TRUE(b.ok()) << b.status();
  }

  void Comment(const tpb::Ticket& t) {
    tpb::AddCommentRequest req;
    req.set_parent(t.name());
    req.mutable_comment()->set_body("We are on it.");
    req.mutable_comment()->set_visibility(tpb::Comment::PUBLIC);
    tpb::Comment out;
    const grpc::Status s = stub_->AddComment(As("msp_agent").get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void Resolve(const tpb::Ticket& t) {
    for (auto to : {tpb::Ticket::ACKNOWLEDGED, tpb::Ticket::IN_PROGRESS, tpb::Ticket::RESOLVED}) {
      const grpc::Status s = Move(t, to);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  grpc::Status GetReport(const std::string& name, pb::Report* out,
                         const std::string& role = "msp_agent", const std::string& tenant = "",
                         int revision = 0) {
    pb::GetReportRequest req;
    req.set_name(name);
    req.set_revision(revision);
    return stub_r_->GetReport(As(role, tenant).get(), req, out);
  }

  static const pb::PriorityCompliance& Of(const pb::Report& r, sla::v1::Priority p) {
    for (const auto& c : r.priorities()) {
      if (c.priority() == p) return c;
    }
    static const pb::PriorityCompliance kNone;
    ADD_FAILURE() << "no figures for priority " << p;
    return kNone;
  }

  std::unique_ptr<test::ScratchDatabase> db_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<server::RpcBoundary> boundary_;
  std::unique_ptr<ReportingServiceImpl> reporting_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::ReportingService::Stub> stub_r_;
  int reporting_port_ = 0;
};

}  // namespace sla::reporting
