// ContractRepository on MariaDB (tables `contracts`, `contract_versions`, migration V0004).
#pragma once

#include "common/api/request_key.h"
#include "common/mysql/connection_pool.h"
#include "contract-svc/storage/contract_repository.h"

namespace sla::contract {

class MySqlContractRepository final : public ContractRepository {
 public:
  explicit MySqlContractRepository(mysql::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<Contract> Create(const Contract& c, const api::RequestKey& request_id,
                                  const std::string& caller) override;
  absl::StatusOr<Contract> Get(const std::string& customer_id, const std::string& id) override;
  absl::StatusOr<std::vector<Contract>> List(const server::CustomerScope& scope,
                                             std::optional<Contract::State> state,
                                             const std::string& after_id, int limit) override;
  absl::StatusOr<Contract> Update(
      const std::string& customer_id, const std::string& id,
      const std::function<absl::Status(Contract&, ContractMutation&)>& mutate,
      absl::Time now) override;
  absl::StatusOr<std::optional<ResolvedVersion>> VersionAt(const std::string& customer_id,
                                                           const std::string& id,
                                                           absl::Time t) override;
  absl::StatusOr<ContractVersion> GetVersion(const std::string& customer_id, const std::string& id,
                                             int version) override;

 private:
  mysql::ConnectionPool* pool_;
};

}  // namespace sla::contract
