// sla-gateway: the suite's REST/JSON surface for web and mobile front ends (docs/api.md, "HTTP").
// Stateless: every request becomes one gRPC call to the service that owns the method, with the
// caller's bearer token; the services authenticate and authorize as for any gRPC client.
#include <openssl/rand.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/server/auth.h"
#include "common/server/peer_credentials.h"
#include "gateway/http_gateway.h"
#include "gateway/openapi.h"
#include "sla/billing/v1/billing_service.pb.h"
#include "sla/contract/v1/contract_service.pb.h"
#include "sla/gateway/v1/gateway_service.pb.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "sla/v1/event_service.pb.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "Address to listen on (0.0.0.0 behind an Ingress).");
ABSL_FLAG(int, port, 8080, "HTTP port (0: any free port, logged).");
ABSL_FLAG(std::string, contract_address, "127.0.0.1:50051", "contract-svc's address (host:port).");
ABSL_FLAG(std::string, ticket_address, "127.0.0.1:50052", "ticket-svc's address (host:port).");
ABSL_FLAG(std::string, billing_address, "127.0.0.1:50053", "billing-svc's address (host:port).");
ABSL_FLAG(std::string, reporting_address, "127.0.0.1:50054",
          "reporting-svc's address (host:port).");
ABSL_FLAG(std::string, cors_origins, "",
          "Comma-separated origins browser pages may call from (e.g. https://portal.example.com); "
          "\"*\" allows any; empty allows none.");
ABSL_FLAG(int, max_body_bytes, 128 << 10, "Largest request body, in bytes (413 above it).");
ABSL_FLAG(int, call_timeout_s, 30, "Deadline of each call to a service, in seconds.");
ABSL_FLAG(int, read_timeout_s, 30,
          "Seconds a connection may take to send a whole request, or stay idle between requests.");
ABSL_FLAG(int, threads, 2,
          "Threads serving HTTP (connections are asynchronous; one per core is plenty).");
ABSL_FLAG(int, max_streams, 1000,
          "Open event streams (Server-Sent Events) in all; more are refused (429).");
ABSL_FLAG(int, max_streams_per_identity, 8,
          "Open event streams per token subject; more are refused (429).");
ABSL_FLAG(int, max_stream_s, 3600,
          "Longest an event stream stays open, in seconds; it also ends when its token expires.");
ABSL_FLAG(int, stream_poll_ms, 500,
          "How often an event stream asks the service's ListEvents for new events.");
ABSL_FLAG(
    std::string, docs_dir, SLA_DOCS_UI_DIR,
    "Swagger UI's files (npm's swagger-ui-dist) for the API reference at /docs; empty: no /docs.");
ABSL_FLAG(
    std::string, link_key_file, "",
    "Secret that seals download links (POST /v1/downloads:sign); every replica behind one address "
    "needs the same. Empty: a random key, so links work on this replica until it restarts.");
ABSL_FLAG(bool, print_openapi, false, "Print the OpenAPI document of the HTTP API and exit.");
ABSL_FLAG(std::string, peer_tls_ca_file, "",
          "PEM CA the services' certificates are checked against (TLS).");
ABSL_FLAG(std::string, peer_tls_cert_file, "", "PEM client certificate for mTLS to the services.");
ABSL_FLAG(std::string, peer_tls_key_file, "", "PEM key of --peer_tls_cert_file.");

namespace {

int Fail(const std::string& what) {
  sla::log::Error("cannot start", {{"error", what}});
  sla::log::Flush();
  return 1;
}

// Each flag may come from SLA_<NAME> in the environment; the command line wins.
std::vector<char*> ParseWithEnv(int argc, char** argv) {
  static const char* const kNames[] = {"host",
                                       "port",
                                       "contract_address",
                                       "ticket_address",
                                       "billing_address",
                                       "reporting_address",
                                       "cors_origins",
                                       "max_body_bytes",
                                       "call_timeout_s",
                                       "read_timeout_s",
                                       "threads",
                                       "max_streams",
                                       "max_streams_per_identity",
                                       "max_stream_s",
                                       "stream_poll_ms",
                                       "docs_dir",
                                       "link_key_file",
                                       "peer_tls_ca_file",
                                       "peer_tls_cert_file",
                                       "peer_tls_key_file"};
  static std::vector<std::string>* storage = new std::vector<std::string>();
  for (const char* name : kNames) {
    if (const char* v = std::getenv(absl::StrCat("SLA_", absl::AsciiStrToUpper(name)).c_str())) {
      storage->push_back(absl::StrCat("--", name, "=", v));
    }
  }
  std::vector<char*> args = {argv[0]};
  for (std::string& s : *storage) args.push_back(s.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  absl::FlagsUsageConfig help;
  help.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "gateway/main.cc");
  };
  help.contains_helpshort_flags = help.contains_help_flags;
  absl::SetFlagsUsageConfig(help);
  return absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
}

// The services the gateway routes to, with their upstream addresses in `options`.
absl::StatusOr<std::vector<const google::protobuf::ServiceDescriptor*>> RoutedServices(
    sla::gateway::GatewayOptions& options) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const auto& [name, address] : std::vector<std::pair<std::string, std::string>>{
           {"sla.contract.v1.ContractService", absl::GetFlag(FLAGS_contract_address)},
           {"sla.ticket.v1.TicketService", absl::GetFlag(FLAGS_ticket_address)},
           {"sla.billing.v1.BillingService", absl::GetFlag(FLAGS_billing_address)},
           {"sla.reporting.v1.ReportingService", absl::GetFlag(FLAGS_reporting_address)}}) {
    services.push_back(pool->FindServiceByName(name));
    if (services.back() == nullptr)
      return absl::InvalidArgumentError(absl::StrCat(name, " is not linked in"));
    options.upstreams[name] = address;
  }
  // The typed event streams: one service name on three upstreams, routed by the stream asked for.
  (void)sla::v1::ListEventsRequest::descriptor();
  services.push_back(pool->FindServiceByName("sla.v1.EventService"));
  if (services.back() == nullptr)
    return absl::InvalidArgumentError("sla.v1.EventService is not linked in");
  options.upstreams["sla.v1.EventService/ticket-svc"] = absl::GetFlag(FLAGS_ticket_address);
  options.upstreams["sla.v1.EventService/billing-svc"] = absl::GetFlag(FLAGS_billing_address);
  options.upstreams["sla.v1.EventService/reporting-svc"] = absl::GetFlag(FLAGS_reporting_address);
  // The gateway's own methods (download links), answered here.
  (void)sla::gateway::v1::SignDownloadRequest::descriptor();
  services.push_back(pool->FindServiceByName("sla.gateway.v1.GatewayService"));
  if (services.back() == nullptr)
    return absl::InvalidArgumentError("sla.gateway.v1.GatewayService is not linked in");
  return services;
}

absl::Status OptionsFromFlags(sla::gateway::GatewayOptions& options) {
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  if (options.port < 0 || options.port > 65535)
    return absl::InvalidArgumentError("--port: must be within 0..65535");
  for (absl::string_view o :
       absl::StrSplit(absl::GetFlag(FLAGS_cors_origins), ',', absl::SkipWhitespace())) {
    options.cors_origins.emplace_back(absl::StripAsciiWhitespace(o));
  }
  const int body = absl::GetFlag(FLAGS_max_body_bytes);
  if (body < 1024 || body > (64 << 20))
    return absl::InvalidArgumentError("--max_body_bytes: must be within 1024..67108864");
  options.max_body_bytes = static_cast<size_t>(body);
  const int call = absl::GetFlag(FLAGS_call_timeout_s), read = absl::GetFlag(FLAGS_read_timeout_s);
  if (call < 1 || call > 600)
    return absl::InvalidArgumentError("--call_timeout_s: must be within 1..600");
  if (read < 1 || read > 600)
    return absl::InvalidArgumentError("--read_timeout_s: must be within 1..600");
  options.call_timeout = absl::Seconds(call);
  options.read_timeout = absl::Seconds(read);
  options.threads = absl::GetFlag(FLAGS_threads);
  if (options.threads < 1 || options.threads > 64)
    return absl::InvalidArgumentError("--threads: must be within 1..64");
  options.max_streams = absl::GetFlag(FLAGS_max_streams);
  options.max_streams_per_identity = absl::GetFlag(FLAGS_max_streams_per_identity);
  if (options.max_streams < 0 || options.max_streams_per_identity < 0)
    return absl::InvalidArgumentError("--max_streams*: must not be negative");
  const int stream_s = absl::GetFlag(FLAGS_max_stream_s);
  if (stream_s < 1 || stream_s > 86400)
    return absl::InvalidArgumentError("--max_stream_s: must be within 1..86400");
  options.max_stream_duration = absl::Seconds(stream_s);
  const int poll_ms = absl::GetFlag(FLAGS_stream_poll_ms);
  if (poll_ms < 50 || poll_ms > 60000)
    return absl::InvalidArgumentError("--stream_poll_ms: must be within 50..60000");
  options.stream_poll = absl::Milliseconds(poll_ms);
  options.docs_dir = absl::GetFlag(FLAGS_docs_dir);
  if (const std::string key_file = absl::GetFlag(FLAGS_link_key_file); !key_file.empty()) {
    auto key = sla::server::ReadSecretFile(key_file);
    if (!key.ok())
      return absl::InvalidArgumentError(absl::StrCat("--link_key_file: ", key.status().message()));
    if (key->size() < 32)
      return absl::InvalidArgumentError("--link_key_file: at least 32 bytes of secret, please");
    options.link_key = *key;
  } else {
    unsigned char random[32];
    RAND_bytes(random, sizeof random);
    options.link_key.assign(reinterpret_cast<const char*>(random), sizeof random);
    sla::log::Warning(
        "no --link_key_file: download links work on this replica only, until it restarts");
  }
  auto creds = sla::server::PeerTlsCredentials(absl::GetFlag(FLAGS_peer_tls_ca_file),
                                               absl::GetFlag(FLAGS_peer_tls_cert_file),
                                               absl::GetFlag(FLAGS_peer_tls_key_file), 60);
  if (!creds.ok())
    return absl::InvalidArgumentError(absl::StrCat("--peer_tls_*: ", creds.status().message()));
  options.upstream_credentials = *creds;

  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("sla-gateway: REST/JSON for the SLA suite's four services. Flags:");
  ParseWithEnv(argc, argv);
  sla::log::SetServiceName("sla-gateway");

  // Stop signals are taken by sigwait below, never by a handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  (void)sla::contract::v1::Customer::descriptor();
  (void)sla::ticket::v1::Ticket::descriptor();
  (void)sla::billing::v1::Invoice::descriptor();
  (void)sla::reporting::v1::Report::descriptor();
  sla::gateway::GatewayOptions options;
  absl::StatusOr<std::vector<const google::protobuf::ServiceDescriptor*>> services =
      RoutedServices(options);
  if (!services.ok()) return Fail(std::string(services.status().message()));
  auto routes = sla::gateway::RouteTable::Build(*services);
  if (!routes.ok()) return Fail(std::string(routes.status().message()));
  if (absl::GetFlag(FLAGS_print_openapi)) {
    std::cout << sla::gateway::OpenApiJson(*routes) << "\n";
    return 0;
  }

  if (absl::Status o = OptionsFromFlags(options); !o.ok()) return Fail(std::string(o.message()));

  const size_t route_count = routes->routes().size();
  sla::gateway::HttpGateway gateway(*std::move(routes), options);
  absl::StatusOr<int> port = gateway.Start();
  if (!port.ok()) return Fail(std::string(port.status().message()));
  sla::log::Info("serving", {{"address", options.host},
                             {"port", absl::StrCat(*port)},
                             {"routes", absl::StrCat(route_count)},
                             {"cors_origins", absl::GetFlag(FLAGS_cors_origins)}});
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  sla::log::Info("shutting down", {{"signal", absl::StrCat(signal_number)}});
  gateway.Stop();
  sla::log::Info("stopped");
  sla::log::Flush();
  return 0;
}
