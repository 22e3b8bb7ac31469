#include "contract-svc/domain/api_key.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"

namespace sla::contract {
namespace {

bool IsCustomerRole(const std::string& r) { return r == "customer_admin" || r == "customer_user"; }

}  // namespace

absl::Status ValidateApiKey(const ApiKey& k, absl::Time now) {
  if (absl::StripAsciiWhitespace(k.display_name).empty())
    return InvalidField("api_key.display_name", "is required");
  if (k.display_name.size() > 200)
    return InvalidField("api_key.display_name", "at most 200 characters");
  if (k.roles.empty()) return InvalidField("api_key.roles", "name at least one role");
  std::set<std::string> seen;
  bool customer = false, staff = false;
  for (size_t i = 0; i < k.roles.size(); ++i) {
    const std::string& r = k.roles[i];
    const std::string field = absl::StrCat("api_key.roles[", i, "]");
    if (std::find(std::begin(kApiKeyRoles), std::end(kApiKeyRoles), r) == std::end(kApiKeyRoles)) {
      return InvalidField(field, absl::StrCat("`", r, "` is not a role a key may have; use one of ",
                                              absl::StrJoin(kApiKeyRoles, ", ")));
    }
    if (!seen.insert(r).second)
      return InvalidField(field, absl::StrCat("`", r, "` is named twice"));
    (IsCustomerRole(r) ? customer : staff) = true;
  }
  if (customer && staff)
    return InvalidField("api_key.roles", "a key has customer roles or staff roles, not both");
  if (customer && k.customer_id.empty())
    return InvalidField("api_key.customer", "is required for customer roles");
  if (!customer && !k.customer_id.empty()) {
    return InvalidField("api_key.customer",
                        "must be empty for staff roles (they read every customer)");
  }
  if (k.expire_time && *k.expire_time <= now)
    return InvalidField("api_key.expire_time", "must be in the future");
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseApiKeyName(absl::string_view name, absl::string_view field) {
  absl::string_view id = name;
  bool ok = absl::ConsumePrefix(&id, "apiKeys/") && !id.empty() && id.size() <= 63;
  for (char ch : id) ok = ok && (absl::ascii_islower(ch) || absl::ascii_isdigit(ch) || ch == '-');
  if (!ok) return InvalidField(field, "must be `apiKeys/{api_key}`");
  return std::string(id);
}

absl::StatusOr<std::optional<absl::Time>> ApiKeyValidUntil(const ApiKey& k, bool matches_current,
                                                           bool matches_previous, absl::Time now) {
  if (k.state == ApiKey::State::kRevoked)
    return absl::UnauthenticatedError("the API key was revoked");
  if (k.expire_time && *k.expire_time <= now)
    return absl::UnauthenticatedError("the API key expired");
  std::optional<absl::Time> until = k.expire_time;
  if (matches_current) return until;
  if (matches_previous && k.previous_secret_expire_time && now < *k.previous_secret_expire_time) {
    return until ? std::min(*until, *k.previous_secret_expire_time)
                 : *k.previous_secret_expire_time;
  }
  if (matches_previous)
    return absl::UnauthenticatedError("the API key was rotated; use its new secret");
  return absl::UnauthenticatedError("unknown API key");
}

}  // namespace sla::contract
