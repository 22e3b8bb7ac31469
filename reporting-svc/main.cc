// reporting-svc: see README.md for what it owns.
#include "reporting-svc/api/reporting_service_impl.h"
#include "common/server/service_main.h"

namespace sla::reporting {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/
}  // namespace sla::reporting

int main(int argc, char** argv) {
  const sla::server::ServiceDefinition definition{
      .name = "reporting-svc",
      .default_port = 50054,
      .default_database = "sla_reporting",
      .migrations = &sla::reporting::Migrations(),
      .grpc_services = {"sla.reporting.v1.ReportingService"},
      .make_services =
          [](const sla::server::ServiceDeps& deps) {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<sla::reporting::ReportingServiceImpl>(*deps.boundary));
            return services;
          },
  };
  return sla::server::RunServiceMain(argc, argv, definition);
}
