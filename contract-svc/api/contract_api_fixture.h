// Test fixture for contract-svc's API: a real in-process gRPC server on the real schema (the
// service's migrations applied to a scratch MariaDB database), called with bearer tokens of
// each role through the generated stub.
#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/migrator.h"
#include "common/server/auth.h"
#include "common/test_util/mariadb_env.h"
#include "contract-svc/api/contract_service_impl.h"
#include "contract-svc/storage/mysql_api_key_repository.h"
#include "contract-svc/storage/mysql_calendar_repository.h"
#include "contract-svc/storage/mysql_contract_repository.h"
#include "contract-svc/storage/mysql_customer_repository.h"
#include "gtest/gtest.h"

namespace sla::contract {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/

inline const absl::Time kNow = absl::FromUnixSeconds(1'795'000'000);

class ContractApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::CreateMigratedDatabase("contract", Migrations());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    verifier_ = std::make_unique<server::JwtVerifier>(*server::JwtVerifier::Create(Config()));
    // API keys resolve from contract-svc's own storage, uncached, as in the binary with
    // --api_key_cache_s=0.
    api_keys_ = std::make_unique<server::ApiKeyVerifier>(verifier_.get(), absl::ZeroDuration());
    boundary_ = std::make_unique<server::RpcBoundary>(api_keys_.get(), [] { return kNow; });
    service_ = std::make_unique<ContractServiceImpl>(
        *boundary_, std::make_unique<MySqlCustomerRepository>(db_.pool.get()),
        std::make_unique<MySqlCalendarRepository>(db_.pool.get()),
        std::make_unique<MySqlContractRepository>(db_.pool.get()),
        std::make_unique<MySqlApiKeyRepository>(db_.pool.get()), [] { return kNow; });
    api_keys_->SetResolver(service_->LocalApiKeyResolver());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_GT(port, 0);
    stub_ = pb::ContractService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static server::JwtConfig Config() { return {std::string(32, 'k'), "", ""}; }

  // Role `service` acts as ticket-svc, which calls contract-svc's ResolveTerms (a service's
  // identity is its name: server::CheckServiceCall).
  std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& tenant = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    const std::string subject = role == "service" ? "ticket-svc" : "user-" + role;
    auto token = server::MintToken(Config(), {subject, tenant, {role}}, kNow, absl::Hours(1));
    ctx->AddMetadata("authorization", "Bearer " + *token);
    return ctx;
  }

  pb::Customer Create(const std::string& display_name, const std::string& request_id = "") {
    pb::CreateCustomerRequest req;
    req.mutable_customer()->set_display_name(display_name);
    req.mutable_customer()->set_time_zone("Asia/Bangkok");
    req.set_request_id(request_id);
    pb::Customer out;
    const grpc::Status s = stub_->CreateCustomer(As("msp_admin").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  test::MigratedDatabase db_;
  std::unique_ptr<server::JwtVerifier> verifier_;
  std::unique_ptr<server::ApiKeyVerifier> api_keys_;
  std::unique_ptr<server::RpcBoundary> boundary_;
  std::unique_ptr<ContractServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::ContractService::Stub> stub_;
};

}  // namespace sla::contract
