// Who may do what to tickets and outages (the rules in ticket_manager.h), for every use case
// class of ticket-svc.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/server/access.h"
#include "common/server/identity.h"

namespace sla::ticket {

// MSP staff: work on every ticket and outage.
inline bool IsMsp(const server::Identity& w) { return w.HasAnyRole({"msp_admin", "msp_agent"}); }

// NOT_FOUND for another customer's ticket or outage `name`, PERMISSION_DENIED without a role
// that reads tickets.
inline absl::Status CanRead(const server::Identity& who, const std::string& customer,
                            const std::string& name) {
  return server::RequireReadAccess(who, customer, name, "tickets");
}

}  // namespace sla::ticket
