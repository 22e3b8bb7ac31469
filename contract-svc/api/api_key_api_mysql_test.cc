// API keys through the gRPC API: managed by msp_admin, used as bearer secrets, rotated with a
// grace period, revoked (see contract_api_fixture.h; keys resolve uncached here).
#include <cstring>
#include <set>

#include "contract-svc/api/contract_api_fixture.h"

namespace sla::contract {
namespace {

class ApiKeyApiTest : public ContractApiTest {
 protected:
  pb::CreateApiKeyResponse NewKey(const std::vector<std::string>& roles,
                                  const std::string& customer = "",
                                  const std::string& request_id = "") {
    pb::CreateApiKeyRequest req;
    req.mutable_api_key()->set_display_name("Monitoring");
    for (const std::string& r : roles) req.mutable_api_key()->add_roles(r);
    req.mutable_api_key()->set_customer(customer);
    req.set_request_id(request_id);
    pb::CreateApiKeyResponse out;
    const grpc::Status s = stub_->CreateApiKey(As("msp_admin").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static std::unique_ptr<grpc::ClientContext> WithKey(const std::string& secret) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + secret);
    return ctx;
  }

  grpc::Status GetCustomerWith(const std::string& secret, const std::string& name) {
    pb::GetCustomerRequest req;
    req.set_name(name);
    pb::Customer out;
    return stub_->GetCustomer(WithKey(secret).get(), req, &out);
  }
};

TEST_F(ApiKeyApiTest, AKeyActsWithItsRolesAndOnlyForItsCustomer) {
  const pb::Customer acme = Create("Acme");
  const pb::Customer globex = Create("Globex");
  const pb::CreateApiKeyResponse key = NewKey({"customer_user"}, acme.name());
  EXPECT_TRUE(absl::StartsWith(key.secret(), "slak_key-")) << key.secret();
  EXPECT_TRUE(absl::StartsWith(key.api_key().name(), "apiKeys/key-"));
  EXPECT_EQ(key.api_key().state(), pb::ApiKey::ACTIVE);
  EXPECT_EQ(key.api_key().customer(), acme.name());
  EXPECT_EQ(key.api_key().creator(), "user-msp_admin");
  // The hint is the secret's id and first characters, never more of it.
  const std::string hint = key.api_key().secret_hint();
  ASSERT_TRUE(absl::EndsWith(hint, "…")) << hint;
  const std::string shown = hint.substr(0, hint.size() - strlen("…"));
  EXPECT_TRUE(absl::StartsWith(key.secret(), shown)) << hint;
  EXPECT_LE(shown.size() + 39, key.secret().size()) << hint;
  EXPECT_EQ(key.api_key().SerializeAsString().find(key.secret()), std::string::npos)
      << "the key shows its secret";

  EXPECT_TRUE(GetCustomerWith(key.secret(), acme.name()).ok());
  EXPECT_EQ(GetCustomerWith(key.secret(), globex.name()).error_code(), grpc::StatusCode::NOT_FOUND);
  pb::ListCustomersResponse listed;
  ASSERT_TRUE(
      stub_->ListCustomers(WithKey(key.secret()).get(), pb::ListCustomersRequest(), &listed).ok());
  ASSERT_EQ(listed.customers_size(), 1);
  EXPECT_EQ(listed.customers(0).name(), acme.name());

  // Its roles do not let it change anything, least of all keys.
  pb::CreateApiKeyRequest more;
  more.mutable_api_key()->set_display_name("escalate");
  more.mutable_api_key()->add_roles("msp_agent");
  pb::CreateApiKeyResponse ignored;
  EXPECT_EQ(stub_->CreateApiKey(WithKey(key.secret()).get(), more, &ignored).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A wrong secret for a real key id, and a secret for no key, are refused alike.
  std::string wrong = key.secret();
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(GetCustomerWith(wrong, acme.name()).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetCustomerWith("slak_key-0000000000000000_" + std::string(43, 'x'), acme.name())
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ApiKeyApiTest, BadKeysAreRefusedNamingTheField) {
  const pb::Customer acme = Create("Acme");
  struct Case {
    std::vector<std::string> roles;
    std::string customer;
    std::string field;
  };
  for (const Case& c :
       std::vector<Case>{{{}, "", "api_key.roles"},
                         {{"msp_admin"}, "", "api_key.roles[0]"},
                         {{"service"}, "", "api_key.roles[0]"},
                         {{"msp_agent", "msp_agent"}, "", "api_key.roles[1]"},
                         {{"customer_user"}, "", "api_key.customer"},
                         {{"msp_agent"}, acme.name(), "api_key.customer"},
                         {{"msp_agent", "customer_user"}, acme.name(), "api_key.roles"},
                         {{"customer_user"}, "customers/nobody", "api_key.customer"},
                         {{"customer_user"}, "acme", "api_key.customer"}}) {
    pb::CreateApiKeyRequest req;
    req.mutable_api_key()->set_display_name("k");
    for (const std::string& r : c.roles) req.mutable_api_key()->add_roles(r);
    req.mutable_api_key()->set_customer(c.customer);
    pb::CreateApiKeyResponse out;
    const grpc::Status s = stub_->CreateApiKey(As("msp_admin").get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_NE(s.error_message().find(c.field), std::string::npos) << s.error_message();
  }
  pb::CreateApiKeyRequest past;
  past.mutable_api_key()->set_display_name("k");
  past.mutable_api_key()->add_roles("msp_agent");
  past.mutable_api_key()->mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) - 1);
  pb::CreateApiKeyResponse out;
  const grpc::Status s = stub_->CreateApiKey(As("msp_admin").get(), past, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("api_key.expire_time"), std::string::npos) << s.error_message();
  // Only msp_admin manages keys: permission comes before validation.
  for (const char* role : {"msp_agent", "billing_system"}) {
    EXPECT_EQ(stub_->CreateApiKey(As(role).get(), past, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
    pb::ListApiKeysResponse listed;
    EXPECT_EQ(stub_->ListApiKeys(As(role).get(), pb::ListApiKeysRequest(), &listed).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
  }
}

TEST_F(ApiKeyApiTest, ARetriedCreateNamesTheKeyButNeverShowsItsSecretTwice) {
  const pb::CreateApiKeyResponse first = NewKey({"billing_system"}, "", "retry-1");
  pb::CreateApiKeyRequest again;
  again.mutable_api_key()->set_display_name("Monitoring");
  again.mutable_api_key()->add_roles("billing_system");
  again.set_request_id("retry-1");
  pb::CreateApiKeyResponse out;
  const grpc::Status s = stub_->CreateApiKey(As("msp_admin").get(), again, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(s.error_message().find(first.api_key().name()), std::string::npos) << s.error_message();
  pb::ListApiKeysResponse listed;
  ASSERT_TRUE(stub_->ListApiKeys(As("msp_admin").get(), pb::ListApiKeysRequest(), &listed).ok());
  EXPECT_EQ(listed.api_keys_size(), 1);
}

TEST_F(ApiKeyApiTest, ListFiltersByStateAndCustomerAndPages) {
  const pb::Customer acme = Create("Acme");
  const pb::CreateApiKeyResponse staff = NewKey({"msp_agent"});
  const pb::CreateApiKeyResponse a1 = NewKey({"customer_user"}, acme.name());
  const pb::CreateApiKeyResponse a2 = NewKey({"customer_admin"}, acme.name());
  pb::RevokeApiKeyRequest revoke;
  revoke.set_name(a2.api_key().name());
  pb::ApiKey revoked;
  ASSERT_TRUE(stub_->RevokeApiKey(As("msp_admin").get(), revoke, &revoked).ok());

  auto names = [&](const std::string& filter) {
    std::set<std::string> out;
    pb::ListApiKeysRequest req;
    req.set_filter(filter);
    req.set_page_size(1);
    for (int pages = 0; pages < 10; ++pages) {
      pb::ListApiKeysResponse resp;
      const grpc::Status s = stub_->ListApiKeys(As("msp_admin").get(), req, &resp);
      EXPECT_TRUE(s.ok()) << filter << ": " << s.error_message();
      for (const auto& k : resp.api_keys()) out.insert(k.name());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  };
  EXPECT_EQ(names(""), (std::set<std::string>{staff.api_key().name(), a1.api_key().name(),
                                              a2.api_key().name()}));
  EXPECT_EQ(names("state = ACTIVE"),
            (std::set<std::string>{staff.api_key().name(), a1.api_key().name()}));
  EXPECT_EQ(names("state = REVOKED"), std::set<std::string>{a2.api_key().name()});
  EXPECT_EQ(names(absl::StrCat("customer = \"", acme.name(), "\"")),
            (std::set<std::string>{a1.api_key().name(), a2.api_key().name()}));
  EXPECT_EQ(names("customer = \"\""), std::set<std::string>{staff.api_key().name()});
  pb::ListApiKeysRequest bad;
  bad.set_filter("roles = msp_agent");
  pb::ListApiKeysResponse resp;
  EXPECT_EQ(stub_->ListApiKeys(As("msp_admin").get(), bad, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ApiKeyApiTest, RotationKeepsTheOldSecretForItsGraceAndRevocationEndsBoth) {
  const pb::Customer acme = Create("Acme");
  const pb::CreateApiKeyResponse key = NewKey({"customer_admin"}, acme.name());

  pb::RotateApiKeyRequest rotate;
  rotate.set_name(key.api_key().name());
  rotate.mutable_grace_period()->set_seconds(3600);
  rotate.set_etag(key.api_key().etag());
  pb::RotateApiKeyResponse rotated;
  ASSERT_TRUE(stub_->RotateApiKey(As("msp_admin").get(), rotate, &rotated).ok());
  EXPECT_NE(rotated.secret(), key.secret());
  EXPECT_EQ(rotated.api_key().previous_secret_expire_time().seconds(),
            absl::ToUnixSeconds(kNow) + 3600);
  EXPECT_TRUE(GetCustomerWith(rotated.secret(), acme.name()).ok());
  EXPECT_TRUE(GetCustomerWith(key.secret(), acme.name()).ok()) << "within its grace period";

  // The same etag again is stale now.
  pb::RotateApiKeyResponse again;
  EXPECT_EQ(stub_->RotateApiKey(As("msp_admin").get(), rotate, &again).error_code(),
            grpc::StatusCode::ABORTED);
  // A rotation without grace ends the previous secret at once (and the first one for good).
  rotate.clear_etag();
  rotate.mutable_grace_period()->set_seconds(0);
  ASSERT_TRUE(stub_->RotateApiKey(As("msp_admin").get(), rotate, &again).ok());
  EXPECT_EQ(GetCustomerWith(rotated.secret(), acme.name()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetCustomerWith(key.secret(), acme.name()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(GetCustomerWith(again.secret(), acme.name()).ok());
  rotate.mutable_grace_period()->set_seconds(8 * 86400);
  pb::RotateApiKeyResponse too_long;
  const grpc::Status s = stub_->RotateApiKey(As("msp_admin").get(), rotate, &too_long);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("grace_period"), std::string::npos) << s.error_message();

  pb::RevokeApiKeyRequest revoke;
  revoke.set_name(key.api_key().name());
  pb::ApiKey revoked;
  ASSERT_TRUE(stub_->RevokeApiKey(As("msp_admin").get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.state(), pb::ApiKey::REVOKED);
  EXPECT_EQ(revoked.revoke_time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(GetCustomerWith(again.secret(), acme.name()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->RevokeApiKey(As("msp_admin").get(), revoke, &revoked).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  rotate.mutable_grace_period()->set_seconds(60);
  EXPECT_EQ(stub_->RotateApiKey(As("msp_admin").get(), rotate, &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ApiKeyApiTest, OnlyServicesAskWhoAKeyIs) {
  const pb::Customer acme = Create("Acme");
  const pb::CreateApiKeyResponse key = NewKey({"customer_user"}, acme.name());
  pb::AuthenticateApiKeyRequest req;
  req.set_secret(key.secret());
  pb::AuthenticateApiKeyResponse out;
  EXPECT_EQ(stub_->AuthenticateApiKey(As("msp_admin").get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->AuthenticateApiKey(As("service").get(), req, &out).ok());
  EXPECT_EQ(out.subject(), key.api_key().name());
  EXPECT_EQ(out.tenant(), acme.name().substr(strlen("customers/")));
  ASSERT_EQ(out.roles_size(), 1);
  EXPECT_EQ(out.roles(0), "customer_user");
  EXPECT_FALSE(out.has_expire_time());
  req.set_secret(key.secret() + "x");
  EXPECT_EQ(stub_->AuthenticateApiKey(As("service").get(), req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace sla::contract
