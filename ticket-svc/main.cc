// ticket-svc: see README.md for what it owns.
#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "common/clients/api_key_client.h"
#include "common/clients/contract_terms.h"
#include "common/log/log.h"
#include "common/outbox/event_service.h"
#include "common/server/auth.h"
#include "common/server/service_main.h"
#include "ticket-svc/api/ticket_service_impl.h"

ABSL_FLAG(std::string, contract_address, "127.0.0.1:50051",
          "contract-svc's address (host:port), for ResolveTerms.");
ABSL_FLAG(int, escalation_interval_ms, 1000,
          "How often the escalation worker looks for due levels and breaches.");
ABSL_FLAG(int, escalation_batch, 500, "Tickets the escalation worker claims per transaction.");
ABSL_FLAG(
    int, create_batch, 64,
    "Most concurrent CreateTickets committed in one transaction (group commit); 1 turns it off.");
ABSL_FLAG(
    int, create_writers, 1,
    "Group-commit transactions of new tickets in flight at once (each holds a pooled connection).");

namespace sla::ticket {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/
}  // namespace sla::ticket

int main(int argc, char** argv) {
  const sla::server::ServiceDefinition definition{
      .name = "ticket-svc",
      .default_port = 50052,
      .default_database = "sla_ticket",
      .migrations = &sla::ticket::Migrations(),
      .grpc_services = {"sla.ticket.v1.TicketService", "sla.v1.EventService"},
      .make_services =
          [](const sla::server::ServiceDeps& deps) {
            std::vector<std::unique_ptr<grpc::Service>> services;
            const sla::server::JwtConfig jwt = sla::server::SigningJwt(deps);
            deps.api_keys->SetResolver(std::make_unique<sla::clients::ContractApiKeyResolver>(
                sla::server::PeerChannel(deps, absl::GetFlag(FLAGS_contract_address)), jwt,
                "ticket-svc"));
            auto source = std::make_unique<sla::clients::ContractTermsSource>(
                sla::server::PeerChannel(deps, absl::GetFlag(FLAGS_contract_address)), jwt,
                "ticket-svc");
            sla::ticket::TicketServiceOptions options;
            options.clock = [] { return absl::Now(); };
            options.escalation_interval =
                absl::Milliseconds(absl::GetFlag(FLAGS_escalation_interval_ms));
            options.escalation_batch = absl::GetFlag(FLAGS_escalation_batch);
            options.create_commits = {.max_batch = absl::GetFlag(FLAGS_create_batch),
                                      .writers = absl::GetFlag(FLAGS_create_writers)};
            auto tickets = std::make_unique<sla::ticket::TicketServiceImpl>(
                *deps.boundary, deps.pool, std::move(source), options);
            auto stream = std::make_unique<sla::outbox::EventServiceImpl>(
                *deps.boundary, deps.pool, &tickets->sequencer(), "ticket-svc",
                &tickets->watch_slots());
            services.push_back(std::move(tickets));
            services.push_back(std::move(stream));
            return services;
          },
      .extra_env_flags = {"contract_address", "escalation_interval_ms", "escalation_batch",
                          "create_batch", "create_writers"},
  };
  return sla::server::RunServiceMain(argc, argv, definition);
}
