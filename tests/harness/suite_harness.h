// contract-svc and ticket-svc in one process, each on its own scratch MariaDB database with
// its real schema, talking over gRPC: what ticket-svc's integration tests and load benchmarks
// run against. The example contract (docs/examples/acme-managed-it-terms.json) can be made
// active for new customers from 2026-12-01 Bangkok time, on DOMAIN.md's "Bangkok office"
// calendar (Mon–Fri 09:00–17:00, holiday 2026-12-07).
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/outbox/event_service.h"
#include "common/server/auth.h"
#include "common/test_util/mariadb_env.h"
#include "contract-svc/api/contract_service_impl.h"
#include "ticket-svc/api/ticket_service_impl.h"

namespace sla::ticket {

namespace cpb = ::sla::contract::v1;

struct HarnessOptions {
  std::string example_terms_path;
  // ticket-svc's clock (tests pass a simulated one).
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  bool start_workers = false;
  int ticket_pool_size = 16;
  int max_threads = 64;
  mysql::GroupCommitOptions create_commits;
  std::function<std::string(char prefix, absl::Time now)> new_id;  // null: ticket-svc's own
  // Also served by ticket-svc's gRPC server when set (the load benchmark's sync echo).
  grpc::Service* extra_ticket_service = nullptr;
  // Whether ticket-svc serves sla.v1.EventService (as every release from the typed payloads
  // on does); off, it serves only its earlier envelope, as a producer of the release before.
  bool serve_typed_events = true;
  // ticket-svc reaches MariaDB through this Unix-domain socket instead of TCP when set.
  std::string ticket_db_socket;
};

struct Tenant {
  std::string customer;  // customers/{id}
  std::string id;
  std::string contract;  // customers/{id}/contracts/{k}
};

class SuiteHarness {
 public:
  static absl::StatusOr<std::unique_ptr<SuiteHarness>> Start(HarnessOptions options);
  ~SuiteHarness();

  static server::JwtConfig Jwt() { return {std::string(32, 'k'), "", ""}; }
  // A context carrying a token for `role` of `tenant`, minted at `now`.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& tenant,
                                                 absl::Time now);
  // A service's own identity: role `service`, subject its name ("billing-svc").
  static std::unique_ptr<grpc::ClientContext> AsService(const std::string& service, absl::Time now);
  // A customer whose example contract is active from 2026-12-01 00:00 Bangkok time.
  absl::StatusOr<Tenant> NewTenant(const std::string& display_name);
  // The same, in force from `effective_from` (Unix seconds).
  absl::StatusOr<Tenant> NewTenant(const std::string& display_name, int64_t effective_from);
  // Stops ticket-svc and starts a new instance on the same database (a new port and stub;
  // references from ticket(), ticket_pool() and stub() are stale afterwards), as a process
  // restart would: the new instance knows only what the database holds.
  // `same_address` keeps its port, so that other services' channels reconnect to it;
  // `serve_typed_events` is HarnessOptions' for the new instance.
  absl::Status RestartTicket(bool same_address = false);
  absl::Status RestartTicket(bool same_address, bool serve_typed_events) {
    options_.serve_typed_events = serve_typed_events;
    return RestartTicket(same_address);
  }
  // Takes contract-svc off the network, and puts it back on the same address.
  void StopContract();
  absl::Status ResumeContract();
  std::shared_ptr<grpc::Channel> contract_channel() const { return contract_channel_; }
  // Points contract-svc's lint history check at reporting-svc on `reporting_port`, as
  // `--reporting_address` does; tokens are stamped with `clock`.
  void ConnectTermsHistory(int reporting_port, std::function<absl::Time()> clock);
  std::unique_ptr<TermsSource> NewTermsSource() const;

  TicketServiceImpl& ticket() { return *ticket_; }
  mysql::ConnectionPool& ticket_pool() { return *ticket_pool_; }
  // How ticket-svc reaches its database (the socket included, when one is set).
  mysql::ConnectionOptions ticket_db_options() const {
    mysql::ConnectionOptions o = ticket_db_->options();
    o.socket = options_.ticket_db_socket;
    return o;
  }
  pb::TicketService::Stub& stub() { return *stub_; }
  cpb::ContractService::Stub& contract_stub() { return *contract_stub_; }
  contract::ContractServiceImpl& contract() { return *contract_; }
  int ticket_port() const { return ticket_port_; }
  int contract_port() const { return contract_port_; }

 private:
  SuiteHarness() = default;
  absl::Status StartContract();
  absl::Status StartTicket();
  absl::Status ServeTicket();  // on ticket_db_, migrating it if needed

  HarnessOptions options_;
  std::unique_ptr<server::JwtVerifier> verifier_;
  std::unique_ptr<test::ScratchDatabase> contract_db_;
  std::unique_ptr<mysql::ConnectionPool> contract_pool_;
  std::unique_ptr<server::RpcBoundary> contract_boundary_;
  std::unique_ptr<contract::ContractServiceImpl> contract_;
  std::unique_ptr<grpc::Server> contract_server_;
  std::shared_ptr<grpc::Channel> contract_channel_;
  int contract_port_ = 0;
  std::unique_ptr<cpb::ContractService::Stub> contract_stub_;
  std::unique_ptr<test::ScratchDatabase> ticket_db_;
  std::unique_ptr<mysql::ConnectionPool> ticket_pool_;
  std::unique_ptr<server::RpcBoundary> ticket_boundary_;
  std::unique_ptr<TicketServiceImpl> ticket_;
  std::unique_ptr<outbox::EventServiceImpl> ticket_events_;
  std::unique_ptr<grpc::Server> ticket_server_;
  std::unique_ptr<pb::TicketService::Stub> stub_;
  int ticket_port_ = 0;
};

// Unix seconds of a UTC civil time.
int64_t Utc(int y, int mo, int d, int h, int mi = 0);

}  // namespace sla::ticket
