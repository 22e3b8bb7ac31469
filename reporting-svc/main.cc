// reporting-svc: see README.md for what it owns.
#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "common/clients/api_key_client.h"
#include "common/clients/contract_terms.h"
#include "common/clients/event_feed.h"
#include "common/outbox/consumer_service.h"
#include "common/outbox/event_service.h"
#include "common/server/service_main.h"
#include "reporting-svc/api/reporting_service_impl.h"

ABSL_FLAG(std::string, contract_address, "127.0.0.1:50051", "contract-svc's address (host:port).");
ABSL_FLAG(std::string, ticket_address, "127.0.0.1:50052", "ticket-svc's address (host:port).");
ABSL_FLAG(std::string, billing_address, "127.0.0.1:50053", "billing-svc's address (host:port).");
ABSL_FLAG(int, schedule_interval_s, 300,
          "How often ended periods are looked for and their reports issued.");

namespace sla::reporting {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/
}  // namespace sla::reporting

int main(int argc, char** argv) {
  const sla::server::ServiceDefinition definition{
      .name = "reporting-svc",
      .default_port = 50054,
      .default_database = "sla_reporting",
      .migrations = &sla::reporting::Migrations(),
      .grpc_services = {"sla.reporting.v1.ReportingService", "sla.v1.EventConsumerService",
                        "sla.v1.EventService"},
      .make_services =
          [](const sla::server::ServiceDeps& deps) {
            std::vector<std::unique_ptr<grpc::Service>> services;
            const sla::server::JwtConfig jwt = sla::server::SigningJwt(deps);
            deps.api_keys->SetResolver(std::make_unique<sla::clients::ContractApiKeyResolver>(
                sla::server::PeerChannel(deps, absl::GetFlag(FLAGS_contract_address)), jwt,
                "reporting-svc"));
            auto channel = [&deps](const std::string& address) {
              return sla::server::PeerChannel(deps, address, sla::clients::FeedChannelArguments());
            };
            auto now = [] { return absl::Now(); };
            sla::reporting::ReportingServiceOptions options;
            options.clock = now;
            options.schedule_interval = absl::Seconds(absl::GetFlag(FLAGS_schedule_interval_s));
            auto reporting = std::make_unique<sla::reporting::ReportingServiceImpl>(
                *deps.boundary, deps.pool,
                std::make_unique<sla::clients::ContractTermsSource>(
                    channel(absl::GetFlag(FLAGS_contract_address)), jwt, "reporting-svc"),
                sla::clients::TicketEventFeed(channel(absl::GetFlag(FLAGS_ticket_address)), jwt,
                                              "reporting-svc", now),
                sla::clients::BillingEventFeed(channel(absl::GetFlag(FLAGS_billing_address)), jwt,
                                               "reporting-svc", now),
                options);
            auto consumers = std::make_unique<sla::outbox::EventConsumerServiceImpl>(
                *deps.boundary, deps.pool,
                std::map<std::string, sla::outbox::Follower*>{
                    {"ticket-svc", &reporting->ticket_events()},
                    {"billing-svc", &reporting->billing_events()}});
            auto stream = std::make_unique<sla::outbox::EventServiceImpl>(
                *deps.boundary, deps.pool, &reporting->sequencer(), "reporting-svc",
                &reporting->watch_slots());
            services.push_back(std::move(reporting));
            services.push_back(std::move(consumers));
            services.push_back(std::move(stream));
            return services;
          },
      .extra_env_flags = {"contract_address", "ticket_address", "billing_address",
                          "schedule_interval_s"},
  };
  return sla::server::RunServiceMain(argc, argv, definition);
}
