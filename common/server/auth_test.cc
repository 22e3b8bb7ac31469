#include "common/server/auth.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <fstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/server/jwks.h"
#include "gtest/gtest.h"

namespace sla::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

JwtConfig Config() { return JwtConfig{std::string(32, 'k'), "sla-platform", "sla-platform"}; }

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
  for (const std::string& token :
       {absl::StrCat(header, ".", payload, "."), absl::StrCat(header, ".", payload)}) {
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

// A token's roles and tenant must agree: a customer role acts for exactly one customer, staff
// and systems for none, and one token is never both (a customer role without a tenant would
// otherwise read as "every customer" wherever a list drops an empty customer filter).
TEST(JwtVerifierTest, RefusesTokensWhoseRolesAndTenantDisagree) {
  auto v = JwtVerifier::Create(Config());
  ASSERT_TRUE(v.ok());
  struct Case {
    Identity id;
    const char* why;  // part of the reason
  };
  const Case refused[] = {
      {{"eve", "", {"customer_user"}}, "tenant"},
      {{"eve", "", {"customer_admin"}}, "tenant"},
      {{"eve", "cust-1", {"msp_admin"}}, "tenant"},
      {{"eve", "cust-1", {"service"}}, "tenant"},
      {{"eve", "cust-1", {"billing_system"}}, "tenant"},
      {{"eve", "cust-1", {"customer_admin", "msp_agent"}}, "mix"},
      {{"eve", "", {"customer_user", "msp_admin"}}, "mix"},
  };
  for (const Case& c : refused) {
    // Minted without the library's check, as an attacker or a misconfigured provider would.
    const std::string token = Mint(c.id);
    const absl::Status s = v->Verify(token, kNow).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << c.id.tenant << " " << c.id.roles[0];
    EXPECT_NE(s.message().find(c.why), absl::string_view::npos) << s.message();
  }
  EXPECT_TRUE(v->Verify(Mint({"bob", "cust-1", {"customer_user"}}), kNow).ok());
  EXPECT_TRUE(v->Verify(Mint({"alice", "", {"msp_admin", "msp_agent"}}), kNow).ok());
}

// A key pair made by openssl for this run: {private PEM, public PEM}.
std::pair<std::string, std::string> KeyPair(const std::string& kind, const std::string& name = "") {
  const std::string dir = ::testing::TempDir();
  const std::string file = absl::StrCat(dir, "/", kind, name);
  const std::string key = file + ".key", pub = file + ".pub";
  const std::string gen = kind == "rsa"
                              ? "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
                              : "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256";
  EXPECT_EQ(std::system(absl::StrCat(gen, " -out ", key, " 2>/dev/null && openssl pkey -in ", key,
                                     " -pubout -out ", pub, " 2>/dev/null")
                            .c_str()),
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
  for (const auto& [alg, kind] :
       {std::pair{JwtAlgorithm::kRs256, "rsa"}, std::pair{JwtAlgorithm::kEs256, "ec"}}) {
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
    EXPECT_EQ(
        v->Verify(Mint(kAgent, kNow, absl::Hours(1), Asymmetric(alg, other)), kNow).status().code(),
        absl::StatusCode::kUnauthenticated);
    JwtConfig confused = Config();
    confused.hs256_key = keys.second;
    EXPECT_EQ(v->Verify(Mint(kAgent, kNow, absl::Hours(1), confused), kNow).status().code(),
              absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(v->Verify(Mint(kAgent), kNow).status().code(), absl::StatusCode::kUnauthenticated);
    // A key file may trust several public keys (the identity provider's and each service's); a
    // service's own key is bound to its identity by the line before it.
    JwtConfig bundle = verifier_config;
    bundle.public_key_pem =
        absl::StrCat("sla-service: ticket-svc\n", other.second, "\n", keys.second);
    auto both = JwtVerifier::Create(bundle);
    ASSERT_TRUE(both.ok()) << both.status();
    EXPECT_TRUE(both->Verify(Mint(kAgent, kNow, absl::Hours(1), signer), kNow).ok());
    const JwtConfig service_key = Asymmetric(alg, other);
    EXPECT_TRUE(
        both->Verify(Mint({"ticket-svc", "", {"service"}}, kNow, absl::Hours(1), service_key), kNow)
            .ok());
    // Least privilege: ticket-svc's key signs nothing but ticket-svc's own identity, and the
    // identity provider's key cannot mint a service identity.
    for (const Identity& forged :
         {Identity{"billing-svc", "", {"service"}}, Identity{"ticket-svc", "", {"msp_admin"}},
          Identity{"ticket-svc", "", {"service", "msp_admin"}}}) {
      EXPECT_EQ(both->Verify(Mint(forged, kNow, absl::Hours(1), service_key), kNow).status().code(),
                absl::StatusCode::kUnauthenticated)
          << forged.subject << " " << forged.roles.back();
    }
    EXPECT_EQ(
        both->Verify(Mint({"ticket-svc", "", {"service"}}, kNow, absl::Hours(1), signer), kNow)
            .status()
            .code(),
        absl::StatusCode::kUnauthenticated);
  }
  // An HS256 deployment refuses RS256 tokens; a verifier needs a PEM public key; minting
  // without a private key fails instead of producing an unsigned token.
  const auto rsa = KeyPair("rsa");
  auto hs = JwtVerifier::Create(Config());
  EXPECT_EQ(
      hs->Verify(Mint(kAgent, kNow, absl::Hours(1), Asymmetric(JwtAlgorithm::kRs256, rsa)), kNow)
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
  JwtConfig no_pem = Asymmetric(JwtAlgorithm::kRs256, {"", "not a key"});
  EXPECT_EQ(JwtVerifier::Create(no_pem).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(MintToken(no_pem, kAgent, kNow, absl::Hours(1)).ok());
  EXPECT_EQ(ParseJwtAlgorithm("ES256").value_or(JwtAlgorithm::kHs256), JwtAlgorithm::kEs256);
  EXPECT_FALSE(ParseJwtAlgorithm("none").ok());
}

}  // namespace
void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::trunc) << content;
}

std::string MintClaims(const JwtConfig& c, const std::string& claims_json) {
  auto t = MintTokenWithClaims(c, claims_json);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.value_or("");
}

TEST(ClaimMappingTest, AnIdentityProvidersGroupsAndCustomerClaimBecomeRolesAndTenant) {
  const auto idp_keys = KeyPair("rsa");
  const auto service_keys = KeyPair("rsa", "-svc");
  const JwtConfig idp = Asymmetric(JwtAlgorithm::kRs256, idp_keys);
  JwtConfig config = idp;
  config.private_key_pem.clear();
  config.public_key_pem =
      absl::StrCat(idp_keys.second, "\nsla-service: ticket-svc\n", service_keys.second);
  config.claims.roles_claim = "groups";
  config.claims.tenant_claim = "https://idp.example/customer";
  config.claims.role_map = {{"msp-admins", "msp_admin"}, {"acme-users", "customer_user"}};
  auto v = JwtVerifier::Create(config);
  ASSERT_TRUE(v.ok()) << v.status();
  const std::string common =
      absl::StrCat(R"("iss": "sla-platform", "aud": "sla-platform", "exp": )",
                   absl::ToUnixSeconds(kNow + absl::Hours(1)));
  auto verify = [&](const std::string& claims) {
    return v->Verify(MintClaims(idp, absl::StrCat("{", common, ", ", claims, "}")), kNow);
  };

  // A customer user: the mapped group and the customer claim; unmapped groups are ignored.
  auto user = verify(
      R"("sub": "bob", "groups": ["acme-users", "everyone"], "https://idp.example/customer": "cust-1")");
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->roles, std::vector<std::string>{"customer_user"});
  EXPECT_EQ(user->tenant, "cust-1");
  // Staff, from one space-separated string (as a `scope`).
  auto admin = verify(R"("sub": "alice", "groups": "openid msp-admins")");
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ(admin->roles, std::vector<std::string>{"msp_admin"});
  // Nothing mapped: no role. The provider cannot bypass the mapping with a `roles` claim.
  EXPECT_EQ(verify(R"("sub": "eve", "groups": ["everyone"])").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(verify(R"("sub": "eve", "roles": ["msp_admin"])").status().code(),
            absl::StatusCode::kUnauthenticated);
  // The mapped roles must still agree with the tenant.
  EXPECT_EQ(verify(R"("sub": "eve", "groups": ["acme-users"])").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      verify(
          R"("sub": "eve", "groups": ["acme-users", "msp-admins"], "https://idp.example/customer": "c")")
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
  // A service's own key still signs the platform's `roles`.
  auto service = v->Verify(Mint({"ticket-svc", "", {"service"}}, kNow, absl::Hours(1),
                                Asymmetric(JwtAlgorithm::kRs256, service_keys)),
                           kNow);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_EQ(service->roles, std::vector<std::string>{"service"});
}

TEST(ClaimMappingTest, ParsesTheRoleMapAndNamesABadPair) {
  auto map = ClaimMapping::ParseRoleMap(" msp-admins=msp_admin, acme users = customer_user ,");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->at("msp-admins"), "msp_admin");
  EXPECT_EQ(map->at("acme users"), "customer_user");
  EXPECT_TRUE(ClaimMapping::ParseRoleMap("").value().empty());
  for (const char* bad : {"msp-admins", "=msp_admin", "x=Not A Role"}) {
    auto m = ClaimMapping::ParseRoleMap(bad);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(KeyFileVerifierTest, RotatesRs256KeysFromTheFileWithoutARestart) {
  const auto old_keys = KeyPair("rsa", "-rotate-old");
  const auto new_keys = KeyPair("rsa", "-rotate-new");
  const JwtConfig old_signer = Asymmetric(JwtAlgorithm::kRs256, old_keys);
  const JwtConfig new_signer = Asymmetric(JwtAlgorithm::kRs256, new_keys);
  const std::string path = ::testing::TempDir() + "/rotating.pub";
  WriteFile(path, old_keys.second);
  auto v = KeyFileVerifier::Create(path, "sla-platform", "sla-platform", JwtAlgorithm::kRs256,
                                   absl::Seconds(30), kNow);
  ASSERT_TRUE(v.ok()) << v.status();
  const std::string old_token = Mint(kAgent, kNow, absl::Hours(2), old_signer);
  const std::string new_token = Mint(kAgent, kNow, absl::Hours(2), new_signer);
  EXPECT_TRUE((*v)->Verify(old_token, kNow).ok());
  EXPECT_EQ((*v)->Verify(new_token, kNow).status().code(), absl::StatusCode::kUnauthenticated);

  // Step 1: the new key joins the file. Not read before the interval is up; then both verify.
  WriteFile(path, absl::StrCat(old_keys.second, "\n", new_keys.second));
  EXPECT_FALSE((*v)->Verify(new_token, kNow + absl::Seconds(10)).ok());
  EXPECT_TRUE((*v)->Verify(new_token, kNow + absl::Seconds(31)).ok());
  EXPECT_TRUE((*v)->Verify(old_token, kNow + absl::Seconds(31)).ok());
  EXPECT_EQ((*v)->reloads(), 1);

  // A half-written file keeps the keys in force.
  WriteFile(path, "-----BEGIN PUBLIC KEY-----\nMIIB");
  EXPECT_TRUE((*v)->Verify(new_token, kNow + absl::Seconds(62)).ok());
  EXPECT_EQ((*v)->reloads(), 1);

  // Step 2: the old key leaves; its tokens (even one verified before) are refused from then on.
  WriteFile(path, new_keys.second);
  EXPECT_TRUE((*v)->Verify(new_token, kNow + absl::Seconds(93)).ok());
  EXPECT_EQ((*v)->Verify(old_token, kNow + absl::Seconds(93)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ((*v)->reloads(), 2);
}

TEST(KeyFileVerifierTest, AnHs256KeyChangeTakesEffectAndZeroMeansNeverReload) {
  const std::string path = ::testing::TempDir() + "/rotating.key";
  WriteFile(path, std::string(32, 'k'));
  auto reloading = KeyFileVerifier::Create(path, "sla-platform", "sla-platform",
                                           JwtAlgorithm::kHs256, absl::Seconds(5), kNow);
  auto fixed = KeyFileVerifier::Create(path, "sla-platform", "sla-platform", JwtAlgorithm::kHs256,
                                       absl::ZeroDuration(), kNow);
  ASSERT_TRUE(reloading.ok() && fixed.ok());
  JwtConfig next = Config();
  next.hs256_key = std::string(32, 'n');
  WriteFile(path, next.hs256_key);
  const std::string token = Mint(kAgent, kNow, absl::Hours(1), next);
  EXPECT_TRUE((*reloading)->Verify(token, kNow + absl::Seconds(6)).ok());
  EXPECT_FALSE((*reloading)->Verify(Mint(kAgent), kNow + absl::Seconds(6)).ok());
  EXPECT_FALSE((*fixed)->Verify(token, kNow + absl::Hours(1)).ok());
  EXPECT_TRUE((*fixed)->Verify(Mint(kAgent), kNow).ok());
  // A missing file at start is NOT_FOUND.
  EXPECT_EQ(KeyFileVerifier::Create(path + ".missing", "", "", JwtAlgorithm::kHs256,
                                    absl::Seconds(5), kNow)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

// The key of `public_pem` as a JWK, from its own numbers.
std::string Jwk(const std::string& public_pem, const std::string& kid) {
  BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(key, nullptr);
  std::string out;
  if (EVP_PKEY_is_a(key, "RSA")) {
    BIGNUM *n = nullptr, *e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    auto bytes = [](const BIGNUM* b) {
      std::string s(BN_num_bytes(b), '\0');
      BN_bn2bin(b, reinterpret_cast<unsigned char*>(s.data()));
      return absl::WebSafeBase64Escape(s);
    };
    out = absl::StrCat(R"({"kty":"RSA","alg":"RS256","use":"sig","kid":")", kid, R"(","n":")",
                       bytes(n), R"(","e":")", bytes(e), R"("})");
    BN_free(n);
    BN_free(e);
  } else {
    unsigned char point[65];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &len);
    EXPECT_EQ(len, 65u);
    const std::string p(reinterpret_cast<const char*>(point), len);
    out = absl::StrCat(R"({"kty":"EC","crv":"P-256","kid":")", kid, R"(","x":")",
                       absl::WebSafeBase64Escape(p.substr(1, 32)), R"(","y":")",
                       absl::WebSafeBase64Escape(p.substr(33, 32)), R"("})");
  }
  EVP_PKEY_free(key);
  return out;
}

TEST(JwksTest, AKeyFileMayHoldTheIdentityProvidersJwksAndItsRotation) {
  const auto first = KeyPair("rsa", "-jwks-1");
  const auto second = KeyPair("rsa", "-jwks-2");
  const std::string path = ::testing::TempDir() + "/jwks.json";
  // An encryption key is not a signing key and is skipped.
  WriteFile(path, absl::StrCat(R"({"keys":[)", Jwk(first.second, "k1"),
                               R"(,{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]})"));
  auto v = KeyFileVerifier::Create(path, "sla-platform", "sla-platform", JwtAlgorithm::kRs256,
                                   absl::Seconds(30), kNow);
  ASSERT_TRUE(v.ok()) << v.status();
  const std::string t1 =
      Mint(kAgent, kNow, absl::Hours(2), Asymmetric(JwtAlgorithm::kRs256, first));
  const std::string t2 =
      Mint(kAgent, kNow, absl::Hours(2), Asymmetric(JwtAlgorithm::kRs256, second));
  EXPECT_TRUE((*v)->Verify(t1, kNow).ok());
  EXPECT_FALSE((*v)->Verify(t2, kNow).ok());
  // The provider publishes its next key beside the current one.
  WriteFile(path, absl::StrCat(R"({"keys":[)", Jwk(first.second, "k1"), ",",
                               Jwk(second.second, "k2"), "]}"));
  EXPECT_TRUE((*v)->Verify(t2, kNow + absl::Minutes(1)).ok());
  EXPECT_TRUE((*v)->Verify(t1, kNow + absl::Minutes(1)).ok());

  // ES256 keys too; malformed documents are INVALID_ARGUMENT naming the key.
  const auto ec = KeyPair("ec", "-jwks");
  JwtConfig es = Asymmetric(JwtAlgorithm::kEs256, ec);
  es.private_key_pem.clear();
  es.public_key_pem = absl::StrCat(R"({"keys":[)", Jwk(ec.second, "e1"), "]}");
  auto ev = JwtVerifier::Create(es);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_TRUE(
      ev->Verify(Mint(kAgent, kNow, absl::Hours(1), Asymmetric(JwtAlgorithm::kEs256, ec)), kNow)
          .ok());
  EXPECT_EQ(JwksToPem(R"({"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]})").status().message(),
            "field `jwks.keys[0].n`: must be base64url");
  EXPECT_EQ(JwksToPem(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})").status().message(),
            "field `jwks.keys[0].kty`: must be RSA or EC");
  EXPECT_EQ(JwksToPem(R"({"keys":[]})").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JwksToPem("{not json").status().code(), absl::StatusCode::kInvalidArgument);

  // A service's own key in a JWKS document: its kid binds it to the service's identity.
  JwtConfig bound = es;
  bound.public_key_pem =
      absl::StrCat(R"({"keys":[)", Jwk(ec.second, "sla-service:billing-svc"), "]}");
  auto bv = JwtVerifier::Create(bound);
  ASSERT_TRUE(bv.ok()) << bv.status();
  const JwtConfig billing_key = Asymmetric(JwtAlgorithm::kEs256, ec);
  EXPECT_TRUE(
      bv->Verify(Mint({"billing-svc", "", {"service"}}, kNow, absl::Hours(1), billing_key), kNow)
          .ok());
  EXPECT_EQ(bv->Verify(Mint(kAgent, kNow, absl::Hours(1), billing_key), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace sla::server
