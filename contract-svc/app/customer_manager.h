// Use cases of customers: who may do what, validation, ids, etags, paging.
//
// Authorization: msp_admin creates and updates; msp_admin, msp_agent, service and
// billing_system read every customer; customer_admin and customer_user read only their own
// (the token's tenant) and get NOT_FOUND for any other, so another tenant's existence is not
// revealed. Permission is checked before validation.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/request_key.h"
#include "common/server/identity.h"
#include "contract-svc/domain/customer.h"
#include "contract-svc/storage/customer_repository.h"

namespace sla::contract {

class CustomerManager {
 public:
  CustomerManager(CustomerRepository* repo, std::function<absl::Time()> clock,
                  std::function<std::string()> new_id);

  absl::StatusOr<Customer> Create(const server::Identity& caller, Customer input,
                                  const api::RequestKey& request_id);
  absl::StatusOr<Customer> Get(const server::Identity& caller, const std::string& name);

  struct Page {
    std::vector<Customer> customers;
    std::string next_page_token;
  };
  absl::StatusOr<Page> List(const server::Identity& caller, int page_size,
                            const std::string& page_token, const std::string& filter);

  // Applies the fields of `patch` named in `mask` (display_name, time_zone, state) if
  // `patch.etag()` matches; ABORTED on a stale etag.
  absl::StatusOr<Customer> Update(const server::Identity& caller, const std::string& name,
                                  const std::string& etag, const Customer& patch,
                                  const std::vector<std::string>& mask);

 private:
  CustomerRepository* repo_;
  std::function<absl::Time()> clock_;
  std::function<std::string()> new_id_;
};

}  // namespace sla::contract
