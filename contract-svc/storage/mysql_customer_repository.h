// CustomerRepository on MariaDB (table `customers`, migrations V0002).
#pragma once

#include "common/api/request_key.h"
#include "common/mysql/connection_pool.h"
#include "contract-svc/storage/customer_repository.h"

namespace sla::contract {

class MySqlCustomerRepository final : public CustomerRepository {
 public:
  explicit MySqlCustomerRepository(mysql::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<Customer> Create(const Customer& c, const api::RequestKey& request_id,
                                  const std::string& caller) override;
  absl::StatusOr<Customer> Get(const std::string& id) override;
  absl::StatusOr<std::vector<Customer>> List(const CustomerQuery& q) override;
  absl::StatusOr<Customer> Update(const std::string& id,
                                  const std::function<absl::Status(Customer&)>& mutate,
                                  absl::Time now) override;

 private:
  mysql::ConnectionPool* pool_;
};

}  // namespace sla::contract
