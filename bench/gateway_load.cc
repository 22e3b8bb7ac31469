// GetTicket through the REST/JSON gateway against GetTicket straight over gRPC, on the real
// binaries (contract-svc, ticket-svc, sla-gateway) and MariaDB, in the same run at the same
// concurrency: closed loops for the peak rates, then open loops at 60 % of the gateway's peak
// for both, to compare their p99 at the same request rate. Keep-alive connections, one per
// client. Also the gateway's own CPU time per request (/proc/<pid>/stat).
// See docs/performance.md; run with `scripts/bench gateway`.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/load.h"
#include "common/server/auth.h"
#include "common/test_util/mariadb_env.h"
#include "google/protobuf/util/json_util.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"
#include "tests/service_process.h"

ABSL_FLAG(int, clients, 8, "Concurrent clients (each with its own keep-alive connection).");
ABSL_FLAG(int, seconds, 10, "Seconds per run.");
ABSL_FLAG(double, open_share, 0.6, "Open-loop rate as a share of the gateway's closed-loop peak.");
ABSL_FLAG(std::string, terms, "docs/examples/acme-managed-it-terms.json", "Example terms.");

namespace sla {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace cpb = contract::v1;
namespace tpb = ticket::v1;

// One keep-alive HTTP/1.1 connection.
class KeepAlive {
 public:
  explicit KeepAlive(int port) : stream_(io_), port_(port) {}
  bool Get(const std::string& target, const std::string& authorization) {
    beast::error_code ec;
    if (!connected_) {
      stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                              static_cast<unsigned short>(port_)),
                      ec);
      if (ec) return false;
      connected_ = true;
    }
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, authorization);
    req.keep_alive(true);
    http::write(stream_, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(stream_, buffer_, res, ec);
    if (ec || !res.keep_alive()) {
      stream_.close();
      connected_ = false;
      buffer_.clear();
    }
    return !ec && res.result_int() == 200;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  int port_;
  bool connected_ = false;
};

// utime + stime of `pid`, in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(f, line);
  const size_t close = line.rfind(')');
  std::vector<std::string> fields = absl::StrSplit(line.substr(close + 2), ' ');
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return (std::stod(fields[11]) + std::stod(fields[12])) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

int Fail(const char* what, const grpc::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.error_message().c_str());
  return 1;
}

int Run() {
  auto contract_db = test::ScratchDatabase::Create("gwbench");
  auto ticket_db = test::ScratchDatabase::Create("gwbench");
  if (!contract_db.ok() || !ticket_db.ok()) {
    std::fprintf(stderr, "no test database (scripts/bench starts one)\n");
    return 1;
  }
  char dir_template[] = "/tmp/sla-gwbench.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return 1;
  const std::string dir = dir_template;
  const std::string key(48, 'k');
  std::ofstream(dir + "/jwt.key") << key;
  std::ofstream(dir + "/db.password") << (*contract_db)->options().password;
  ServiceProcess contract(SLA_CONTRACT_SVC, ServiceFlags((*contract_db)->options(), dir, 2, 4),
                          dir + "/contract.log");
  const int contract_port = contract.WaitForPort();
  ServiceProcess ticket(
      SLA_TICKET_SVC,
      ServiceFlags((*ticket_db)->options(), dir, 2, 8,
                   {absl::StrCat("--contract_address=127.0.0.1:", contract_port)}),
      dir + "/ticket.log");
  const int ticket_port = ticket.WaitForPort();
  ServiceProcess gateway(SLA_GATEWAY,
                         {"--port=0", absl::StrCat("--contract_address=127.0.0.1:", contract_port),
                          absl::StrCat("--ticket_address=127.0.0.1:", ticket_port)},
                         dir + "/gateway.log");
  const int gateway_port = gateway.WaitForPort();
  if (contract_port == 0 || ticket_port == 0 || gateway_port == 0) {
    std::fprintf(stderr, "a binary did not start; logs in %s\n", dir.c_str());
    return 1;
  }

  const server::JwtConfig jwt{key, "sla-platform", "sla-platform"};
  const std::string token =
      *server::MintToken(jwt, {"bench", "", {"msp_admin"}}, absl::Now(), absl::Hours(2));
  auto with_token = [&] {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  };
  // A customer, its calendars and the example contract, and 100 tickets to read.
  auto cstub = cpb::ContractService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", contract_port), grpc::InsecureChannelCredentials()));
  for (const char* id : {"bangkok-office", "always-on"}) {
    cpb::CreateCalendarRequest req;
    req.set_calendar_id(id);
    req.mutable_calendar()->set_display_name(id);
    req.mutable_calendar()->set_time_zone("Asia/Bangkok");
    req.mutable_calendar()->set_always_open(true);
    sla::v1::BusinessCalendar out;
    if (auto st = cstub->CreateCalendar(with_token().get(), req, &out); !st.ok())
      return Fail("CreateCalendar", st);
  }
  cpb::CreateCustomerRequest creq;
  creq.mutable_customer()->set_display_name("Acme");
  cpb::Customer customer;
  if (auto st = cstub->CreateCustomer(with_token().get(), creq, &customer); !st.ok())
    return Fail("CreateCustomer", st);
  std::ifstream in(absl::GetFlag(FLAGS_terms));
  std::stringstream terms;
  terms << in.rdbuf();
  cpb::CreateContractRequest kreq;
  kreq.set_parent(customer.name());
  kreq.mutable_contract()->set_display_name("Managed IT");
  if (!google::protobuf::util::JsonStringToMessage(terms.str(),
                                                   kreq.mutable_contract()->mutable_terms())
           .ok()) {
    std::fprintf(stderr, "cannot read the terms in %s (run from the repository's root)\n",
                 absl::GetFlag(FLAGS_terms).c_str());
    return 1;
  }
  cpb::Contract draft, active;
  if (auto st = cstub->CreateContract(with_token().get(), kreq, &draft); !st.ok())
    return Fail("CreateContract", st);
  cpb::ActivateContractRequest act;
  act.set_name(draft.name());
  act.set_etag(draft.etag());
  act.mutable_effective_from()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(24)));
  if (auto st = cstub->ActivateContract(with_token().get(), act, &active); !st.ok())
    return Fail("ActivateContract", st);
  auto tchannel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", ticket_port),
                                      grpc::InsecureChannelCredentials());
  auto tstub = tpb::TicketService::NewStub(tchannel);
  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i) {
    tpb::CreateTicketRequest t;
    t.set_parent(customer.name());
    t.mutable_ticket()->set_contract(active.name());
    t.mutable_ticket()->set_service_id("service-desk");
    t.mutable_ticket()->set_priority(sla::v1::PRIORITY_P3);
    t.mutable_ticket()->set_title(absl::StrCat("Ticket ", i));
    t.mutable_ticket()->set_reporter("a@acme.example");
    tpb::Ticket out;
    if (auto st = tstub->CreateTicket(with_token().get(), t, &out); !st.ok())
      return Fail("CreateTicket", st);
    names.push_back(out.name());
  }

  const int clients = absl::GetFlag(FLAGS_clients);
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<std::unique_ptr<tpb::TicketService::Stub>> stubs;
  std::vector<std::unique_ptr<KeepAlive>> conns;
  std::vector<int> next(clients, 0);
  for (int c = 0; c < clients; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL,
                1);  // a connection of its own, like the HTTP clients
    stubs.push_back(tpb::TicketService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", ticket_port), grpc::InsecureChannelCredentials(), args)));
    conns.push_back(std::make_unique<KeepAlive>(gateway_port));
  }
  const std::string authorization = "Bearer " + token;
  auto direct = [&](int c) {
    tpb::GetTicketRequest req;
    req.set_name(names[next[c]++ % names.size()]);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", authorization);
    tpb::Ticket out;
    return stubs[c]->GetTicket(&ctx, req, &out).ok();
  };
  auto via_gateway = [&](int c) {
    return conns[c]->Get(absl::StrCat("/v1/", names[next[c]++ % names.size()]), authorization);
  };

  bench::PrintHeader();
  bench::ClosedLoop("warm-up", clients, absl::Seconds(2), direct);
  bench::ClosedLoop("warm-up", clients, absl::Seconds(2), via_gateway);
  const bench::LoadResult grpc_peak =
      bench::ClosedLoop("GetTicket, gRPC, closed loop", clients, duration, direct);
  bench::Print(grpc_peak);
  const double cpu0 = CpuSeconds(gateway.pid());
  const bench::LoadResult gw_peak =
      bench::ClosedLoop("GetTicket, gateway, closed loop", clients, duration, via_gateway);
  const double gateway_cpu = CpuSeconds(gateway.pid()) - cpu0;
  bench::Print(gw_peak);
  const double rate = absl::GetFlag(FLAGS_open_share) * gw_peak.rate();
  const bench::LoadResult grpc_open =
      bench::OpenLoop(absl::StrCat("GetTicket, gRPC, open at ", static_cast<int>(rate), "/s"),
                      clients, rate, duration, direct, absl::Seconds(1));
  bench::Print(grpc_open);
  const bench::LoadResult gw_open =
      bench::OpenLoop(absl::StrCat("GetTicket, gateway, open at ", static_cast<int>(rate), "/s"),
                      clients, rate, duration, via_gateway, absl::Seconds(1));
  bench::Print(gw_open);
  std::printf(
      "\nGateway = %.0f %% of the direct gRPC rate (goal: at least 50 %%); p99 at %.0f/s: gateway "
      "%.2f ms, "
      "gRPC %.2f ms, %+.2f ms (goal: at most +2 ms); gateway CPU %.0f us per request.\n",
      100 * gw_peak.rate() / std::max(1.0, grpc_peak.rate()), rate, gw_open.percentile_ms(0.99),
      grpc_open.percentile_ms(0.99), gw_open.percentile_ms(0.99) - grpc_open.percentile_ms(0.99),
      1e6 * gateway_cpu / std::max<int64_t>(1, gw_peak.ok + gw_peak.errors));
  return 0;
}

}  // namespace
}  // namespace sla

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return sla::Run();
}
