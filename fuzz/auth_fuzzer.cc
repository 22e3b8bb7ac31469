// What every request meets before a handler: the bearer token check, the generic request
// bounds, and the JWKS key files a deployment may be given. The first byte picks the target;
// the rest is the input: a token (HS256 and RS256 verifiers), a serialized CreateContractRequest
// (the largest request) for the bounds, or a JWKS document. Each may only refuse as documented:
// UNAUTHENTICATED for tokens, INVALID_ARGUMENT for bounds and key sets.
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "common/server/auth.h"
#include "common/server/jwks.h"
#include "common/server/request_limits.h"
#include "sla/contract/v1/contract_service.pb.h"

namespace {

void Require(const absl::Status& s, absl::StatusCode allowed) {
  if (!s.ok() && s.code() != allowed) __builtin_trap();
}

const sla::server::JwtVerifier& Hs256() {
  static const auto* v = new sla::server::JwtVerifier(
      *sla::server::JwtVerifier::Create({std::string(32, 'k'), "sla-platform", "sla-platform"}));
  return *v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      const absl::StatusOr<sla::server::Identity> id = Hs256().Verify(input, absl::FromUnixSeconds(1'790'000'000));
      Require(id.status(), absl::StatusCode::kUnauthenticated);
      break;
    }
    case 1: {
      sla::contract::v1::CreateContractRequest req;
      if (!req.ParseFromString(input)) return 0;
      sla::server::RequestLimits small;
      small.max_request_bytes = 4096;
      small.max_string_bytes = 64;
      small.max_list_items = 4;
      small.max_depth = 4;
      Require(sla::server::CheckRequest(req, small), absl::StatusCode::kInvalidArgument);
      Require(sla::server::CheckRequest(req, {}), absl::StatusCode::kInvalidArgument);
      break;
    }
    default: {
      const absl::StatusOr<std::string> pem = sla::server::JwksToPem(input);
      Require(pem.status(), absl::StatusCode::kInvalidArgument);
      if (pem.ok()) {
        sla::server::JwtConfig c{"", "sla-platform", "sla-platform"};
        c.algorithm = sla::server::JwtAlgorithm::kRs256;
        c.public_key_pem = *pem;
        Require(sla::server::JwtVerifier::Create(c).status(), absl::StatusCode::kInvalidArgument);
      }
      break;
    }
  }
  return 0;
}
