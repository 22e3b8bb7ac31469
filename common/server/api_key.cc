#include "common/server/api_key.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sla::server {

absl::StatusOr<Identity> ApiKeyVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (!LooksLikeApiKey(token)) return jwt_->Verify(token, now);
  if (!ParseApiKeySecret(token)) return absl::UnauthenticatedError("malformed API key");
  if (resolver_ == nullptr)
    return absl::UnauthenticatedError("this service does not accept API keys");
  const std::string hash = HashApiKeySecret(token);
  {
    absl::MutexLock lock(&mu_);
    if (auto it = cache_.find(hash); it != cache_.end()) {
      if (now < it->second.until) return it->second.answer;
      cache_.erase(it);
    }
  }
  absl::StatusOr<ApiKeyIdentity> resolved = resolver_->Resolve(token, now);
  if (!resolved.ok() && resolved.status().code() != absl::StatusCode::kUnauthenticated) {
    // Not an answer about the key: callers may retry, nothing is cached.
    return absl::UnavailableError(
        absl::StrCat("cannot check the API key now: ", resolved.status().message()));
  }
  Entry entry;
  if (resolved.ok()) {
    if (absl::Status shape = CheckIdentityShape(resolved->identity); !shape.ok()) {
      return absl::UnauthenticatedError(absl::StrCat("API key: ", shape.message()));
    }
    entry = {resolved->identity, std::min(now + cache_ttl_, resolved->expires)};
  } else {
    entry = {resolved.status(), now + std::min(cache_ttl_, absl::Seconds(5))};
  }
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= kMaxEntries) {
    absl::erase_if(cache_, [&](const auto& e) { return e.second.until <= now; });
    if (cache_.size() >= kMaxEntries) cache_.clear();
  }
  cache_[hash] = entry;
  return entry.answer;
}

}  // namespace sla::server
