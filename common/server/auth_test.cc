#include "common/server/auth.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace sla::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

JwtConfig Config() {
  return JwtConfig{std::string(32, 'k'), "sla-platform", "sla-platform"};
}

std::string Mint(const Identity& id, absl::Time now = kNow, absl::Duration ttl = absl::Hours(1),
                 JwtConfig config = Config()) {
  auto t = MintToken(config, id, now, ttl);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.value_or("");
}

const Identity kAgent{"alice", "", {"msp_agent"}};

TEST(JwtVerifierTest, AcceptsAValidTokenAndReadsTheIdentity) {
  auto v = JwtVerifier::Create(Config());
  ASSERT_TRUE(v.ok());
  auto id = v->Verify(Mint({"bob", "cust-42", {"customer_user", "customer_admin"}}), kNow);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->subject, "bob");
  EXPECT_EQ(id->tenant, "cust-42");
  EXPECT_TRUE(id->HasRole("customer_admin"));
  EXPECT_FALSE(id->HasRole("msp_admin"));
}

TEST(JwtVerifierTest, RejectsExpiredAndNotYetValidTokens) {
  auto v = JwtVerifier::Create(Config());
  const std::string token = Mint(kAgent);
  EXPECT_TRUE(v->Verify(token, kNow + absl::Hours(1)).ok());  // within leeway
  EXPECT_EQ(v->Verify(token, kNow + absl::Hours(1) + absl::Minutes(1)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(v->Verify(token, kNow - absl::Minutes(5)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(JwtVerifierTest, RejectsWrongKeyIssuerAudienceAndTampering) {
  auto v = JwtVerifier::Create(Config());
  JwtConfig other_key = Config();
  other_key.hs256_key = std::string(32, 'x');
  EXPECT_EQ(v->Verify(Mint(kAgent, kNow, absl::Hours(1), other_key), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  JwtConfig other_issuer = Config();
  other_issuer.issuer = "someone-else";
  EXPECT_EQ(v->Verify(Mint(kAgent, kNow, absl::Hours(1), other_issuer), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  JwtConfig other_audience = Config();
  other_audience.audience = "another-api";
  EXPECT_EQ(v->Verify(Mint(kAgent, kNow, absl::Hours(1), other_audience), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);

  // Swap the payload for one claiming msp_admin, keeping the signature.
  std::vector<std::string> parts = absl::StrSplit(Mint(kAgent), '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  const size_t at = payload.find("msp_agent");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 9, "msp_admin");
  const std::string forged =
      absl::StrCat(parts[0], ".", absl::WebSafeBase64Escape(payload), ".", parts[2]);
  EXPECT_EQ(v->Verify(forged, kNow).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(JwtVerifierTest, RejectsUnsignedAlgNoneTokens) {
  auto v = JwtVerifier::Create(Config());
  const std::string header = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  const std::string payload = absl::WebSafeBase64Escape(absl::StrCat(
      R"({"sub":"mallory","roles":["msp_admin"],"iss":"sla-platform","aud":"sla-platform","exp":)",
      absl::ToUnixSeconds(kNow) + 3600, "}"));
  for (const std::string& token : {absl::StrCat(header, ".", payload, "."),
                                   absl::StrCat(header, ".", payload)}) {
    EXPECT_EQ(v->Verify(token, kNow).status().code(), absl::StatusCode::kUnauthenticated) << token;
  }
}

TEST(JwtVerifierTest, RejectsMissingRolesGarbageAndShortKeys) {
  auto v = JwtVerifier::Create(Config());
  EXPECT_EQ(v->Verify(Mint({"carol", "", {}}), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(v->Verify("not-a-token", kNow).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(v->Verify("", kNow).status().code(), absl::StatusCode::kUnauthenticated);
  const absl::Status s = v->Verify("a.b.c", kNow).status();
  EXPECT_EQ(s.message().find("a.b.c"), absl::string_view::npos);  // never echoes the token
  EXPECT_EQ(JwtVerifier::Create(JwtConfig{"short", "", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken(Config(), {"x", "", {"Bad Role"}}, kNow, absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sla::server
