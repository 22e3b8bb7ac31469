#include "common/server/api_key_secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sla::server {
namespace {

constexpr size_t kRandomBytes = 32;
constexpr size_t kRandomChars = 43;  // base64url of 32 bytes, unpadded

bool IsKeyIdChar(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-'; }
bool IsBase64UrlChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

}  // namespace

bool LooksLikeApiKey(absl::string_view token) { return absl::StartsWith(token, kApiKeyPrefix); }

std::optional<ApiKeySecret> ParseApiKeySecret(absl::string_view token) {
  if (!absl::ConsumePrefix(&token, kApiKeyPrefix)) return std::nullopt;
  const size_t sep = token.find('_');
  if (sep == absl::string_view::npos || sep == 0 || sep > 63) return std::nullopt;
  const absl::string_view id = token.substr(0, sep);
  const absl::string_view random = token.substr(sep + 1);
  if (random.size() != kRandomChars) return std::nullopt;
  for (char c : id)
    if (!IsKeyIdChar(c)) return std::nullopt;
  for (char c : random)
    if (!IsBase64UrlChar(c)) return std::nullopt;
  return ApiKeySecret{std::string(id), std::string(random)};
}

std::string NewApiKeySecret(const std::string& key_id) {
  unsigned char bytes[kRandomBytes];
  // RAND_bytes fails only if the CSPRNG cannot be seeded; a key must never be predictable.
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();
  std::string random;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes),
                            &random);
  return absl::StrCat(kApiKeyPrefix, key_id, "_", random);
}

std::string HashApiKeySecret(absl::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(secret.data(), secret.size(), digest, &size, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
}

bool ApiKeySecretMatches(absl::string_view secret, absl::string_view stored_hash) {
  const std::string hash = HashApiKeySecret(secret);
  return hash.size() == stored_hash.size() &&
         CRYPTO_memcmp(hash.data(), stored_hash.data(), hash.size()) == 0;
}

}  // namespace sla::server
