// Storage of API keys, in domain terms. MySqlApiKeyRepository implements it on MariaDB.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/request_key.h"
#include "contract-svc/domain/api_key.h"

namespace sla::contract {

struct ApiKeyQuery {
  std::optional<ApiKey::State> state;
  std::optional<std::string> customer_id;  // "" = keys of no customer (staff roles)
  std::string after_id;                    // keyset paging: ids strictly after this
  int limit = 50;
};

class ApiKeyRepository {
 public:
  virtual ~ApiKeyRepository() = default;
  // Inserts `k`. If `request_id` was used by `caller` before, nothing is inserted and the
  // name of the key that request created is returned instead.
  virtual absl::StatusOr<std::optional<std::string>> Create(const ApiKey& k,
                                                            const api::RequestKey& request_id,
                                                            const std::string& caller) = 0;
  // NOT_FOUND if absent.
  virtual absl::StatusOr<ApiKey> Get(const std::string& id) = 0;
  // Ordered by id; at most `limit` + 1 rows.
  virtual absl::StatusOr<std::vector<ApiKey>> List(const ApiKeyQuery& q) = 0;
  // Reads the key, applies `mutate`, stores it with version + 1, atomically.
  virtual absl::StatusOr<ApiKey> Update(const std::string& id,
                                        const std::function<absl::Status(ApiKey&)>& mutate,
                                        absl::Time now) = 0;
};

}  // namespace sla::contract
