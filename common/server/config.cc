#include "common/server/config.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/server/auth.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "Address to listen on.");
ABSL_FLAG(int, port, -1,
          "Port to listen on; -1 = the service's default (contract 50051, ticket 50052, billing "
          "50053, reporting 50054); 0 = any free port.");
ABSL_FLAG(std::string, db_host, "127.0.0.1", "MariaDB/MySQL host.");
ABSL_FLAG(int, db_port, 3306, "MariaDB/MySQL port.");
ABSL_FLAG(std::string, db_tls_ca, "",
          "PEM CA bundle of the database server: connect over TLS only, verifying its certificate "
          "and name (a database off the cluster). Empty: no TLS (loopback, socket, in-cluster).");
ABSL_FLAG(std::string, db_socket, "",
          "Unix-domain socket of a MariaDB on the same machine; when set, --db_host and --db_port "
          "are not used.");
ABSL_FLAG(std::string, db_user, "", "Database user (the service's own account).");
ABSL_FLAG(std::string, db_password_file, "", "File holding the database password.");
ABSL_FLAG(std::string, db_name, "",
          "Database name; empty = the service's default (sla_<service>).");
ABSL_FLAG(int, db_pool_size, 16, "Database connections in the pool.");
ABSL_FLAG(std::string, jwt_key_file, "",
          "File holding the key that verifies bearer tokens: the HS256 key, or the identity "
          "provider's PEM public key for RS256/ES256.");
ABSL_FLAG(
    std::string, jwt_algorithm, "",
    "The one algorithm tokens may use: HS256, RS256 or ES256. Required off loopback; on loopback "
    "it defaults to HS256 (local runs).");
ABSL_FLAG(int, api_key_cache_s, 30,
          "How long a service keeps contract-svc's answer about an API key (0..300); a revoked key "
          "stops working everywhere within this time.");
ABSL_FLAG(int, jwt_key_reload_s, 30,
          "Seconds between checks of --jwt_key_file for new keys (rotation without a restart); 0 = "
          "never.");
ABSL_FLAG(std::string, jwt_signing_key_file, "",
          "RS256/ES256: PEM private key this service signs its calls to the other services with "
          "(HS256 signs with --jwt_key_file).");
ABSL_FLAG(std::string, jwt_issuer, "sla-platform", "Required `iss` of bearer tokens.");
ABSL_FLAG(std::string, jwt_audience, "sla-platform", "Required `aud` of bearer tokens.");
ABSL_FLAG(
    std::string, jwt_roles_claim, "roles",
    "The claim of the identity provider's tokens that holds the roles (or groups): an array of "
    "strings or one space-separated string, e.g. groups or https://sla.example/roles.");
ABSL_FLAG(std::string, jwt_tenant_claim, "tenant",
          "The claim of the identity provider's tokens that holds a customer user's customer id.");
ABSL_FLAG(
    std::string, jwt_role_map, "",
    "How the provider's values become roles: comma-separated value=role pairs, e.g. "
    "msp-admins=msp_admin,acme-users=customer_user; unmapped values are ignored. Empty: the values "
    "are the role names.");
ABSL_FLAG(std::string, tls_cert_file, "", "PEM server certificate chain; enables TLS.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file.");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA bundle; when set, clients must present a certificate it signed (mTLS).");
ABSL_FLAG(bool, allow_insecure_non_loopback, false,
          "Allow plaintext on a non-loopback address (never in production).");
ABSL_FLAG(int, drain_seconds, 10, "Seconds in-flight calls get to finish on SIGTERM.");
ABSL_FLAG(int, max_threads, 64, "Maximum threads serving RPCs.");
ABSL_FLAG(int, max_message_bytes, sla::server::kDefaultMaxMessageBytes,
          "Largest request message accepted, in bytes; a larger one is refused unparsed "
          "(RESOURCE_EXHAUSTED). Parsing a request can cost about 78 bytes of memory per byte "
          "before it is authenticated: budget --max_threads times 78 times this.");
ABSL_FLAG(int, health_port, 0,
          "Also serve grpc.health.v1 alone, in plaintext, on this port (0 = off): Kubernetes' "
          "gRPC probes speak no TLS. Nothing but health is reachable there.");
ABSL_FLAG(std::string, peer_tls_ca_file, "",
          "PEM CA bundle the other services' certificates are checked against; enables TLS on "
          "calls to them.");
ABSL_FLAG(std::string, peer_tls_cert_file, "",
          "PEM client certificate chain presented to the other services (mTLS).");
ABSL_FLAG(std::string, peer_tls_key_file, "", "PEM private key of --peer_tls_cert_file.");
ABSL_FLAG(int, tls_reload_s, 60,
          "Seconds between re-reads of the TLS certificate, key and CA files (--tls_* and "
          "--peer_tls_*): rotated certificates take effect without a restart. 1..86400.");
ABSL_FLAG(bool, allow_non_durable_db, false,
          "Start even if the database acknowledges commits before they are on disk "
          "(innodb_flush_log_at_trx_commit != 1, or a binary log without sync_binlog = 1). Never "
          "in production: an issued credit could be lost.");
ABSL_FLAG(bool, migrate_only, false,
          "Apply the database migrations and exit (a rollout's init container; safe when several "
          "run at once: migrations take a database lock).");

namespace sla::server {
namespace {

constexpr const char* kFlagNames[] = {
    "host",
    "port",
    "db_host",
    "db_port",
    "db_socket",
    "db_tls_ca",
    "db_user",
    "db_password_file",
    "db_name",
    "db_pool_size",
    "jwt_key_file",
    "jwt_issuer",
    "jwt_audience",
    "tls_cert_file",
    "jwt_roles_claim",
    "jwt_tenant_claim",
    "jwt_role_map",
    "api_key_cache_s",
    "jwt_algorithm",
    "jwt_signing_key_file",
    "jwt_key_reload_s",
    "tls_key_file",
    "tls_client_ca_file",
    "allow_insecure_non_loopback",
    "drain_seconds",
    "max_threads",
    "max_message_bytes",
    "migrate_only",
    "allow_non_durable_db",
    "tls_reload_s",
    "health_port",
    "peer_tls_ca_file",
    "peer_tls_cert_file",
    "peer_tls_key_file",
};

}  // namespace

std::string EnvNameForFlag(const std::string& flag) {
  return absl::StrCat("SLA_", absl::AsciiStrToUpper(flag));
}

std::vector<char*> ParseFlagsWithEnv(int argc, char** argv, const std::string& usage,
                                     const std::vector<std::string>& extra_flags) {
  absl::SetProgramUsageMessage(usage);
  // --help lists the common flags and the service's own (those of a main.cc), not Abseil's.
  absl::FlagsUsageConfig help;
  help.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "common/server/config.cc") || absl::EndsWith(file, "main.cc");
  };
  help.contains_helpshort_flags = help.contains_help_flags;
  absl::SetFlagsUsageConfig(help);
  // Environment values go first, so that the same flag on the command line overrides them
  // (the last occurrence of a flag wins).
  static std::vector<std::string>* storage = new std::vector<std::string>();
  std::vector<char*> args = {argv[0]};
  std::vector<std::string> names(std::begin(kFlagNames), std::end(kFlagNames));
  names.insert(names.end(), extra_flags.begin(), extra_flags.end());
  for (const std::string& name : names) {
    const char* v = std::getenv(EnvNameForFlag(name).c_str());
    if (v != nullptr) storage->push_back(absl::StrCat("--", name, "=", v));
  }
  for (std::string& s : *storage) args.push_back(s.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  return absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
}

namespace {

absl::Status DatabaseFlags(ServerConfig& c, const std::string& default_database) {
  c.db.host = absl::GetFlag(FLAGS_db_host);
  c.db.port = absl::GetFlag(FLAGS_db_port);
  c.db.socket = absl::GetFlag(FLAGS_db_socket);
  c.db.tls_ca = absl::GetFlag(FLAGS_db_tls_ca);
  if (!c.db.tls_ca.empty()) {
    if (absl::StatusOr<std::string> ca = ReadSecretFile(c.db.tls_ca); !ca.ok()) {
      return InvalidField("--db_tls_ca", ca.status().message());
    }
    if (!c.db.socket.empty())
      return InvalidField("--db_tls_ca", "is for TCP connections, not with --db_socket");
  }
  if (!c.db.socket.empty() && c.db.socket.front() != '/') {
    return InvalidField("--db_socket", "must be an absolute path");
  }
  c.db.user = absl::GetFlag(FLAGS_db_user);
  c.db.database =
      absl::GetFlag(FLAGS_db_name).empty() ? default_database : absl::GetFlag(FLAGS_db_name);
  c.db.pool_size = absl::GetFlag(FLAGS_db_pool_size);
  if (c.db.user.empty()) return InvalidField("--db_user", "is required");
  if (c.db.pool_size < 1 || c.db.pool_size > 1000)
    return InvalidField("--db_pool_size", "must be within 1..1000");
  const std::string pw_file = absl::GetFlag(FLAGS_db_password_file);
  if (!pw_file.empty()) {
    absl::StatusOr<std::string> pw = ReadSecretFile(pw_file);
    if (!pw.ok()) return InvalidField("--db_password_file", pw.status().message());
    c.db.password = *std::move(pw);
  }
  return absl::OkStatus();
}

absl::Status JwtFlags(ServerConfig& c) {
  c.jwt_key_file = absl::GetFlag(FLAGS_jwt_key_file);
  if (c.jwt_key_file.empty()) return InvalidField("--jwt_key_file", "is required");
  const int reload = absl::GetFlag(FLAGS_jwt_key_reload_s);
  if (reload < 0 || reload > 86'400) return InvalidField("--jwt_key_reload_s", "must be 0..86400");
  c.jwt_key_reload = absl::Seconds(reload);
  const int key_cache = absl::GetFlag(FLAGS_api_key_cache_s);
  if (key_cache < 0 || key_cache > 300) return InvalidField("--api_key_cache_s", "must be 0..300");
  c.api_key_cache = absl::Seconds(key_cache);
  c.jwt_signing_key_file = absl::GetFlag(FLAGS_jwt_signing_key_file);
  c.jwt_issuer = absl::GetFlag(FLAGS_jwt_issuer);
  c.jwt_audience = absl::GetFlag(FLAGS_jwt_audience);
  c.jwt_claims.roles_claim = absl::GetFlag(FLAGS_jwt_roles_claim);
  c.jwt_claims.tenant_claim = absl::GetFlag(FLAGS_jwt_tenant_claim);
  if (c.jwt_claims.roles_claim.empty())
    return InvalidField("--jwt_roles_claim", "must name a claim");
  if (c.jwt_claims.tenant_claim.empty())
    return InvalidField("--jwt_tenant_claim", "must name a claim");
  absl::StatusOr<std::map<std::string, std::string>> role_map =
      ClaimMapping::ParseRoleMap(absl::GetFlag(FLAGS_jwt_role_map));
  if (!role_map.ok()) return InvalidField("--jwt_role_map", role_map.status().message());
  c.jwt_claims.role_map = *std::move(role_map);
  return absl::OkStatus();
}

// TLS, and the JWT algorithm, which must be named where plaintext is not confined to loopback.
absl::Status TlsFlags(ServerConfig& c) {
  c.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  c.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  c.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return InvalidField("--tls_key_file", "--tls_cert_file and --tls_key_file go together");
  }
  c.allow_insecure_non_loopback = absl::GetFlag(FLAGS_allow_insecure_non_loopback);
  const bool loopback =
      c.host == "127.0.0.1" || c.host == "::1" || c.host == "localhost" || c.host == "[::1]";
  if (!loopback && c.tls_cert_file.empty() && !c.allow_insecure_non_loopback) {
    return InvalidField("--host",
                        "plaintext is allowed on loopback only; configure --tls_cert_file");
  }
  // No silent default where it matters: a service reachable from elsewhere names the algorithm
  // it trusts, so a production deployment never falls back to a shared HS256 key by omission.
  std::string algorithm = absl::GetFlag(FLAGS_jwt_algorithm);
  if (algorithm.empty()) {
    if (!loopback) {
      return InvalidField(
          "--jwt_algorithm",
          "is required when --host is not loopback: set HS256, RS256 or ES256 explicitly");
    }
    algorithm = "HS256";
  }
  absl::StatusOr<JwtAlgorithm> alg = ParseJwtAlgorithm(algorithm);
  if (!alg.ok()) return InvalidField("--jwt_algorithm", "must be HS256, RS256 or ES256");
  c.jwt_algorithm = *alg;
  return absl::OkStatus();
}

absl::Status LimitFlags(ServerConfig& c) {
  const int drain = absl::GetFlag(FLAGS_drain_seconds);
  if (drain < 0 || drain > 3600) return InvalidField("--drain_seconds", "must be within 0..3600");
  c.drain_timeout = absl::Seconds(drain);
  c.max_threads = absl::GetFlag(FLAGS_max_threads);
  if (c.max_threads < 2) return InvalidField("--max_threads", "must be at least 2");
  c.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  if (c.max_message_bytes < 1024 || c.max_message_bytes > (64 << 20)) {
    return InvalidField("--max_message_bytes", "must be within 1024..67108864");
  }
  c.migrate_only = absl::GetFlag(FLAGS_migrate_only);
  c.allow_non_durable_db = absl::GetFlag(FLAGS_allow_non_durable_db);
  const int tls_reload = absl::GetFlag(FLAGS_tls_reload_s);
  if (tls_reload < 1 || tls_reload > 86'400)
    return InvalidField("--tls_reload_s", "must be within 1..86400");
  c.tls_reload_seconds = static_cast<unsigned int>(tls_reload);
  c.health_port = absl::GetFlag(FLAGS_health_port);
  if (c.health_port < 0 || c.health_port > 65535)
    return InvalidField("--health_port", "must be within 0..65535");
  if (c.health_port != 0 && c.health_port == c.port) {
    return InvalidField("--health_port", "must differ from --port");
  }
  c.peer_tls_ca_file = absl::GetFlag(FLAGS_peer_tls_ca_file);
  c.peer_tls_cert_file = absl::GetFlag(FLAGS_peer_tls_cert_file);
  c.peer_tls_key_file = absl::GetFlag(FLAGS_peer_tls_key_file);
  if (c.peer_tls_cert_file.empty() != c.peer_tls_key_file.empty()) {
    return InvalidField("--peer_tls_key_file",
                        "--peer_tls_cert_file and --peer_tls_key_file go together");
  }
  if (!c.peer_tls_cert_file.empty() && c.peer_tls_ca_file.empty()) {
    return InvalidField("--peer_tls_ca_file", "is required with --peer_tls_cert_file");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> ConfigFromFlags(int default_port,
                                             const std::string& default_database) {
  ServerConfig c;
  c.host = absl::GetFlag(FLAGS_host);
  c.port = absl::GetFlag(FLAGS_port) < 0 ? default_port : absl::GetFlag(FLAGS_port);
  if (c.port > 65535) return InvalidField("--port", "must be at most 65535");
  SLA_RETURN_IF_ERROR(DatabaseFlags(c, default_database));
  SLA_RETURN_IF_ERROR(JwtFlags(c));
  SLA_RETURN_IF_ERROR(TlsFlags(c));
  SLA_RETURN_IF_ERROR(LimitFlags(c));
  return c;
}

}  // namespace sla::server
