// Who may read and change contract-svc's resources (docs/security.md will hold the matrix):
// msp_admin changes; msp_admin, msp_agent, service and billing_system read everything;
// customer_admin and customer_user read their own customer's resources only, and get
// NOT_FOUND for anyone else's, so another tenant's existence is not revealed.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/server/identity.h"
#include "common/status/errors.h"

namespace sla::contract {

inline bool ReadsAllCustomers(const server::Identity& c) {
  return c.HasAnyRole({"msp_admin", "msp_agent", "service", "billing_system"});
}

inline bool IsCustomerRole(const server::Identity& c) {
  return c.HasAnyRole({"customer_admin", "customer_user"});
}

inline absl::Status RequireMspAdmin(const server::Identity& c, const char* what) {
  if (!c.HasRole("msp_admin")) return PermissionDenied(std::string("only msp_admin may change ") + what);
  return absl::OkStatus();
}

// OK if `caller` may read resources of `customer_id`; NOT_FOUND(`name`) for another tenant.
inline absl::Status RequireReadAccess(const server::Identity& c, const std::string& customer_id,
                                      const std::string& name) {
  if (ReadsAllCustomers(c)) return absl::OkStatus();
  if (IsCustomerRole(c)) return c.tenant == customer_id ? absl::OkStatus() : NotFound(name);
  return PermissionDenied("no role that reads this resource");
}

}  // namespace sla::contract
