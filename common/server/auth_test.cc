#include "common/server/auth.h"

#include <cstdlib>
#include <utility>

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

// A key pair made by openssl for this run: {private PEM, public PEM}.
std::pair<std::string, std::string> KeyPair(const std::string& kind, const std::string& name = "") {
  const std::string dir = ::testing::TempDir();
  const std::string file = absl::StrCat(dir, "/", kind, name);
  const std::string key = file + ".key", pub = file + ".pub";
  const std::string gen = kind == "rsa" ? "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
                                        : "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256";
  EXPECT_EQ(std::system(absl::StrCat(gen, " -out ", key, " 2>/dev/null && openssl pkey -in ", key, " -pubout -out ",
                                     pub, " 2>/dev/null").c_str()),
            0);
  absl::StatusOr<std::string> private_pem = ReadSecretFile(key), public_pem = ReadSecretFile(pub);
  EXPECT_TRUE(private_pem.ok() && public_pem.ok());
  return {private_pem.value_or(""), public_pem.value_or("")};
}

JwtConfig Asymmetric(JwtAlgorithm alg, const std::pair<std::string, std::string>& keys) {
  JwtConfig c = Config();
  c.hs256_key.clear();
  c.algorithm = alg;
  c.private_key_pem = keys.first;
  c.public_key_pem = keys.second;
  return c;
}

TEST(JwtVerifierTest, Rs256AndEs256TokensVerifyWithThePublicKeyOnly) {
  for (const auto& [alg, kind] : {std::pair{JwtAlgorithm::kRs256, "rsa"}, std::pair{JwtAlgorithm::kEs256, "ec"}}) {
    const auto keys = KeyPair(kind);
    const JwtConfig signer = Asymmetric(alg, keys);
    JwtConfig verifier_config = signer;
    verifier_config.private_key_pem.clear();  // a service holds the public key only
    auto v = JwtVerifier::Create(verifier_config);
    ASSERT_TRUE(v.ok()) << v.status();
    absl::StatusOr<Identity> id = v->Verify(Mint(kAgent, kNow, absl::Hours(1), signer), kNow);
    ASSERT_TRUE(id.ok()) << kind << ": " << id.status();
    EXPECT_EQ(id->subject, "alice");
    // Another key pair's token, an HS256 token (even one keyed with the public key: the
    // algorithm-confusion attack), and a token of the other asymmetric algorithm are refused.
    const auto other = KeyPair(kind, "-other");
    EXPECT_EQ(v->Verify(Mint(kAgent, kNow, absl::Hours(1), Asymmetric(alg, other)), kNow).status().code(),
              absl::StatusCode::kUnauthenticated);
    JwtConfig confused = Config();
    confused.hs256_key = keys.second;
    EXPECT_EQ(v->Verify(Mint(kAgent, kNow, absl::Hours(1), confused), kNow).status().code(),
              absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(v->Verify(Mint(kAgent), kNow).status().code(), absl::StatusCode::kUnauthenticated);
    // A key file may trust several public keys (the identity provider's and each service's).
    JwtConfig bundle = verifier_config;
    bundle.public_key_pem = absl::StrCat(other.second, "\n", keys.second);
    auto both = JwtVerifier::Create(bundle);
    ASSERT_TRUE(both.ok()) << both.status();
    EXPECT_TRUE(both->Verify(Mint(kAgent, kNow, absl::Hours(1), signer), kNow).ok());
    EXPECT_TRUE(both->Verify(Mint({"bob", "", {"service"}}, kNow, absl::Hours(1), Asymmetric(alg, other)), kNow).ok());
  }
  // An HS256 deployment refuses RS256 tokens; a verifier needs a PEM public key; minting
  // without a private key fails instead of producing an unsigned token.
  const auto rsa = KeyPair("rsa");
  auto hs = JwtVerifier::Create(Config());
  EXPECT_EQ(hs->Verify(Mint(kAgent, kNow, absl::Hours(1), Asymmetric(JwtAlgorithm::kRs256, rsa)), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  JwtConfig no_pem = Asymmetric(JwtAlgorithm::kRs256, {"", "not a key"});
  EXPECT_EQ(JwtVerifier::Create(no_pem).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(MintToken(no_pem, kAgent, kNow, absl::Hours(1)).ok());
  EXPECT_EQ(ParseJwtAlgorithm("ES256").value_or(JwtAlgorithm::kHs256), JwtAlgorithm::kEs256);
  EXPECT_FALSE(ParseJwtAlgorithm("none").ok());
}

}  // namespace
}  // namespace sla::server
