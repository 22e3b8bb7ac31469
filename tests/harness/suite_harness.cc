#include "tests/harness/suite_harness.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/clients/contract_terms.h"
#include "common/mysql/migrator.h"
#include "common/server/service_main.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "contract-svc/api/reporting_history.h"
#include "contract-svc/storage/mysql_api_key_repository.h"
#include "contract-svc/storage/mysql_calendar_repository.h"
#include "contract-svc/storage/mysql_contract_repository.h"
#include "contract-svc/storage/mysql_customer_repository.h"
#include "google/protobuf/util/json_util.h"

namespace sla::contract {
const std::vector<mysql::Migration>& Migrations();
}  // namespace sla::contract
namespace sla::ticket {
const std::vector<mysql::Migration>& Migrations();

int64_t Utc(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
}

namespace {

// Serves on `*port`, or on a free port when it is 0 (then set to the port chosen).
absl::StatusOr<std::unique_ptr<grpc::Server>> Serve(grpc::Service* service, int max_threads,
                                                    int* port, grpc::Service* extra = nullptr,
                                                    grpc::Service* events = nullptr) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", *port), grpc::InsecureServerCredentials(),
                           port);
  grpc::ResourceQuota quota("harness");
  quota.SetMaxThreads(max_threads);
  builder.SetResourceQuota(quota);
  server::TuneSyncServer(builder, max_threads);
  builder.RegisterService(service);
  if (extra != nullptr) builder.RegisterService(extra);
  if (events != nullptr) builder.RegisterService(events);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || *port == 0) return absl::UnavailableError("cannot listen on loopback");
  return server;
}

absl::Status Check(const grpc::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(FromGrpcStatus(s).code(), absl::StrCat(what, ": ", s.error_message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SuiteHarness>> SuiteHarness::Start(HarnessOptions options) {
  std::unique_ptr<SuiteHarness> h(new SuiteHarness());
  h->options_ = std::move(options);
  SLA_ASSIGN_OR_RETURN(server::JwtVerifier verifier, server::JwtVerifier::Create(Jwt()));
  h->verifier_ = std::make_unique<server::JwtVerifier>(std::move(verifier));
  SLA_RETURN_IF_ERROR(h->StartContract());
  SLA_RETURN_IF_ERROR(h->StartTicket());
  return h;
}

SuiteHarness::~SuiteHarness() {
  if (ticket_server_) ticket_server_->Shutdown(std::chrono::system_clock::now());
  if (contract_server_) contract_server_->Shutdown(std::chrono::system_clock::now());
}

std::unique_ptr<grpc::ClientContext> SuiteHarness::As(const std::string& role,
                                                      const std::string& tenant, absl::Time now) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  absl::StatusOr<std::string> token =
      server::MintToken(Jwt(), {"user-" + role, tenant, {role}}, now, absl::Hours(1));
  ctx->AddMetadata("authorization", "Bearer " + token.value_or(""));
  return ctx;
}

std::unique_ptr<grpc::ClientContext> SuiteHarness::AsService(const std::string& service,
                                                             absl::Time now) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  absl::StatusOr<std::string> token =
      server::MintToken(Jwt(), {service, "", {"service"}}, now, absl::Hours(1));
  ctx->AddMetadata("authorization", "Bearer " + token.value_or(""));
  return ctx;
}

std::unique_ptr<TermsSource> SuiteHarness::NewTermsSource() const {
  return std::make_unique<clients::ContractTermsSource>(contract_channel_, Jwt(), "ticket-svc");
}

absl::Status SuiteHarness::StartContract() {
  SLA_ASSIGN_OR_RETURN(contract_db_, test::ScratchDatabase::Create("contract"));
  SLA_ASSIGN_OR_RETURN(contract_pool_, mysql::ConnectionPool::Create(contract_db_->options()));
  SLA_RETURN_IF_ERROR(mysql::Migrate(*contract_pool_, contract::Migrations()).status());
  // Tokens between the services carry real time; the contract's own logic runs at a fixed
  // instant before the example contract starts.
  contract_boundary_ =
      std::make_unique<server::RpcBoundary>(verifier_.get(), [] { return absl::Now(); });
  const absl::Time contract_now = absl::FromUnixSeconds(Utc(2026, 11, 20, 0));
  contract_ = std::make_unique<contract::ContractServiceImpl>(
      *contract_boundary_,
      std::make_unique<contract::MySqlCustomerRepository>(contract_pool_.get()),
      std::make_unique<contract::MySqlCalendarRepository>(contract_pool_.get()),
      std::make_unique<contract::MySqlContractRepository>(contract_pool_.get()),
      std::make_unique<contract::MySqlApiKeyRepository>(contract_pool_.get()),
      [contract_now] { return contract_now; });
  int port = 0;
  SLA_ASSIGN_OR_RETURN(contract_server_, Serve(contract_.get(), options_.max_threads, &port));
  contract_port_ = port;
  contract_channel_ =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  contract_stub_ = cpb::ContractService::NewStub(contract_channel_);
  for (const char* id : {"bangkok-office", "always-on"}) {
    cpb::CreateCalendarRequest req;
    req.set_calendar_id(id);
    auto* cal = req.mutable_calendar();
    cal->set_display_name(id);
    cal->set_time_zone("Asia/Bangkok");
    if (std::string(id) == "always-on") {
      cal->set_always_open(true);
    } else {
      for (auto day : {sla::v1::MONDAY, sla::v1::TUESDAY, sla::v1::WEDNESDAY, sla::v1::THURSDAY,
                       sla::v1::FRIDAY}) {
        auto* w = cal->add_weekly_intervals();
        w->set_day(day);
        w->set_start_minute(540);
        w->set_end_minute(1020);
      }
      auto* holiday = cal->add_holidays();
      holiday->mutable_date()->set_year(2026);
      holiday->mutable_date()->set_month(12);
      holiday->mutable_date()->set_day(7);
      holiday->set_name("Father's Day substitute");
    }
    sla::v1::BusinessCalendar out;
    SLA_RETURN_IF_ERROR(
        Check(contract_stub_->CreateCalendar(As("msp_admin", "", absl::Now()).get(), req, &out),
              "CreateCalendar"));
  }
  return absl::OkStatus();
}

absl::Status SuiteHarness::StartTicket() {
  SLA_ASSIGN_OR_RETURN(ticket_db_, test::ScratchDatabase::Create("ticket"));
  return ServeTicket();
}

absl::Status SuiteHarness::ServeTicket() {
  mysql::ConnectionOptions db = ticket_db_options();
  db.pool_size = options_.ticket_pool_size;
  SLA_ASSIGN_OR_RETURN(ticket_pool_, mysql::ConnectionPool::Create(db));
  SLA_RETURN_IF_ERROR(mysql::Migrate(*ticket_pool_, Migrations()).status());
  ticket_boundary_ = std::make_unique<server::RpcBoundary>(verifier_.get(), options_.clock);
  TicketServiceOptions o;
  o.clock = options_.clock;
  o.start_workers = options_.start_workers;
  o.create_commits = options_.create_commits;
  o.new_id = options_.new_id;
  ticket_ = std::make_unique<TicketServiceImpl>(*ticket_boundary_, ticket_pool_.get(),
                                                NewTermsSource(), o);
  ticket_events_.reset();
  if (options_.serve_typed_events) {
    ticket_events_ = std::make_unique<outbox::EventServiceImpl>(
        *ticket_boundary_, ticket_pool_.get(), &ticket_->sequencer(), "ticket-svc",
        &ticket_->watch_slots());
  }
  grpc::EnableDefaultHealthCheckService(true);
  SLA_ASSIGN_OR_RETURN(ticket_server_, Serve(ticket_.get(), options_.max_threads, &ticket_port_,
                                             options_.extra_ticket_service, ticket_events_.get()));
  stub_ = pb::TicketService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", ticket_port_),
                                                         grpc::InsecureChannelCredentials()));
  return absl::OkStatus();
}

absl::Status SuiteHarness::RestartTicket(bool same_address) {
  // Nothing of the old instance survives but its database: no cached terms, no group-commit
  // queue, no worker state. Shutdown waits for the calls in flight.
  stub_.reset();
  if (ticket_server_)
    ticket_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ticket_server_.reset();
  ticket_events_.reset();
  ticket_.reset();
  ticket_boundary_.reset();
  ticket_pool_.reset();
  if (!same_address) ticket_port_ = 0;
  return ServeTicket();
}

void SuiteHarness::StopContract() {
  if (contract_server_) contract_server_->Shutdown(std::chrono::system_clock::now());
  contract_server_.reset();
}

absl::Status SuiteHarness::ResumeContract() {
  if (contract_server_) return absl::OkStatus();
  int port = contract_port_;  // the same address: clients' channels reconnect to it
  SLA_ASSIGN_OR_RETURN(contract_server_, Serve(contract_.get(), options_.max_threads, &port));
  return absl::OkStatus();
}

absl::StatusOr<Tenant> SuiteHarness::NewTenant(const std::string& display_name) {
  return NewTenant(display_name, Utc(2026, 11, 30, 17));
}

absl::StatusOr<Tenant> SuiteHarness::NewTenant(const std::string& display_name,
                                               int64_t effective_from) {
  Tenant t;
  cpb::CreateCustomerRequest creq;
  creq.mutable_customer()->set_display_name(display_name);
  cpb::Customer customer;
  SLA_RETURN_IF_ERROR(
      Check(contract_stub_->CreateCustomer(As("msp_admin", "", absl::Now()).get(), creq, &customer),
            "CreateCustomer"));
  t.customer = customer.name();
  t.id = customer.name().substr(std::string("customers/").size());
  std::ifstream in(options_.example_terms_path);
  std::stringstream ss;
  ss << in.rdbuf();
  cpb::CreateContractRequest req;
  req.set_parent(t.customer);
  req.mutable_contract()->set_display_name("Managed IT services");
  if (!google::protobuf::util::JsonStringToMessage(ss.str(),
                                                   req.mutable_contract()->mutable_terms())
           .ok()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", options_.example_terms_path));
  }
  cpb::Contract draft;
  SLA_RETURN_IF_ERROR(
      Check(contract_stub_->CreateContract(As("msp_admin", "", absl::Now()).get(), req, &draft),
            "CreateContract"));
  cpb::ActivateContractRequest act;
  act.set_name(draft.name());
  act.set_etag(draft.etag());
  act.mutable_effective_from()->set_seconds(effective_from);
  cpb::Contract active;
  SLA_RETURN_IF_ERROR(
      Check(contract_stub_->ActivateContract(As("msp_admin", "", absl::Now()).get(), act, &active),
            "ActivateContract"));
  t.contract = active.name();
  return t;
}

void SuiteHarness::ConnectTermsHistory(int reporting_port, std::function<absl::Time()> clock) {
  contract_->SetTermsHistory(std::make_unique<contract::ReportingTermsHistory>(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", reporting_port),
                          grpc::InsecureChannelCredentials()),
      Jwt(), std::move(clock)));
}

}  // namespace sla::ticket
