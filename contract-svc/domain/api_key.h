// API keys for machine clients. Resource name `apiKeys/{api_key}`. The secret itself is never
// stored: `secret_hash` is its SHA-256 (common/server/api_key_secret.h), and after a rotation
// the previous secret's hash works until `previous_secret_expire_time`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sla::contract {

struct ApiKey {
  enum class State { kActive = 1, kRevoked = 2 };

  std::string id;
  std::string display_name;
  std::vector<std::string> roles;
  std::string customer_id;  // for customer roles; empty otherwise
  State state = State::kActive;
  std::optional<absl::Time> expire_time;
  std::string secret_hash;
  std::string secret_hint;
  std::string previous_secret_hash;
  std::optional<absl::Time> previous_secret_expire_time;
  std::optional<absl::Time> rotate_time;
  std::optional<absl::Time> revoke_time;
  std::string creator;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;

  std::string name() const { return "apiKeys/" + id; }
  std::string etag() const { return std::to_string(version); }
};

// The roles a key may carry: never msp_admin (a key cannot manage keys) or service.
inline constexpr const char* kApiKeyRoles[] = {"msp_agent", "billing_system", "customer_admin",
                                               "customer_user"};

// The fields a client sets, at `now`: INVALID_ARGUMENT naming `api_key.<field>`.
absl::Status ValidateApiKey(const ApiKey& k, absl::Time now);

// "apiKeys/key-1" → "key-1"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseApiKeyName(absl::string_view name, absl::string_view field);

// Whether a secret whose hash `matches` (current or previous) still opens `k` at `now`, and
// until when; UNAUTHENTICATED with the reason otherwise. `matches_current` / `matches_previous`
// are the constant-time comparisons of the presented secret with the two stored hashes.
absl::StatusOr<std::optional<absl::Time>> ApiKeyValidUntil(const ApiKey& k, bool matches_current,
                                                           bool matches_previous, absl::Time now);

// The longest grace a rotation may leave the old secret.
inline constexpr absl::Duration kMaxRotationGrace = absl::Hours(24 * 7);

}  // namespace sla::contract
