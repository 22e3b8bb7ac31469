#include "common/clients/service_token.h"

#include "absl/strings/str_cat.h"
#include "common/server/call_origin.h"
#include "common/status/status_macros.h"

namespace sla::clients {

ServiceToken::ServiceToken(server::JwtConfig jwt, std::string service_name,
                           std::function<absl::Time()> clock)
    : jwt_(std::move(jwt)), service_name_(std::move(service_name)), clock_(std::move(clock)) {}

absl::StatusOr<std::string> ServiceToken::Get() {
  constexpr absl::Duration kTtl = absl::Minutes(10);
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  if (now + absl::Minutes(1) < expiry_) return token_;
  SLA_ASSIGN_OR_RETURN(token_,
                       server::MintToken(jwt_, {service_name_, "", {"service"}}, now, kTtl));
  expiry_ = now + kTtl;
  return token_;
}

void PrepareCall(grpc::ClientContext& ctx, absl::string_view token, absl::Duration cap) {
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  server::PrepareOutgoing(ctx, cap);
}

}  // namespace sla::clients
