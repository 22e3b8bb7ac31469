#include "common/clients/api_key_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace sla::clients {

namespace cpb = sla::contract::v1;

ContractApiKeyResolver::ContractApiKeyResolver(std::shared_ptr<grpc::Channel> channel,
                                               server::JwtConfig jwt, std::string service_name)
    : stub_(cpb::ContractService::NewStub(std::move(channel))),
      token_(std::move(jwt), std::move(service_name)) {}

absl::StatusOr<server::ApiKeyIdentity> ContractApiKeyResolver::Resolve(absl::string_view secret,
                                                                       absl::Time) {
  SLA_ASSIGN_OR_RETURN(std::string token, token_.Get());
  grpc::ClientContext ctx;
  PrepareCall(ctx, token, absl::Seconds(2));
  cpb::AuthenticateApiKeyRequest req;
  req.set_secret(std::string(secret));
  cpb::AuthenticateApiKeyResponse resp;
  const grpc::Status s = stub_->AuthenticateApiKey(&ctx, req, &resp);
  // NOT_FOUND is contract-svc's answer about the key; anything else says nothing about it
  // (UNAUTHENTICATED would be this service's own token refused) and is not cached.
  if (s.error_code() == grpc::StatusCode::NOT_FOUND)
    return absl::UnauthenticatedError(s.error_message());
  if (!s.ok())
    return absl::UnavailableError(absl::StrCat("AuthenticateApiKey: ", s.error_message()));
  server::ApiKeyIdentity out;
  out.identity.subject = resp.subject();
  out.identity.tenant = resp.tenant();
  out.identity.roles = {resp.roles().begin(), resp.roles().end()};
  if (resp.has_expire_time()) out.expires = absl::FromUnixSeconds(resp.expire_time().seconds());
  return out;
}

}  // namespace sla::clients
