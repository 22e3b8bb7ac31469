// The fixture of the tests that run real service binaries: scratch databases on the
// throwaway MariaDB, a work directory with the JWT key and the database password, services
// started with the common flags, tokens, and the example contract made active.
#pragma once

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/auth.h"
#include "common/test_util/mariadb_env.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "tests/service_process.h"

namespace sla {

class SuiteProcessTest : public ::testing::Test {
 protected:
  // A scratch database (all share one account, so one password file serves them all).
  std::unique_ptr<test::ScratchDatabase> NewDatabase(const std::string& prefix) {
    auto created = test::ScratchDatabase::Create(prefix);
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return nullptr;
    if (dir_.empty()) {
      std::string dir_template = absl::StrCat("/tmp/sla-", prefix, "-test.XXXXXX");
      EXPECT_NE(mkdtemp(dir_template.data()), nullptr);
      dir_ = dir_template;
      std::ofstream(dir_ + "/jwt.key") << key_;
      std::ofstream(dir_ + "/db.password") << (*created)->options().password;
    }
    return *std::move(created);
  }

  // `binary` on `db` with the common flags (any port, 2 s drain), its log in the work dir.
  std::unique_ptr<ServiceProcess> Start(const char* binary, const test::ScratchDatabase& db,
                                        const std::string& log,
                                        std::vector<std::string> extra = {}) {
    return std::make_unique<ServiceProcess>(binary, ServiceFlags(db.options(), dir_, 2, 4, extra),
                                            absl::StrCat(dir_, "/", log));
  }

  // A context with a token for `role` (no tenant), signed as jwt_ says, and a 10 s deadline.
  std::unique_ptr<grpc::ClientContext> As(const std::string& role) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    auto t = server::MintToken(jwt_, {"e2e", "", {role}}, absl::Now(), absl::Minutes(10));
    ctx->AddMetadata("authorization", "Bearer " + t.value_or(""));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  // The calendars the example contract names, both 24/7 in Bangkok for brevity.
  void CreateExampleCalendars(contract::v1::ContractService::Stub& stub) {
    for (const char* id : {"bangkok-office", "always-on"}) {
      contract::v1::CreateCalendarRequest req;
      req.set_calendar_id(id);
      req.mutable_calendar()->set_display_name(id);
      req.mutable_calendar()->set_time_zone("Asia/Bangkok");
      req.mutable_calendar()->set_always_open(true);
      sla::v1::BusinessCalendar out;
      const grpc::Status s = stub.CreateCalendar(As("msp_admin").get(), req, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  // A new customer with the example contract (docs/examples) active from `effective_from`.
  void ActivateExampleContract(contract::v1::ContractService::Stub& stub,
                               const std::string& customer_name, absl::Time effective_from,
                               contract::v1::Customer* customer, contract::v1::Contract* active) {
    std::ifstream in(SLA_EXAMPLE_TERMS);
    std::stringstream terms_json;
    terms_json << in.rdbuf();
    contract::v1::CreateCustomerRequest creq;
    creq.mutable_customer()->set_display_name(customer_name);
    ASSERT_TRUE(stub.CreateCustomer(As("msp_admin").get(), creq, customer).ok());
    contract::v1::CreateContractRequest req;
    req.set_parent(customer->name());
    req.mutable_contract()->set_display_name("Managed IT");
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(terms_json.str(),
                                                            req.mutable_contract()->mutable_terms())
                    .ok());
    contract::v1::Contract draft;
    ASSERT_TRUE(stub.CreateContract(As("msp_admin").get(), req, &draft).ok());
    contract::v1::ActivateContractRequest act;
    act.set_name(draft.name());
    act.set_etag(draft.etag());
    act.mutable_effective_from()->set_seconds(absl::ToUnixSeconds(effective_from));
    const grpc::Status s = stub.ActivateContract(As("msp_admin").get(), act, active);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  const std::string key_ = std::string(48, 'k');
  server::JwtConfig jwt_{key_, "sla-platform", "sla-platform"};
  std::string dir_;  // the work directory: keys, password, logs
};

}  // namespace sla
