#include "contract-svc/domain/api_key.h"
#include "gtest/gtest.h"

namespace sla::contract {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

ApiKey Active() {
  ApiKey k;
  k.id = "key-1";
  k.display_name = "Monitoring";
  k.roles = {"msp_agent"};
  return k;
}

TEST(ApiKeyTest, TheCurrentSecretOpensUntilTheKeyExpires) {
  ApiKey k = Active();
  auto forever = ApiKeyValidUntil(k, true, false, kT0);
  ASSERT_TRUE(forever.ok());
  EXPECT_FALSE(forever->has_value());
  k.expire_time = kT0 + absl::Hours(1);
  auto until = ApiKeyValidUntil(k, true, false, kT0);
  ASSERT_TRUE(until.ok());
  EXPECT_EQ(**until, kT0 + absl::Hours(1));
  EXPECT_EQ(ApiKeyValidUntil(k, true, false, kT0 + absl::Hours(1)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(ApiKeyTest, ThePreviousSecretOpensOnlyDuringItsGrace) {
  ApiKey k = Active();
  k.previous_secret_expire_time = kT0 + absl::Minutes(10);
  auto until = ApiKeyValidUntil(k, false, true, kT0);
  ASSERT_TRUE(until.ok());
  EXPECT_EQ(**until, kT0 + absl::Minutes(10));
  k.expire_time = kT0 + absl::Minutes(5);  // the key itself ends sooner
  until = ApiKeyValidUntil(k, false, true, kT0);
  ASSERT_TRUE(until.ok());
  EXPECT_EQ(**until, kT0 + absl::Minutes(5));
  k.expire_time.reset();
  const absl::Status late = ApiKeyValidUntil(k, false, true, kT0 + absl::Minutes(10)).status();
  EXPECT_EQ(late.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(late.message().find("rotated"), std::string::npos) << late;
  EXPECT_EQ(ApiKeyValidUntil(k, false, false, kT0).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(ApiKeyTest, ARevokedKeyOpensWithNoSecret) {
  ApiKey k = Active();
  k.state = ApiKey::State::kRevoked;
  k.previous_secret_expire_time = kT0 + absl::Hours(1);
  EXPECT_EQ(ApiKeyValidUntil(k, true, false, kT0).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ApiKeyValidUntil(k, false, true, kT0).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(ApiKeyTest, ValidationNamesTheField) {
  EXPECT_TRUE(ValidateApiKey(Active(), kT0).ok());
  ApiKey k = Active();
  k.display_name = " ";
  EXPECT_NE(ValidateApiKey(k, kT0).message().find("api_key.display_name"), std::string::npos);
  k = Active();
  k.roles = {"customer_admin"};
  EXPECT_NE(ValidateApiKey(k, kT0).message().find("api_key.customer"), std::string::npos);
  k.customer_id = "cust-1";
  EXPECT_TRUE(ValidateApiKey(k, kT0).ok());
  k.expire_time = kT0;
  EXPECT_NE(ValidateApiKey(k, kT0).message().find("api_key.expire_time"), std::string::npos);
}

TEST(ApiKeyTest, NamesParse) {
  EXPECT_EQ(*ParseApiKeyName("apiKeys/key-0a", "name"), "key-0a");
  for (const char* bad :
       {"apiKeys/", "apikeys/key-1", "apiKeys/Key", "apiKeys/key_1", "apiKeys/a/b"}) {
    EXPECT_FALSE(ParseApiKeyName(bad, "name").ok()) << bad;
  }
}

}  // namespace
}  // namespace sla::contract
