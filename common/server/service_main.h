// The start-up and shutdown every service shares:
//   flags (+ environment) → logging → JWT key → database pool → migrations → gRPC server with
//   health and reflection → SERVING → wait for SIGTERM/SIGINT → NOT_SERVING → drain in-flight
//   calls within --drain_seconds → close the pool.
// Health reports SERVING only once migrations ran and the pool is ready, because the server
// starts listening only then.
//
//   int main(int argc, char** argv) { return sla::server::RunServiceMain(argc, argv, kDefinition);
//   }
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/impl/codegen/service_type.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/server_builder.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/mysql/connection_pool.h"
#include "common/mysql/migration.h"
#include "common/server/api_key.h"
#include "common/server/config.h"
#include "common/server/rpc.h"

namespace sla::server {

// What a service hands its gRPC handlers.
struct ServiceDeps {
  const ServerConfig* config;
  mysql::ConnectionPool* pool;
  const RpcBoundary* boundary;
  // Where the boundary's API keys are resolved: a service sets its resolver here (before the
  // server starts); without one, API keys are refused.
  ApiKeyVerifier* api_keys;
  // How calls to the other services are secured (--peer_tls_*): TLS, mTLS or plaintext.
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials;
};

// A channel to another service of the suite, secured as --peer_tls_* say.
std::shared_ptr<grpc::Channel> PeerChannel(const ServiceDeps& deps, const std::string& address,
                                           const grpc::ChannelArguments& args = {});

// The credentials --peer_tls_* describe: plaintext without a CA, TLS with one, and a client
// certificate (mTLS) when one is set.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerCredentials(
    const ServerConfig& config);

struct ServiceDefinition {
  std::string name;              // "contract-svc": logs and --help
  int default_port;              // 50051…
  std::string default_database;  // "sla_contract"
  const std::vector<mysql::Migration>* migrations;
  // Fully qualified gRPC service names, reported by health checks.
  std::vector<std::string> grpc_services;
  // Builds the handlers. Background work a service runs (workers) belongs to these objects:
  // it starts here and stops when they are destroyed, after in-flight calls drained.
  std::function<std::vector<std::unique_ptr<grpc::Service>>(const ServiceDeps&)> make_services;
  // The service's own flags that also read SLA_<FLAG> from the environment.
  std::vector<std::string> extra_env_flags = {};
};

// Sync-server threading: idle pollers are kept (up to `max_threads`) instead of exiting after
// each call. gRPC's defaults (at most 2 idle pollers) make a server whose handlers block on the
// database create and destroy a thread per call under load.
void TuneSyncServer(grpc::ServerBuilder& builder, int max_threads);

// The key a service signs its calls to the other services with: for HS256 the one that
// verifies tokens (--jwt_key_file), for RS256/ES256 its private key (--jwt_signing_key_file),
// with issuer and audience. An unreadable key gives an empty key, which MintToken refuses, so
// calls fail loudly instead of going out unsigned.
JwtConfig SigningJwt(const ServiceDeps& deps);

// Runs the service until SIGTERM/SIGINT. Returns the process exit code: 0 after a clean
// shutdown, 1 if start-up failed (the reason is logged).
int RunServiceMain(int argc, char** argv, const ServiceDefinition& definition);

}  // namespace sla::server
