// API key secrets: `slak_<key id>_<43 characters of base64url>`, 256 random bits after the
// id, so lookup is by id and only the secret's SHA-256 is stored (a slow password hash buys
// nothing against a random 256-bit value). Free of gRPC, for contract-svc's use cases too.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sla::server {

inline constexpr char kApiKeyPrefix[] = "slak_";

struct ApiKeySecret {
  std::string key_id;  // "key-0123456789abcdef"
  std::string random;  // the part after the id
};

// True if `token` has the shape of an API key secret (not a JWT).
bool LooksLikeApiKey(absl::string_view token);
// The parts of a well-formed secret; nullopt otherwise.
std::optional<ApiKeySecret> ParseApiKeySecret(absl::string_view token);
// A new secret for `key_id`, from OpenSSL's CSPRNG.
std::string NewApiKeySecret(const std::string& key_id);
// Hex SHA-256 of a whole secret: what is stored.
std::string HashApiKeySecret(absl::string_view secret);
// Compares a presented secret with a stored hash in constant time.
bool ApiKeySecretMatches(absl::string_view secret, absl::string_view stored_hash);

}  // namespace sla::server
