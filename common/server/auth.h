// Caller identity from a bearer JWT, shared by every service.
//
// A token carries `sub` (the caller), `tenant` (the customer it belongs to; empty for the
// MSP's own staff and for services), `roles` (an array of role names), `exp` (required), and
// optionally `nbf`, `iat`, `iss`, `aud`. Local runs sign with HS256 and a key file; anything
// that is not a valid HS256 token for the configured key, issuer and audience is refused
// with UNAUTHENTICATED and a reason that never echoes the token.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/identity.h"

namespace sla::server {

struct JwtConfig {
  std::string hs256_key;  // at least 32 bytes
  std::string issuer;     // required `iss` when non-empty
  std::string audience;   // required `aud` when non-empty
  absl::Duration leeway = absl::Seconds(30);  // clock skew allowed on exp / nbf
};

class JwtVerifier {
 public:
  // INVALID_ARGUMENT if the key is shorter than 32 bytes.
  static absl::StatusOr<JwtVerifier> Create(JwtConfig config);
  // Reads the key from a file (trailing newline dropped). NOT_FOUND / INVALID_ARGUMENT.
  static absl::StatusOr<JwtVerifier> FromKeyFile(const std::string& path, std::string issuer,
                                                 std::string audience);

  // The identity in `token` (without the "Bearer " prefix) as of `now`, or UNAUTHENTICATED.
  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now) const;

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
  JwtConfig config_;
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

// Mints an HS256 token for `identity`, valid from `now` for `ttl` (dev tooling and tests).
absl::StatusOr<std::string> MintToken(const JwtConfig& config, const Identity& identity,
                                      absl::Time now, absl::Duration ttl);

// Reads a whole file (for keys, certificates and password files). NOT_FOUND if unreadable.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

}  // namespace sla::server
