// billing-svc: see README.md for what it owns.
#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "billing-svc/api/billing_service_impl.h"
#include "common/clients/api_key_client.h"
#include "common/clients/contract_terms.h"
#include "common/clients/event_feed.h"
#include "common/outbox/consumer_service.h"
#include "common/outbox/event_service.h"
#include "common/server/service_main.h"

ABSL_FLAG(std::string, contract_address, "127.0.0.1:50051", "contract-svc's address (host:port).");
ABSL_FLAG(std::string, ticket_address, "127.0.0.1:50052", "ticket-svc's address (host:port).");
ABSL_FLAG(int, close_interval_s, 300, "How often ended billing periods are looked for and closed.");
ABSL_FLAG(
    int, close_batch, 50,
    "Billing periods the scheduler closes per transaction (1..1000): one durable commit for many.");
ABSL_FLAG(int, close_workers, 2, "Connections the scheduler closes batches of periods on (1..16).");

namespace sla::billing {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/
}  // namespace sla::billing

int main(int argc, char** argv) {
  const sla::server::ServiceDefinition definition{
      .name = "billing-svc",
      .default_port = 50053,
      .default_database = "sla_billing",
      .migrations = &sla::billing::Migrations(),
      .grpc_services = {"sla.billing.v1.BillingService", "sla.v1.EventConsumerService",
                        "sla.v1.EventService"},
      .make_services =
          [](const sla::server::ServiceDeps& deps) {
            std::vector<std::unique_ptr<grpc::Service>> services;
            const sla::server::JwtConfig jwt = sla::server::SigningJwt(deps);
            deps.api_keys->SetResolver(std::make_unique<sla::clients::ContractApiKeyResolver>(
                sla::server::PeerChannel(deps, absl::GetFlag(FLAGS_contract_address)), jwt,
                "billing-svc"));
            auto terms = std::make_unique<sla::clients::ContractTermsSource>(
                sla::server::PeerChannel(deps, absl::GetFlag(FLAGS_contract_address)), jwt,
                "billing-svc");
            sla::clients::ContractDirectory* directory = terms.get();
            auto events = sla::clients::TicketEventFeed(
                sla::server::PeerChannel(deps, absl::GetFlag(FLAGS_ticket_address),
                                         sla::clients::FeedChannelArguments()),
                jwt, "billing-svc", [] { return absl::Now(); });
            sla::billing::BillingServiceOptions options;
            options.clock = [] { return absl::Now(); };
            options.close_interval = absl::Seconds(absl::GetFlag(FLAGS_close_interval_s));
            options.close_batch = std::clamp(absl::GetFlag(FLAGS_close_batch), 1, 1000);
            options.close_workers = std::clamp(absl::GetFlag(FLAGS_close_workers), 1, 16);
            auto billing = std::make_unique<sla::billing::BillingServiceImpl>(
                *deps.boundary, deps.pool, std::move(terms), directory, std::move(events), options);
            auto consumers = std::make_unique<sla::outbox::EventConsumerServiceImpl>(
                *deps.boundary, deps.pool,
                std::map<std::string, sla::outbox::Follower*>{
                    {"ticket-svc", &billing->ticket_events()}});
            auto stream = std::make_unique<sla::outbox::EventServiceImpl>(
                *deps.boundary, deps.pool, &billing->sequencer(), "billing-svc",
                &billing->watch_slots());
            services.push_back(std::move(billing));
            services.push_back(std::move(consumers));
            services.push_back(std::move(stream));
            return services;
          },
      .extra_env_flags = {"contract_address", "ticket_address", "close_interval_s", "close_batch",
                          "close_workers"},
  };
  return sla::server::RunServiceMain(argc, argv, definition);
}
