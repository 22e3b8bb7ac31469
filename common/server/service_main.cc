#include "common/server/service_main.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/mysql/migrator.h"
#include "common/server/peer_credentials.h"

namespace sla::server {
namespace {

// Certificates come from files that cert-manager rewrites before they expire: gRPC's file
// watcher re-reads them every --tls_reload_s, so new handshakes use the new certificate and CA
// without a restart (established connections keep theirs). The files are read once here first,
// so a missing one fails the start instead of every handshake.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerConfig& c) {
  if (c.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  for (const std::string& f : {c.tls_cert_file, c.tls_key_file, c.tls_client_ca_file}) {
    if (f.empty()) continue;
    if (absl::StatusOr<std::string> ok = ReadSecretFile(f); !ok.ok()) return ok.status();
  }
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      c.tls_key_file, c.tls_cert_file, c.tls_client_ca_file, c.tls_reload_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!c.tls_client_ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

// host:port, with brackets around an IPv6 host.
std::string ListenAddress(const std::string& host, int port) {
  const bool bare_v6 = host.find(':') != std::string::npos && host.front() != '[';
  return absl::StrCat(bare_v6 ? "[" : "", host, bare_v6 ? "]" : "", ":", port);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerCredentials(const ServerConfig& c) {
  return PeerTlsCredentials(c.peer_tls_ca_file, c.peer_tls_cert_file, c.peer_tls_key_file,
                            c.tls_reload_seconds);
}

std::shared_ptr<grpc::Channel> PeerChannel(const ServiceDeps& deps, const std::string& address,
                                           const grpc::ChannelArguments& args) {
  return grpc::CreateCustomChannel(
      address,
      deps.peer_credentials != nullptr ? deps.peer_credentials : grpc::InsecureChannelCredentials(),
      args);
}

void TuneSyncServer(grpc::ServerBuilder& builder, int max_threads) {
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(2, max_threads / 2));
}

namespace {

int Fail(absl::string_view what, const absl::Status& s) {
  log::Error("start-up failed", {{"step", what}, {"error", s.ToString()}});
  return 1;
}

// The database may still be starting (a pod next to its database): retry for a while. Commits
// must be durable unless --allow_non_durable_db says otherwise.
absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> OpenDatabase(const ServerConfig& config) {
  absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> pool;
  for (int attempt = 1;; ++attempt) {
    pool = mysql::ConnectionPool::Create(config.db);
    if (pool.ok() || pool.status().code() != absl::StatusCode::kUnavailable || attempt == 30) break;
    log::Warning("database not reachable yet; retrying", {{"attempt", absl::StrCat(attempt)}});
    absl::SleepFor(absl::Seconds(1));
  }
  if (!pool.ok()) return pool.status();
  if (absl::Status durable = mysql::CheckDurableCommits(**pool); !durable.ok()) {
    if (!config.allow_non_durable_db || durable.code() != absl::StatusCode::kFailedPrecondition) {
      return durable;
    }
    log::Warning("running on a database whose commits are not durable (--allow_non_durable_db)",
                 {{"detail", durable.message()}});
  }
  return pool;
}

// The main server: bounded threads, the request size limit, keepalive; nullptr if it cannot
// listen.
std::unique_ptr<grpc::Server> StartServer(const ServerConfig& config, const std::string& name,
                                          const std::string& address,
                                          const std::shared_ptr<grpc::ServerCredentials>& creds,
                                          std::vector<std::unique_ptr<grpc::Service>>& services,
                                          int* bound_port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, creds, bound_port);
  grpc::ResourceQuota quota(name);
  quota.SetMaxThreads(config.max_threads);
  builder.SetResourceQuota(quota);
  TuneSyncServer(builder, config.max_threads);
  // gRPC parses a request before any handler or interceptor can authenticate it, so the limit
  // is enforced here, on the wire size, where a larger message is refused unparsed.
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  for (auto& s : services) builder.RegisterService(s.get());
  return builder.BuildAndStart();
}

// The probe listener: a server of its own with nothing registered but the default health
// service, so plaintext there exposes no RPC even when the main port is TLS-only. nullptr if
// it cannot listen.
std::unique_ptr<grpc::Server> StartHealthServer(const ServerConfig& config) {
  grpc::ServerBuilder hb;
  int health_bound = 0;
  hb.AddListeningPort(ListenAddress(config.host, config.health_port),
                      grpc::InsecureServerCredentials(), &health_bound);
  std::unique_ptr<grpc::Server> server = hb.BuildAndStart();
  if (health_bound == 0) return nullptr;
  return server;
}

// SERVING on the main server's health service and the probe server's, overall and for each
// of `services`; returns both health services.
std::vector<grpc::HealthCheckServiceInterface*> MarkServing(
    grpc::Server& server, grpc::Server* health_server, const std::vector<std::string>& services) {
  std::vector<grpc::HealthCheckServiceInterface*> healths = {server.GetHealthCheckService()};
  if (health_server != nullptr) healths.push_back(health_server->GetHealthCheckService());
  for (grpc::HealthCheckServiceInterface* health : healths) {
    for (const std::string& name : services) health->SetServingStatus(name, true);
    health->SetServingStatus(true);
  }
  return healths;
}

// NOT_SERVING first, so load balancers stop sending while in-flight calls drain; event
// streams end now rather than at the drain deadline.
void Drain(absl::Duration timeout, RpcBoundary& boundary,
           const std::vector<grpc::HealthCheckServiceInterface*>& healths, grpc::Server& server,
           grpc::Server* health_server) {
  boundary.BeginDrain();
  for (grpc::HealthCheckServiceInterface* health : healths) health->Shutdown();
  server.Shutdown(std::chrono::system_clock::now() +
                  std::chrono::seconds(absl::ToInt64Seconds(timeout)));
  server.Wait();
  if (health_server != nullptr) health_server->Shutdown();
}

sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

}  // namespace

int RunServiceMain(int argc, char** argv, const ServiceDefinition& def) {
  // Signals are taken by sigwait() below, so block them before any thread starts.
  const sigset_t stop_signals = BlockStopSignals();

  // Abseil's mutex deadlock detection (on in Debian's build) costs a graph update per lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  ParseFlagsWithEnv(argc, argv,
                    absl::StrCat("serves ", def.grpc_services.empty() ? "" : def.grpc_services[0],
                                 ". Every flag --x may also come from SLA_X in the environment."),
                    def.extra_env_flags);
  log::SetServiceName(def.name);
  absl::StatusOr<ServerConfig> config = ConfigFromFlags(def.default_port, def.default_database);
  if (!config.ok()) return Fail("config", config.status());

  absl::StatusOr<std::unique_ptr<KeyFileVerifier>> verifier = KeyFileVerifier::Create(
      config->jwt_key_file, config->jwt_issuer, config->jwt_audience, config->jwt_algorithm,
      config->jwt_key_reload, absl::Now(), config->jwt_claims);
  if (!verifier.ok()) return Fail("jwt key", verifier.status());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds = Credentials(*config);
  if (!creds.ok()) return Fail("tls", creds.status());
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> peer_creds = PeerCredentials(*config);
  if (!peer_creds.ok()) return Fail("peer tls", peer_creds.status());

  absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> pool = OpenDatabase(*config);
  if (!pool.ok()) return Fail("database", pool.status());
  absl::StatusOr<int> applied = mysql::Migrate(**pool, *def.migrations);
  if (!applied.ok()) return Fail("migrations", applied.status());
  if (config->migrate_only) {
    log::Info("migrations applied; exiting (--migrate_only)",
              {{"applied", absl::StrCat(*applied)}, {"database", config->db.database}});
    return 0;
  }

  RequestLimits limits;
  limits.max_request_bytes = static_cast<size_t>(config->max_message_bytes);
  ApiKeyVerifier api_keys(verifier->get(), config->api_key_cache);
  RpcBoundary boundary(
      &api_keys, [] { return absl::Now(); }, limits);
  const ServiceDeps deps{&*config, pool->get(), &boundary, &api_keys, *peer_creds};
  std::vector<std::unique_ptr<grpc::Service>> services = def.make_services(deps);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  int bound_port = 0;
  const std::string address = ListenAddress(config->host, config->port);
  std::unique_ptr<grpc::Server> server =
      StartServer(*config, def.name, address, *creds, services, &bound_port);
  if (server == nullptr || bound_port == 0) {
    return Fail("listen", absl::UnavailableError(absl::StrCat("cannot listen on ", address)));
  }
  std::unique_ptr<grpc::Server> health_server;
  if (config->health_port != 0) {
    health_server = StartHealthServer(*config);
    if (health_server == nullptr) {
      server->Shutdown();
      return Fail("listen", absl::UnavailableError(absl::StrCat("cannot listen on health port ",
                                                                config->health_port)));
    }
  }
  const std::vector<grpc::HealthCheckServiceInterface*> healths =
      MarkServing(*server, health_server.get(), def.grpc_services);
  log::Info("serving", {{"address", address},
                        {"port", absl::StrCat(bound_port)},
                        {"tls", config->tls_cert_file.empty()        ? "off"
                                : config->tls_client_ca_file.empty() ? "on"
                                                                     : "mtls"},
                        {"health_port", absl::StrCat(config->health_port)},
                        {"database", config->db.database},
                        {"migrations_applied", absl::StrCat(*applied)}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log::Info("shutting down",
            {{"signal", absl::StrCat(signal_number)},
             {"drain_seconds", absl::StrCat(absl::ToInt64Seconds(config->drain_timeout))}});
  Drain(config->drain_timeout, boundary, healths, *server, health_server.get());
  services.clear();
  pool->reset();
  log::Info("stopped");
  return 0;
}

JwtConfig SigningJwt(const ServiceDeps& deps) {
  const ServerConfig& c = *deps.config;
  const bool shared = c.jwt_algorithm == JwtAlgorithm::kHs256;
  absl::StatusOr<std::string> key =
      ReadSecretFile(shared ? c.jwt_key_file : c.jwt_signing_key_file);
  JwtConfig jwt{"", c.jwt_issuer, c.jwt_audience};
  jwt.algorithm = c.jwt_algorithm;
  (shared ? jwt.hs256_key : jwt.private_key_pem) = key.ok() ? *key : "";
  return jwt;
}

}  // namespace sla::server
