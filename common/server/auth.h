// Caller identity from a bearer JWT, shared by every service.
//
// A token carries `sub` (the caller), `tenant` (the customer it belongs to; empty for the
// MSP's own staff and for services), `roles` (an array of role names), `exp` (required), and
// optionally `nbf`, `iat`, `iss`, `aud`. Local runs sign with HS256 and a key file, production
// with RS256 or ES256 (a public key verifies); a deployment accepts exactly one algorithm, so
// an HS256 token "signed" with the public key is refused. Anything that is not a valid token
// for the configured algorithm, key, issuer and audience is refused with UNAUTHENTICATED and a
// reason that never echoes the token.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/server/identity.h"

namespace sla::server {

// The one algorithm a deployment accepts: HS256 with a shared key (local runs, tests), or
// RS256 / ES256 (P-256) with the identity provider's public key (production).
enum class JwtAlgorithm { kHs256, kRs256, kEs256 };
// "HS256", "RS256", "ES256" → the algorithm; INVALID_ARGUMENT otherwise.
absl::StatusOr<JwtAlgorithm> ParseJwtAlgorithm(absl::string_view name);

// Where an identity provider's tokens carry the roles and the tenant, and how its values become
// the platform's roles (--jwt_roles_claim, --jwt_tenant_claim, --jwt_role_map). Tokens signed
// by a service's own key (and HS256 tokens, local runs) may still carry `roles` and `tenant`.
struct ClaimMapping {
  std::string roles_claim =
      "roles";  // an array of strings, or one string of space-separated values
  std::string tenant_claim = "tenant";  // a string: the customer id
  // Provider value → role. Empty: the values are the roles. Otherwise only mapped values
  // count, and a token with none of them has no role (UNAUTHENTICATED).
  std::map<std::string, std::string> role_map;

  // "msp-admins=msp_admin,acme-users=customer_user"; INVALID_ARGUMENT naming the bad pair.
  static absl::StatusOr<std::map<std::string, std::string>> ParseRoleMap(absl::string_view text);
};

struct JwtConfig {
  std::string hs256_key;                      // HS256: the shared key, at least 32 bytes
  std::string issuer;                         // required `iss` when non-empty
  std::string audience;                       // required `aud` when non-empty
  absl::Duration leeway = absl::Seconds(30);  // clock skew allowed on exp / nbf
  JwtAlgorithm algorithm = JwtAlgorithm::kHs256;
  std::string public_key_pem =
      {};  // RS256/ES256: verifies tokens; several PEM keys may follow each other
  std::string private_key_pem = {};  // RS256/ES256: signs tokens (MintToken: services' own calls)
  ClaimMapping claims = {};
};

// What the RPC boundary authenticates with.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  // The identity in `token` (without the "Bearer " prefix) as of `now`, or UNAUTHENTICATED.
  virtual absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now) const = 0;
};

class JwtVerifier final : public TokenVerifier {
 public:
  // INVALID_ARGUMENT if an HS256 key is shorter than 32 bytes, or an RS256/ES256 key is not a
  // PEM public key.
  static absl::StatusOr<JwtVerifier> Create(JwtConfig config);
  // Reads the key from a file (trailing newline dropped): the HS256 key, or for RS256/ES256 the
  // trusted PEM public keys (the identity provider's and the services' own), one after the
  // other, a service's own preceded by a line `sla-service: <name>` (in a JWKS document: a
  // `kid` of `sla-service:<name>`). Such a key verifies only tokens of that service's identity
  // (subject <name>, role `service`), and a `service` token must come from such a key.
  // NOT_FOUND / INVALID_ARGUMENT.
  static absl::StatusOr<JwtVerifier> FromKeyFile(const std::string& path, std::string issuer,
                                                 std::string audience,
                                                 JwtAlgorithm algorithm = JwtAlgorithm::kHs256,
                                                 ClaimMapping claims = {});

  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now) const override;

  const JwtConfig& config() const { return config_; }

 private:
  // Tokens already verified (at most this many; the cache is dropped when full).
  static constexpr size_t kVerifiedCacheSize = 10'000;
  struct Verified {
    Identity identity;
    int64_t exp = 0;
    int64_t nbf = 0;
  };
  struct Cache {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Verified> verified ABSL_GUARDED_BY(mu);
  };
  explicit JwtVerifier(JwtConfig config) : config_(std::move(config)) {}
  struct VerifyKey {
    std::string pem;      // the HS256 key, or a PEM public key
    std::string service;  // RS256/ES256: the service whose own key this is ("" = not bound)
  };
  JwtConfig config_;
  std::vector<VerifyKey> verify_keys_;
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

// Verifies with the keys in a file and picks up a new file without a restart: key rotation is
// "add the new public key to the file (the old one stays until its tokens expired), then
// remove the old one" — each step reaches every replica within `reload_every`. The file is
// re-read at most once per `reload_every` (on the Verify calls' clock); a file that no longer
// parses (half written, emptied) keeps the keys in force and is logged.
class KeyFileVerifier final : public TokenVerifier {
 public:
  static absl::StatusOr<std::unique_ptr<KeyFileVerifier>> Create(
      std::string path, std::string issuer, std::string audience, JwtAlgorithm algorithm,
      absl::Duration reload_every, absl::Time now, ClaimMapping claims = {});
  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now) const override;
  // How many times new keys were taken from the file.
  int reloads() const;

 private:
  KeyFileVerifier(std::string path, std::string issuer, std::string audience,
                  JwtAlgorithm algorithm, absl::Duration reload_every, ClaimMapping claims)
      : path_(std::move(path)),
        issuer_(std::move(issuer)),
        audience_(std::move(audience)),
        algorithm_(algorithm),
        reload_every_(reload_every),
        claims_(std::move(claims)) {}
  std::shared_ptr<const JwtVerifier> Current(absl::Time now) const;

  const std::string path_, issuer_, audience_;
  const JwtAlgorithm algorithm_;
  const absl::Duration reload_every_;
  const ClaimMapping claims_;
  mutable absl::Mutex mu_;
  mutable std::shared_ptr<const JwtVerifier> current_ ABSL_GUARDED_BY(mu_);
  mutable std::string content_ ABSL_GUARDED_BY(mu_);
  mutable absl::Time next_check_ ABSL_GUARDED_BY(mu_);
  mutable int reloads_ ABSL_GUARDED_BY(mu_) = 0;
};

// The one shape an identity may have: customer roles (customer_admin, customer_user) with a
// tenant, or staff and system roles without one, never both kinds. A customer role without a
// tenant would read as "no customer filter". Verify refuses any other shape with
// UNAUTHENTICATED; this says why (INVALID_ARGUMENT), for tools that mint tokens.
absl::Status CheckIdentityShape(const Identity& id);

// A token with exactly `claims_json` (a JSON object: sub, exp, iss, aud and whatever an
// identity provider adds), signed as `config` says: for local runs and tests of a claim
// mapping. INVALID_ARGUMENT if the JSON is not an object or the key does not sign.
absl::StatusOr<std::string> MintTokenWithClaims(const JwtConfig& config,
                                                const std::string& claims_json);

// Mints a token for `identity`, valid from `now` for `ttl`: HS256 with the shared key, or
// RS256/ES256 with `private_key_pem` (services' own calls, dev tooling, tests).
absl::StatusOr<std::string> MintToken(const JwtConfig& config, const Identity& identity,
                                      absl::Time now, absl::Duration ttl);

// Reads a whole file (for keys, certificates and password files). NOT_FOUND if unreadable.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

}  // namespace sla::server
