// contract-svc: see README.md for what it owns.
#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "common/server/service_main.h"
#include "contract-svc/api/contract_service_impl.h"
#include "contract-svc/api/reporting_history.h"
#include "contract-svc/storage/mysql_api_key_repository.h"
#include "contract-svc/storage/mysql_calendar_repository.h"
#include "contract-svc/storage/mysql_contract_repository.h"
#include "contract-svc/storage/mysql_customer_repository.h"

ABSL_FLAG(
    std::string, reporting_address, "",
    "reporting-svc's address (host:port), for lint's history check; empty = that check is off.");

namespace sla::contract {
const std::vector<mysql::Migration>& Migrations();  // generated from migrations/
}  // namespace sla::contract

int main(int argc, char** argv) {
  const sla::server::ServiceDefinition definition{
      .name = "contract-svc",
      .default_port = 50051,
      .default_database = "sla_contract",
      .migrations = &sla::contract::Migrations(),
      .grpc_services = {"sla.contract.v1.ContractService"},
      .make_services =
          [](const sla::server::ServiceDeps& deps) {
            std::vector<std::unique_ptr<grpc::Service>> services;
            auto impl = std::make_unique<sla::contract::ContractServiceImpl>(
                *deps.boundary, std::make_unique<sla::contract::MySqlCustomerRepository>(deps.pool),
                std::make_unique<sla::contract::MySqlCalendarRepository>(deps.pool),
                std::make_unique<sla::contract::MySqlContractRepository>(deps.pool),
                std::make_unique<sla::contract::MySqlApiKeyRepository>(deps.pool),
                [] { return absl::Now(); });
            deps.api_keys->SetResolver(impl->LocalApiKeyResolver());
            if (const std::string reporting = absl::GetFlag(FLAGS_reporting_address);
                !reporting.empty()) {
              impl->SetTermsHistory(std::make_unique<sla::contract::ReportingTermsHistory>(
                  sla::server::PeerChannel(deps, reporting), sla::server::SigningJwt(deps)));
            }
            services.push_back(std::move(impl));
            return services;
          },
      .extra_env_flags = {"reporting_address"},
  };
  return sla::server::RunServiceMain(argc, argv, definition);
}
