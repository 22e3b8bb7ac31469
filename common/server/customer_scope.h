// Which customers' rows a query may return. Every storage query that a customer role can
// reach takes a CustomerScope instead of a bare customer id, so "every customer" cannot come
// from an empty string: it exists only for a caller whose role reads every customer (or for
// the service's own workers, which say so by name). Header-only and free of gRPC, so storage
// layers can take it.
#pragma once

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/server/access.h"
#include "common/server/identity.h"
#include "common/status/errors.h"

namespace sla::server {

class CustomerScope {
 public:
  // The rows `who` may list under a parent that names `requested` (a customer id; empty for
  // `customers/-`, "all I may read"). Staff and systems: that customer, or every customer.
  // Customer roles: their own customer, whatever `customers/-` would mean for staff;
  // NOT_FOUND(`parent_name`) when `requested` is another customer. PERMISSION_DENIED "no role
  // that reads <what>" for a caller with neither kind of role, and for a customer role without
  // a tenant (authentication refuses those tokens; this holds even if a verifier did not).
  static absl::StatusOr<CustomerScope> ForCaller(const Identity& who, const std::string& requested,
                                                 absl::string_view parent_name,
                                                 absl::string_view what) {
    if (ReadsAllCustomers(who)) return CustomerScope(requested);
    if (!IsCustomerRole(who) || who.tenant.empty())
      return PermissionDenied(absl::StrCat("no role that reads ", what));
    if (!requested.empty() && requested != who.tenant) return NotFound(std::string(parent_name));
    return CustomerScope(who.tenant);
  }
  // Exactly one customer; INVALID_ARGUMENT for an empty id.
  static absl::StatusOr<CustomerScope> One(std::string customer_id) {
    if (customer_id.empty())
      return absl::InvalidArgumentError("a customer scope needs a customer id");
    return CustomerScope(std::move(customer_id));
  }
  // Every customer, for a service's own background work (no caller is behind it).
  static CustomerScope AllForSystemWork() { return CustomerScope(""); }

  // A filter that names one customer's resource (`contract = customers/B/contracts/X`) binds
  // the rows to B as well: every customer becomes B; B within another customer's scope is
  // NOT_FOUND(`name`), so a filter never widens what a parent allows nor matches another
  // customer's object that happens to share an id.
  absl::Status NarrowTo(const std::string& customer_id, absl::string_view name) {
    if (all()) {
      if (customer_id.empty())
        return absl::InvalidArgumentError("a customer scope needs a customer id");
      customer_id_ = customer_id;
      return absl::OkStatus();
    }
    return customer_id == customer_id_ ? absl::OkStatus() : NotFound(std::string(name));
  }

  bool all() const { return customer_id_.empty(); }
  // The customer every row must belong to; empty only when all().
  const std::string& customer_id() const { return customer_id_; }

 private:
  explicit CustomerScope(std::string customer_id) : customer_id_(std::move(customer_id)) {}
  std::string customer_id_;
};

}  // namespace sla::server
