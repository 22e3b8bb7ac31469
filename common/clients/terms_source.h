// The terms in force for a contract and the contracts in force, as the services' use cases
// depend on them: contract-svc over gRPC in production (contract_terms.h), fakes in app tests.
// Free of gRPC, so app/ layers can take them.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sla/v1/terms.pb.h"

namespace sla::clients {

struct ResolvedVersion {
  std::string name;  // customers/{c}/contracts/{k}/versions/{n}
  sla::v1::SlaTerms terms;
  absl::Time effective_from;
  absl::Time effective_until = absl::InfiniteFuture();
};

// Where terms come from: contract-svc over gRPC in production.
class TermsSource {
 public:
  virtual ~TermsSource() = default;
  // The version of `contract` in force at `at`; NOT_FOUND / FAILED_PRECONDITION as
  // contract-svc answers.
  virtual absl::StatusOr<ResolvedVersion> Resolve(const std::string& contract, absl::Time at) = 0;
  // One version by name (`{contract}/versions/{n}`), whether in force now or not (a ticket's
  // events are measured by the version it was opened under, also after a termination).
  virtual absl::StatusOr<ResolvedVersion> ResolveVersion(const std::string& contract,
                                                         const std::string& version) = 0;
};

// The contracts in force (for schedulers that act on every contract).
class ContractDirectory {
 public:
  virtual ~ContractDirectory() = default;
  // Names of every ACTIVE contract, `customers/{c}/contracts/{k}`.
  virtual absl::StatusOr<std::vector<std::string>> ActiveContracts() = 0;
  struct Terminated {
    std::string name;
    absl::Time termination_time;
  };
  // Every TERMINATED contract whose termination takes effect at or after `since` (they still
  // have periods to bill).
  virtual absl::StatusOr<std::vector<Terminated>> TerminatedContracts(absl::Time since) = 0;
};

}  // namespace sla::clients
