// A service's own identity towards the other services: a short-lived token with role
// `service`, minted with the signing key and renewed a minute before it expires. Services
// never forward a user's token.
#pragma once

#include <grpcpp/client_context.h>

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/auth.h"

namespace sla::clients {

class ServiceToken {
 public:
  // `clock` stamps the tokens: the time the called service checks them against.
  ServiceToken(
      server::JwtConfig jwt, std::string service_name,
      std::function<absl::Time()> clock = [] { return absl::Now(); });
  // The bearer token to send (without "Bearer ").
  absl::StatusOr<std::string> Get();
  const std::string& service_name() const { return service_name_; }

 private:
  const server::JwtConfig jwt_;
  const std::string service_name_;
  const std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time expiry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// Every call to another service is prepared here: the service's bearer `token`, and a deadline
// of at most `cap`, sooner if the call being served has less time left, with its request id and
// trace (server::PrepareOutgoing).
void PrepareCall(grpc::ClientContext& ctx, absl::string_view token, absl::Duration cap);

}  // namespace sla::clients
