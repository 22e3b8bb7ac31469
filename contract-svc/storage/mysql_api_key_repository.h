// ApiKeyRepository on MariaDB (table `api_keys`, migration V0007).
#pragma once

#include "common/mysql/connection_pool.h"
#include "contract-svc/storage/api_key_repository.h"

namespace sla::contract {

class MySqlApiKeyRepository final : public ApiKeyRepository {
 public:
  explicit MySqlApiKeyRepository(mysql::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<std::optional<std::string>> Create(const ApiKey& k,
                                                    const api::RequestKey& request_id,
                                                    const std::string& caller) override;
  absl::StatusOr<ApiKey> Get(const std::string& id) override;
  absl::StatusOr<std::vector<ApiKey>> List(const ApiKeyQuery& q) override;
  absl::StatusOr<ApiKey> Update(const std::string& id,
                                const std::function<absl::Status(ApiKey&)>& mutate,
                                absl::Time now) override;

 private:
  mysql::ConnectionPool* pool_;
};

}  // namespace sla::contract
