// `sla`: the suite's command-line tool.
//
//   sla token --key_file .local/secrets/jwt-hs256.key --sub alice --roles msp_admin [--tenant c1]
//   sla health --target 127.0.0.1:50051 [--service sla.contract.v1.ContractService]
//
// `token` mints a development bearer token; `health` exits 0 only if the target is SERVING.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/server/auth.h"
#include "common/server/raw_client.h"

ABSL_FLAG(std::string, key_file, ".local/secrets/jwt-hs256.key", "token: HS256 key file.");
ABSL_FLAG(std::string, sub, "dev", "token: subject.");
ABSL_FLAG(std::string, tenant, "", "token: tenant (customer id); empty for MSP staff.");
ABSL_FLAG(std::string, roles, "msp_admin", "token: comma-separated roles.");
ABSL_FLAG(int, ttl_minutes, 60, "token: minutes the token is valid.");
ABSL_FLAG(std::string, issuer, "sla-platform", "token: issuer.");
ABSL_FLAG(std::string, audience, "sla-platform", "token: audience.");
ABSL_FLAG(std::string, target, "127.0.0.1:50051", "health: host:port.");
ABSL_FLAG(std::string, service, "", "health: service name; empty = the whole server.");
ABSL_FLAG(int, timeout_seconds, 2, "health: deadline.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("sla token|health [flags]: the SLA platform's CLI");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string cmd = args.size() > 1 ? args[1] : "";
  if (cmd == "token") {
    auto key = sla::server::ReadSecretFile(absl::GetFlag(FLAGS_key_file));
    if (!key.ok()) {
      std::cerr << key.status() << "\n";
      return 2;
    }
    sla::server::JwtConfig config{*key, absl::GetFlag(FLAGS_issuer), absl::GetFlag(FLAGS_audience)};
    sla::server::Identity id{absl::GetFlag(FLAGS_sub), absl::GetFlag(FLAGS_tenant),
                             absl::StrSplit(absl::GetFlag(FLAGS_roles), ',', absl::SkipEmpty())};
    auto token = sla::server::MintToken(config, id, absl::Now(),
                                        absl::Minutes(absl::GetFlag(FLAGS_ttl_minutes)));
    if (!token.ok()) {
      std::cerr << token.status() << "\n";
      return 2;
    }
    std::cout << *token << "\n";
    return 0;
  }
  if (cmd == "health") {
    auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials());
    auto serving = sla::server::CheckServing(channel, absl::GetFlag(FLAGS_service),
                                             absl::Seconds(absl::GetFlag(FLAGS_timeout_seconds)));
    if (!serving.ok()) {
      std::cout << "UNREACHABLE " << serving.status() << "\n";
      return 1;
    }
    std::cout << (*serving ? "SERVING" : "NOT_SERVING") << "\n";
    return *serving ? 0 : 1;
  }
  std::cerr << "usage: sla token|health [flags]  (sla --help for the flags)\n";
  return 2;
}
