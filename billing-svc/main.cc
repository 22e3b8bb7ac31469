// billing-svc: see README.md for what it owns.
#include "billing-svc/api/billing_service_impl.h"
#include "common/server/service_main.h"

namespace sla::billing {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/
}  // namespace sla::billing

int main(int argc, char** argv) {
  const sla::server::ServiceDefinition definition{
      .name = "billing-svc",
      .default_port = 50053,
      .default_database = "sla_billing",
      .migrations = &sla::billing::Migrations(),
      .grpc_services = {"sla.billing.v1.BillingService"},
      .make_services =
          [](const sla::server::ServiceDeps& deps) {
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<sla::billing::BillingServiceImpl>(*deps.boundary));
            return services;
          },
  };
  return sla::server::RunServiceMain(argc, argv, definition);
}
