// ticket-svc: see README.md for what it owns.
#include "ticket-svc/api/ticket_service_impl.h"
#include "common/server/service_main.h"

namespace sla::ticket {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/
}  // namespace sla::ticket

int main(int argc, char** argv) {
  const sla::server::ServiceDefinition definition{
      .name = "ticket-svc",
      .default_port = 50052,
      .default_database = "sla_ticket",
      .migrations = &sla::ticket::Migrations(),
      .grpc_services = {"sla.ticket.v1.TicketService"},
      .make_services =
          [](const sla::server::ServiceDeps& deps) {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<sla::ticket::TicketServiceImpl>(*deps.boundary));
            return services;
          },
  };
  return sla::server::RunServiceMain(argc, argv, definition);
}
