// The authenticated caller, as the RPC boundary hands it to use cases. Header-only and free
// of gRPC, so app/ layers can take it.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sla::server {

// The roles the suite knows (docs/security.md).
inline constexpr const char* kKnownRoles[] = {"msp_admin",     "msp_agent",      "customer_admin",
                                              "customer_user", "billing_system", "service"};

struct Identity {
  std::string subject;
  std::string tenant;  // customer id; empty = not bound to a customer
  std::vector<std::string> roles;
  // When the credential stops being valid (a token's `exp`): long-lived streams end then.
  absl::Time expires = absl::InfiniteFuture();

  bool HasRole(absl::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  bool HasAnyRole(std::initializer_list<absl::string_view> wanted) const {
    return std::any_of(wanted.begin(), wanted.end(),
                       [&](absl::string_view r) { return HasRole(r); });
  }
};

}  // namespace sla::server
