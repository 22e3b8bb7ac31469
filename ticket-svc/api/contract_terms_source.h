// TermsSource over gRPC: contract-svc's ResolveTerms, called with ticket-svc's own service
// identity (a short-lived token it mints with role `service`), never with a user's token.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/server/auth.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "ticket-svc/app/terms_cache.h"

namespace sla::ticket {

class ContractTermsSource final : public TermsSource {
 public:
  ContractTermsSource(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                      std::function<absl::Time()> clock);
  absl::StatusOr<ResolvedVersion> Resolve(const std::string& contract, absl::Time at) override;

 private:
  absl::StatusOr<std::string> Token();
  std::unique_ptr<sla::contract::v1::ContractService::Stub> stub_;
  const server::JwtConfig jwt_;
  std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time token_expiry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace sla::ticket
