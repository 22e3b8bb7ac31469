#include "common/server/api_key.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sla::server {
namespace {

TEST(ApiKeySecretTest, NewSecretsParseAndDifferAndOnlyTheirHashMatches) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string secret = NewApiKeySecret("key-00ff");
    ASSERT_TRUE(seen.insert(secret).second) << "a secret came twice";
    auto parsed = ParseApiKeySecret(secret);
    ASSERT_TRUE(parsed.has_value()) << secret;
    EXPECT_EQ(parsed->key_id, "key-00ff");
    EXPECT_EQ(parsed->random.size(), 43u);
    const std::string hash = HashApiKeySecret(secret);
    EXPECT_EQ(hash.size(), 64u);
    EXPECT_TRUE(ApiKeySecretMatches(secret, hash));
    std::string altered = secret;
    altered.back() = altered.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(ApiKeySecretMatches(altered, hash));
  }
}

TEST(ApiKeySecretTest, MalformedSecretsAreNotParsed) {
  const std::string random(43, 'a');
  EXPECT_TRUE(ParseApiKeySecret(absl::StrCat("slak_key-1_", random)).has_value());
  for (const std::string& bad :
       {std::string("slak_"), absl::StrCat("slak__", random), absl::StrCat("key-1_", random),
        absl::StrCat("slak_key-1_", random, "a"), absl::StrCat("slak_key-1_", random.substr(1)),
        absl::StrCat("slak_KEY-1_", random), absl::StrCat("slak_key-1_", std::string(42, 'a'), "."),
        absl::StrCat("slak_key/1_", random)}) {
    EXPECT_FALSE(ParseApiKeySecret(bad).has_value()) << bad;
  }
}

// Answers from a table and counts how often it was asked.
class FakeResolver : public ApiKeyResolver {
 public:
  explicit FakeResolver(int* calls) : calls_(calls) {}
  absl::StatusOr<ApiKeyIdentity> Resolve(absl::string_view secret, absl::Time) override {
    ++*calls_;
    if (unavailable) return absl::UnavailableError("contract-svc away");
    auto it = keys.find(std::string(secret));
    if (it == keys.end()) return absl::UnauthenticatedError("unknown API key");
    return it->second;
  }
  std::map<std::string, ApiKeyIdentity> keys;
  bool unavailable = false;

 private:
  int* calls_;
};

class JwtOnly : public TokenVerifier {
 public:
  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time) const override {
    if (token == "a.jwt.token") return Identity{"alice", "", {"msp_admin"}};
    return absl::UnauthenticatedError("bad jwt");
  }
};

struct Fixture {
  JwtOnly jwt;
  int calls = 0;
  FakeResolver* resolver = nullptr;
  std::unique_ptr<ApiKeyVerifier> verifier;
  explicit Fixture(absl::Duration ttl) : verifier(std::make_unique<ApiKeyVerifier>(&jwt, ttl)) {
    auto r = std::make_unique<FakeResolver>(&calls);
    resolver = r.get();
    verifier->SetResolver(std::move(r));
  }
};

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

TEST(ApiKeyVerifierTest, JwtsGoToTheJwtVerifierAndKeysToTheResolver) {
  Fixture f(absl::Seconds(30));
  const std::string key = NewApiKeySecret("key-1");
  f.resolver->keys[key] = {{"apiKeys/key-1", "", {"billing_system"}}};
  auto jwt = f.verifier->Verify("a.jwt.token", kT0);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->subject, "alice");
  auto id = f.verifier->Verify(key, kT0);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->subject, "apiKeys/key-1");
  EXPECT_EQ(id->roles, std::vector<std::string>{"billing_system"});
  EXPECT_EQ(f.verifier->Verify("slak_not-a-key", kT0).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(f.calls, 1) << "a malformed key must not reach the resolver";
}

TEST(ApiKeyVerifierTest, AnswersAreCachedForTheTtlAndNoLongerThanTheKeyLives) {
  Fixture f(absl::Seconds(30));
  const std::string key = NewApiKeySecret("key-1");
  f.resolver->keys[key] = {{"apiKeys/key-1", "", {"msp_agent"}}, kT0 + absl::Seconds(10)};
  ASSERT_TRUE(f.verifier->Verify(key, kT0).ok());
  f.resolver->keys.clear();  // revoked at contract-svc
  EXPECT_TRUE(f.verifier->Verify(key, kT0 + absl::Seconds(9)).ok()) << "cached";
  EXPECT_EQ(f.calls, 1);
  // The key's own expiry (10 s) ends the cached answer before the TTL (30 s) would.
  EXPECT_EQ(f.verifier->Verify(key, kT0 + absl::Seconds(10)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(f.calls, 2);
}

TEST(ApiKeyVerifierTest, RefusalsAreCachedBrieflyAndOutagesNotAtAll) {
  Fixture f(absl::Seconds(30));
  const std::string key = NewApiKeySecret("key-1");
  EXPECT_EQ(f.verifier->Verify(key, kT0).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(f.verifier->Verify(key, kT0 + absl::Seconds(4)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(f.calls, 1) << "a refusal is cached";
  f.resolver->keys[key] = {{"apiKeys/key-1", "", {"msp_agent"}}};
  EXPECT_TRUE(f.verifier->Verify(key, kT0 + absl::Seconds(5)).ok()) << "a new key works within 5 s";

  Fixture g(absl::Seconds(30));
  g.resolver->unavailable = true;
  EXPECT_EQ(g.verifier->Verify(key, kT0).status().code(), absl::StatusCode::kUnavailable);
  g.resolver->unavailable = false;
  g.resolver->keys[key] = {{"apiKeys/key-1", "", {"msp_agent"}}};
  EXPECT_TRUE(g.verifier->Verify(key, kT0).ok()) << "an outage is not cached";
}

TEST(ApiKeyVerifierTest, AnIdentityOfTheWrongShapeIsRefused) {
  Fixture f(absl::Seconds(30));
  const std::string key = NewApiKeySecret("key-1");
  f.resolver->keys[key] = {
      {"apiKeys/key-1", "", {"customer_user"}}};  // a customer role without a customer
  EXPECT_EQ(f.verifier->Verify(key, kT0).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(ApiKeyVerifierTest, WithoutAResolverKeysAreRefused) {
  JwtOnly jwt;
  ApiKeyVerifier v(&jwt, absl::Seconds(30));
  EXPECT_EQ(v.Verify(NewApiKeySecret("key-1"), kT0).status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace sla::server
