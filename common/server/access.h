// The tenant rule every service applies: the MSP's staff and systems (msp_admin, msp_agent,
// service, billing_system) read every customer's resources; customer_admin and customer_user
// read their own customer's only and get NOT_FOUND for anyone else's, so another tenant's
// existence is not revealed. docs/security.md holds the full matrix.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/server/identity.h"
#include "common/status/errors.h"

namespace sla::server {

inline bool IsCustomerRole(const Identity& c) {
  return c.HasAnyRole({"customer_admin", "customer_user"});
}

inline bool HasStaffRole(const Identity& c) {
  return c.HasAnyRole({"msp_admin", "msp_agent", "service", "billing_system"});
}

// A staff or system role and no customer role: an identity that mixes both is treated as a
// customer (authentication refuses such tokens; this keeps a mistake from widening access).
inline bool ReadsAllCustomers(const Identity& c) { return HasStaffRole(c) && !IsCustomerRole(c); }

// OK if `caller` may read resources of `customer_id`; NOT_FOUND(`name`) for another tenant;
// PERMISSION_DENIED "no role that reads <what>" for a caller with neither kind of role.
inline absl::Status RequireReadAccess(const Identity& c, const std::string& customer_id,
                                      const std::string& name, absl::string_view what) {
  if (ReadsAllCustomers(c)) return absl::OkStatus();
  if (IsCustomerRole(c))
    return !c.tenant.empty() && c.tenant == customer_id ? absl::OkStatus() : NotFound(name);
  return PermissionDenied(absl::StrCat("no role that reads ", what));
}

}  // namespace sla::server
