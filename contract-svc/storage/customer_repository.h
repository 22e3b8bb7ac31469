// Storage of customers, in domain terms. MySqlCustomerRepository implements it on MariaDB;
// use-case tests may substitute a fake.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/request_key.h"
#include "common/server/customer_scope.h"
#include "contract-svc/domain/customer.h"

namespace sla::contract {

struct CustomerQuery {
  std::optional<Customer::State> state;
  std::string name_contains;  // case-insensitive; empty = any
  explicit CustomerQuery(server::CustomerScope s) : scope(std::move(s)) {}
  server::CustomerScope scope;  // a customer role: its own customer only
  std::string after_id;         // keyset paging: ids strictly after this
  int limit = 50;
};

class CustomerRepository {
 public:
  virtual ~CustomerRepository() = default;

  // Inserts `c`, or, if `request_id` was used by `caller` before, returns the customer that
  // request created.
  virtual absl::StatusOr<Customer> Create(const Customer& c, const api::RequestKey& request_id,
                                          const std::string& caller) = 0;
  // NOT_FOUND if absent.
  virtual absl::StatusOr<Customer> Get(const std::string& id) = 0;
  // Ordered by id; at most `limit` + 1 rows so the caller can tell whether more follow.
  virtual absl::StatusOr<std::vector<Customer>> List(const CustomerQuery& q) = 0;
  // Reads the customer, applies `mutate` (which may fail, e.g. on a stale etag), and stores
  // the result with version + 1, atomically.
  virtual absl::StatusOr<Customer> Update(const std::string& id,
                                          const std::function<absl::Status(Customer&)>& mutate,
                                          absl::Time now) = 0;
};

}  // namespace sla::contract
