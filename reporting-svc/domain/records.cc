#include "reporting-svc/domain/records.h"

#include "common/status/status_macros.h"

namespace sla::reporting {

absl::StatusOr<QueryScope> QueryScope::Contract(server::CustomerScope customers,
                                                std::string contract_id) {
  if (customers.all() || contract_id.empty()) {
    return absl::InvalidArgumentError("a contract scope needs one customer and a contract id");
  }
  return QueryScope(std::move(customers), std::move(contract_id));
}

absl::StatusOr<QueryScope> QueryScope::ForSystemWork(const Scope& s) {
  if (s.customer_id.empty()) {
    if (!s.contract_id.empty()) return Contract(server::CustomerScope::AllForSystemWork(), "");
    return Customers(server::CustomerScope::AllForSystemWork());
  }
  SLA_ASSIGN_OR_RETURN(server::CustomerScope one, server::CustomerScope::One(s.customer_id));
  if (s.contract_id.empty()) return Customers(std::move(one));
  return Contract(std::move(one), s.contract_id);
}

}  // namespace sla::reporting
