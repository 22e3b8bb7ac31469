// What every request meets before a handler: the bearer token check, the generic request
// bounds, and the JWKS key files a deployment may be given. The first byte picks the target;
// the rest is the input: a token (HS256, RS256 and ES256 verifiers), a serialized
// CreateContractRequest (the largest request) for the bounds, or a JWKS document. Each may only
// refuse as documented: UNAUTHENTICATED for tokens, INVALID_ARGUMENT for bounds and key sets.
// The RS256 and ES256 public keys below are test keys of this fuzzer; the seed tokens in
// fuzz/corpus/auth_fuzzer/ are signed with their private halves, so that the claims checks
// after the signature are reached (one verifier binds the RS256 key to ticket-svc).
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

constexpr char kRsaPublic[] = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtKy9JF9931LJFNI/EEy7
+LNAa272zpicXeVaxZpLyVEWOfIBi0L4swXhiuhWHK3K2I9epQES9FBvbhrcZqX6
luXKY6G4gU84SJJlEe6KMEY4wMYnx6B6VKDqo1ud959mc6qOebqYKi7MRuiAa7bh
9RTkkjhfC5xXe89k4YV94/ZHdEDk5D80Qz/W2LS1NEfVkXsrmaUnuPpnRNaTyAva
MGnwewxtrWKoJ++I9c7glk7AoF9zKT5fnUUry4yEp7UEDuCxkuIC0v0qJROoY81u
VTg7FEQAfecKnfYM+1twNlyly8amxGMEZsEJPmwdrAc7dUwd+kVJdAiiSDJt1Zfa
GQIDAQAB
-----END PUBLIC KEY-----)";
constexpr char kEcPublic[] = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/6J+8EZ+RwO6WROK0K4AVFHdf4ax
kLnSlq2MUsRKLqYgcdTrEeK6s7qMYaAiY69ZJ9pJ+mgYLukDryL53peBHg==
-----END PUBLIC KEY-----)";

const sla::server::JwtVerifier& Asymmetric(sla::server::JwtAlgorithm alg) {
  static const auto make = [](sla::server::JwtAlgorithm a, const std::string& pem) {
    sla::server::JwtConfig c{"", "sla-platform", "sla-platform"};
    c.algorithm = a;
    c.public_key_pem = pem;
    return new sla::server::JwtVerifier(*sla::server::JwtVerifier::Create(c));
  };
  static const auto* rs = make(sla::server::JwtAlgorithm::kRs256,
                               std::string("sla-service: ticket-svc\n") + kRsaPublic);
  static const auto* es = make(sla::server::JwtAlgorithm::kEs256, kEcPublic);
  return alg == sla::server::JwtAlgorithm::kRs256 ? *rs : *es;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      const absl::StatusOr<sla::server::Identity> id =
          Hs256().Verify(input, absl::FromUnixSeconds(1'790'000'000));
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
    case 3:
    case 4: {
      const auto alg =
          data[0] % 5 == 3 ? sla::server::JwtAlgorithm::kRs256 : sla::server::JwtAlgorithm::kEs256;
      const absl::StatusOr<sla::server::Identity> id =
          Asymmetric(alg).Verify(input, absl::FromUnixSeconds(1'790'000'000));
      Require(id.status(), absl::StatusCode::kUnauthenticated);
      // What passed has the one shape the services rely on.
      if (id.ok() && !sla::server::CheckIdentityShape(*id).ok()) __builtin_trap();
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
