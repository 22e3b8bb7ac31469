// The other services' way to accept API keys: contract-svc's AuthenticateApiKey, called with
// the service's own identity. The RPC boundary caches the answers (server::ApiKeyVerifier).
#pragma once

#include <memory>
#include <string>

#include "common/clients/service_token.h"
#include "common/server/api_key.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"

namespace sla::clients {

class ContractApiKeyResolver final : public server::ApiKeyResolver {
 public:
  // `service_name` is the subject of the service token (e.g. "ticket-svc").
  ContractApiKeyResolver(std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
                         std::string service_name);
  absl::StatusOr<server::ApiKeyIdentity> Resolve(absl::string_view secret, absl::Time now) override;

 private:
  std::unique_ptr<sla::contract::v1::ContractService::Stub> stub_;
  ServiceToken token_;
};

}  // namespace sla::clients
