// Storage of contracts and their versions, in domain terms.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/request_key.h"
#include "common/server/customer_scope.h"
#include "contract-svc/domain/contract.h"

namespace sla::contract {

// A version with the instant the next version took effect (unset for the latest).
struct ResolvedVersion {
  ContractVersion version;
  std::optional<absl::Time> effective_until;
};

// What an update may do besides changing the contract row: append the next version.
struct ContractMutation {
  std::optional<ContractVersion> latest;       // in: the latest version, if any
  std::optional<ContractVersion> new_version;  // out: appended atomically when set
};

class ContractRepository {
 public:
  virtual ~ContractRepository() = default;
  // Inserts a draft (FAILED_PRECONDITION if the customer does not exist), or returns the
  // contract an earlier request with `request_id` created.
  virtual absl::StatusOr<Contract> Create(const Contract& c, const api::RequestKey& request_id,
                                          const std::string& caller) = 0;
  virtual absl::StatusOr<Contract> Get(const std::string& customer_id, const std::string& id) = 0;
  // Ordered by id; `scope` bounds the customers; `state` unset = any; at most `limit` + 1.
  virtual absl::StatusOr<std::vector<Contract>> List(const server::CustomerScope& scope,
                                                     std::optional<Contract::State> state,
                                                     const std::string& after_id, int limit) = 0;
  // Read (with its latest version), mutate, write with version + 1, atomically.
  virtual absl::StatusOr<Contract> Update(
      const std::string& customer_id, const std::string& id,
      const std::function<absl::Status(Contract&, ContractMutation&)>& mutate, absl::Time now) = 0;
  // The version in force at `t` (greatest effective_from ≤ t), or nullopt.
  virtual absl::StatusOr<std::optional<ResolvedVersion>> VersionAt(const std::string& customer_id,
                                                                   const std::string& id,
                                                                   absl::Time t) = 0;
  virtual absl::StatusOr<ContractVersion> GetVersion(const std::string& customer_id,
                                                     const std::string& id, int version) = 0;
};

}  // namespace sla::contract
