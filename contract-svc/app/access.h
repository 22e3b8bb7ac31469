// Who may read and change contract-svc's resources (docs/security.md will hold the matrix):
// msp_admin changes; msp_admin, msp_agent, service and billing_system read everything;
// customer_admin and customer_user read their own customer's resources only, and get
// NOT_FOUND for anyone else's, so another tenant's existence is not revealed.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/server/access.h"
#include "common/server/identity.h"
#include "common/status/errors.h"

namespace sla::contract {

using server::IsCustomerRole;
using server::ReadsAllCustomers;

inline absl::Status RequireMspAdmin(const server::Identity& c, const char* what) {
  if (!c.HasRole("msp_admin"))
    return PermissionDenied(std::string("only msp_admin may change ") + what);
  return absl::OkStatus();
}

// OK if `caller` may read resources of `customer_id`; NOT_FOUND(`name`) for another tenant.
inline absl::Status RequireReadAccess(const server::Identity& c, const std::string& customer_id,
                                      const std::string& name) {
  return server::RequireReadAccess(c, customer_id, name, "this resource");
}

}  // namespace sla::contract
