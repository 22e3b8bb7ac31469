// API keys for machine clients, as every service accepts them.
//
// contract-svc owns the keys (api_key_secret.h: their form); the other services ask it who a
// secret acts as (AuthenticateApiKey). Every service keeps answers for a short while, so a
// revocation takes effect everywhere within that time (--api_key_cache_s).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/server/api_key_secret.h"
#include "common/server/auth.h"
#include "common/server/identity.h"

namespace sla::server {

// Who a secret acts as; `expires` bounds how long the answer may be used.
struct ApiKeyIdentity {
  Identity identity;
  absl::Time expires = absl::InfiniteFuture();
};

// Resolves secrets: contract-svc's own storage, or contract-svc over gRPC elsewhere.
// UNAUTHENTICATED for an unknown, wrong, revoked or expired secret; other codes when the
// answer could not be had (contract-svc away).
class ApiKeyResolver {
 public:
  virtual ~ApiKeyResolver() = default;
  virtual absl::StatusOr<ApiKeyIdentity> Resolve(absl::string_view secret, absl::Time now) = 0;
};

// The verifier the RPC boundary uses: JWTs go to `jwt`, API key secrets to the resolver, whose
// answers are cached for `cache_ttl` (refusals for at most 5 s, so a flood of bad keys does not
// reach contract-svc, and a key created a moment ago works soon).
class ApiKeyVerifier final : public TokenVerifier {
 public:
  ApiKeyVerifier(const TokenVerifier* jwt, absl::Duration cache_ttl)
      : jwt_(jwt), cache_ttl_(cache_ttl) {}
  // Set before the server starts; without a resolver, API keys are refused.
  void SetResolver(std::unique_ptr<ApiKeyResolver> resolver) { resolver_ = std::move(resolver); }
  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now) const override;

 private:
  struct Entry {
    absl::StatusOr<Identity> answer;
    absl::Time until;
  };
  static constexpr size_t kMaxEntries = 10'000;
  const TokenVerifier* jwt_;
  const absl::Duration cache_ttl_;
  std::unique_ptr<ApiKeyResolver> resolver_;
  mutable absl::Mutex mu_;
  // Keyed by the secret's hash, so no secret stays in memory longer than its call.
  mutable absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla::server
