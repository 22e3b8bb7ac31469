// The terms in force for a contract, from contract-svc's ResolveTerms: the gRPC implementation
// of the interfaces in terms_source.h, which calls with the service's own identity (a
// short-lived token with role `service` it mints itself), never with a user's token.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clients/service_token.h"
#include "common/clients/terms_source.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "sla/v1/terms.pb.h"

namespace sla::clients {

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
