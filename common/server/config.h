// Service configuration: command-line flags, each with an environment fallback.
//
// Every flag --name may instead come from the environment variable SLA_NAME (upper case); a
// flag given on the command line wins. `--help` lists them all. Secrets are never flags:
// --db_password_file and --jwt_key_file name files (Kubernetes mounts Secrets as files).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"
#include "common/server/auth.h"

namespace sla::server {

// The default receive limit. gRPC parses a request before anything authenticates it, and a
// message of empty submessages costs up to about 78 bytes of memory per wire byte once parsed
// (protobuf 3.21): 128 KiB is 10 MiB per call, 640 MiB for 64 calls at once, while the largest
// realistic request (a contract's terms) is a few KiB. docs/security.md has the measurements.
inline constexpr int kDefaultMaxMessageBytes = 128 << 10;

struct ServerConfig {
  std::string host;
  int port = 0;  // 0 after parsing means "let the OS pick" (tests)
  mysql::ConnectionOptions db;
  std::string jwt_key_file;
  JwtAlgorithm jwt_algorithm = JwtAlgorithm::kHs256;
  absl::Duration jwt_key_reload = absl::Seconds(30);  // 0: never re-read --jwt_key_file
  absl::Duration api_key_cache = absl::Seconds(30);   // how long an API key's answer is kept
  ClaimMapping jwt_claims;           // --jwt_roles_claim, --jwt_tenant_claim, --jwt_role_map
  std::string jwt_signing_key_file;  // RS256/ES256: the private key of the service's own calls
  std::string jwt_issuer;
  std::string jwt_audience;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  bool allow_insecure_non_loopback = false;
  absl::Duration drain_timeout = absl::Seconds(10);
  int max_threads = 64;
  int max_message_bytes = kDefaultMaxMessageBytes;
  bool migrate_only = false;  // apply migrations, then exit
  bool allow_non_durable_db = false;
  unsigned int tls_reload_seconds = 60;  // how often TLS certificate files are re-read
  int health_port = 0;                   // plaintext health-only listener; 0 = none
  // Calls to the other services: TLS when a CA is set, with a client certificate when set.
  std::string peer_tls_ca_file;
  std::string peer_tls_cert_file;
  std::string peer_tls_key_file;
};

// Parses the command line (after applying environment fallbacks) and returns the positional
// arguments. Exits on --help or a malformed flag, as absl::ParseCommandLine does.
// `extra_flags` names a service's own flags that take the same environment fallback.
std::vector<char*> ParseFlagsWithEnv(int argc, char** argv, const std::string& usage,
                                     const std::vector<std::string>& extra_flags = {});

// Builds the configuration from the parsed flags; a flag left at its "service default" takes
// `default_port` / `default_database`. INVALID_ARGUMENT names the bad flag.
absl::StatusOr<ServerConfig> ConfigFromFlags(int default_port, const std::string& default_database);

// The environment variable that stands in for a flag: "db_host" → "SLA_DB_HOST".
std::string EnvNameForFlag(const std::string& flag);

}  // namespace sla::server
