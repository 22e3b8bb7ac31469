// The terms in force for a contract, from contract-svc's ResolveTerms: the interface services
// depend on, and its gRPC implementation, which calls with the service's own identity (a
// short-lived token with role `service` it mints itself), never with a user's token.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clients/service_token.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
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

class ContractTermsSource final : public TermsSource, public ContractDirectory {
 public:
  using Terminated = ContractDirectory::Terminated;
  // `service_name` is the subject of the service token (e.g. "ticket-svc").
  ContractTermsSource(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                      std::string service_name);
  absl::StatusOr<ResolvedVersion> Resolve(const std::string& contract, absl::Time at) override;
  absl::StatusOr<ResolvedVersion> ResolveVersion(const std::string& contract,
                                                 const std::string& version) override;
  absl::StatusOr<std::vector<std::string>> ActiveContracts() override;
  absl::StatusOr<std::vector<Terminated>> TerminatedContracts(absl::Time since) override;

 private:
  std::unique_ptr<sla::contract::v1::ContractService::Stub> stub_;
  // Real time: the token is checked by another process.
  ServiceToken token_;

  absl::StatusOr<ResolvedVersion> Call(const sla::contract::v1::ResolveTermsRequest& req);
  // ListContracts with `filter`, every page.
  absl::StatusOr<std::vector<sla::contract::v1::Contract>> List(const std::string& filter);
};

}  // namespace sla::clients
