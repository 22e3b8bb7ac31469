// Load test of ticket-svc's CreateTicket and GetTicket on the real server stack and MariaDB
// (durable commits), next to the two limits they are judged against, measured in the same run
// at the same concurrency: a trivial RPC on the same gRPC server (grpc.health.v1 Check: no
// auth, no database) and a durable single-row prepared INSERT straight into MariaDB. gRPC's
// default health service is a callback service; a trivial method of the sync server the
// services' handlers run on (bench/echo_service.proto) is measured too.
// See docs/performance.md; run with scripts/bench.
#include <cppconn/resultset.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bench/load.h"
#include "common/server/raw_client.h"
#include "common/test_util/mariadb_env.h"
#include "echo_service.grpc.pb.h"
#include "tests/harness/suite_harness.h"
#include "ticket-svc/storage/ticket_store.h"

ABSL_FLAG(int, clients, 8, "Concurrent clients.");
ABSL_FLAG(int, seconds, 10, "Seconds per run.");
ABSL_FLAG(double, open_share, 0.6, "Open-loop rate as a share of the closed-loop peak.");
ABSL_FLAG(int, create_batch, 64, "ticket-svc --create_batch (1: no group commit).");
ABSL_FLAG(int, create_writers, 1, "ticket-svc --create_writers.");
ABSL_FLAG(bool, db_over_socket, false,
          "ticket-svc and the raw baselines reach MariaDB through its Unix-domain socket "
          "(SLA_TEST_MYSQL_SOCKET) instead of TCP on loopback.");
ABSL_FLAG(std::string, only, "",
          "Run only the closed-loop runs whose names start with this (e.g. CreateTicket), for "
          "profiling.");
ABSL_FLAG(
    double, open_rate, 0,
    "Run only CreateTicket's open loop at this many requests per second (then the raw INSERT's "
    "at the same rate), with when its late requests fell, for chasing the tail.");
ABSL_FLAG(
    double, open_warmup, 0,
    "Seconds each open loop first runs at its rate unmeasured, to look at the steady state apart "
    "from a start-up transient; the warm-up's requests over 10 ms are reported beside the run.");
ABSL_FLAG(double, max_steal, 0.10,
          "A run during which the hypervisor took more than this share of the CPU is repeated.");
ABSL_FLAG(int, attempts, 3,
          "Runs at most per measurement when they are disturbed (see --max_steal); "
          "the least disturbed is kept.");
ABSL_FLAG(std::string, terms, "docs/examples/acme-managed-it-terms.json", "Example terms.");

namespace sla::ticket {
namespace {

// Runs that started on an unsettled server, printed after the table.
std::vector<std::string> g_unsettled;

// Waits (at most 15 s) until the server has purged the last run's undo and flushed most of
// its pages, so that no run pays for the deferred work of the one before it. InnoDB may leave
// a few thousand pages dirty while idle, flushing them at a trickle; once fewer than 100 a
// second are flushed, the flushing is over too.
void Settle(mysql::ConnectionPool& pool, const std::string& next_run) {
  auto status = [&](const char* name) {
    return test::QueryInt64(
        pool,
        absl::StrCat(
            "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = '",
            name, "'"));
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  absl::SleepFor(absl::Milliseconds(500));
  int64_t history = -1, dirty = -1;
  std::deque<int64_t> recent;  // dirty pages at the last polls, 200 ms apart
  while (absl::Now() < deadline) {
    history = status("Innodb_history_list_length");
    dirty = status("Innodb_buffer_pool_pages_dirty");
    recent.push_back(dirty);
    if (recent.size() > 6) recent.pop_front();
    const bool trickling =
        recent.size() == 6 && recent.front() - dirty < 100;  // < 100 pages a second
    if (history >= 0 && history < 100 && dirty >= 0 && (dirty < 2000 || trickling)) return;
    absl::SleepFor(absl::Milliseconds(200));
  }
  // The next run starts anyway; say so, since it shares the cores with the flushing.
  g_unsettled.push_back(absl::StrCat(next_run, " started after 15 s with undo history ", history,
                                     " and ", dirty, " dirty pages"));
}

// Echo on the sync server, as ticket-svc's handlers are served (the health Check is not).
class SyncEcho final : public sla::bench::v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext*, const sla::bench::v1::EchoMessage* req,
                    sla::bench::v1::EchoMessage* out) override {
    out->set_payload(req->payload());
    return grpc::Status::OK;
  }
};

void PrintUnsettled() {
  for (const std::string& line : g_unsettled) std::printf("Not settled: %s\n", line.c_str());
}

// Runs repeated because the hypervisor took too much of the CPU during them
// (bench::LeastDisturbed).
std::vector<std::string> g_discarded;

void PrintDiscarded() {
  for (const std::string& line : g_discarded) std::printf("Discarded: %s\n", line.c_str());
}

// Each open loop's requests over 10 ms and when they fell (bench::Stalls), then the first run's
// detail (CreateTicket's transactions during its open loop).
void PrintLate(const std::vector<bench::LoadResult>& open) {
  std::printf("\nOpen loop, requests over 10 ms:\n");
  for (const bench::LoadResult& r : open) {
    std::printf("- %s: %s\n", r.name.substr(0, r.name.find(',')).c_str(), bench::Stalls(r).c_str());
  }
  std::printf("%s\n", open.front().detail.c_str());
}

void PrintGrouping(SuiteHarness& h) {
  const auto s = h.ticket().manager().create_commit_stats();
  std::printf(
      "\nCreateTicket group commit: %lld tickets in %lld transactions (%.2f per transaction, at "
      "most %d; "
      "%.2f ms per transaction, longest %.1f ms, %lld over 5 ms)\n",
      static_cast<long long>(s.items), static_cast<long long>(s.batches),
      s.batches ? double(s.items) / s.batches : 0.0, s.max_batch_seen,
      s.batches ? absl::ToDoubleMilliseconds(s.writing) / s.batches : 0.0,
      absl::ToDoubleMilliseconds(s.longest), static_cast<long long>(s.slow));
}

int Main() {
  const int clients = absl::GetFlag(FLAGS_clients);
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  HarnessOptions options;
  options.example_terms_path = absl::GetFlag(FLAGS_terms);
  options.start_workers = true;
  // Real time moved into the example contract's term (it starts 2026-12-01).
  const absl::Duration shift =
      std::max(absl::ZeroDuration(), absl::FromUnixSeconds(Utc(2026, 12, 2, 3)) - absl::Now());
  options.clock = [shift] { return absl::Now() + shift; };
  options.ticket_pool_size = clients;
  SyncEcho sync_echo;
  options.extra_ticket_service = &sync_echo;
  if (absl::GetFlag(FLAGS_db_over_socket)) {
    absl::StatusOr<std::string> socket = test::TestServerSocket();
    if (!socket.ok()) {
      std::fprintf(stderr, "--db_over_socket: %s\n", socket.status().ToString().c_str());
      return 1;
    }
    options.ticket_db_socket = *socket;
  }
  options.create_commits = {.max_batch = absl::GetFlag(FLAGS_create_batch),
                            .writers = absl::GetFlag(FLAGS_create_writers)};
  auto harness = SuiteHarness::Start(options);
  if (!harness.ok()) {
    std::fprintf(stderr, "harness: %s\n", harness.status().ToString().c_str());
    return 1;
  }
  SuiteHarness& h = **harness;
  absl::StatusOr<Tenant> tenant = h.NewTenant("Load Co.");
  if (!tenant.ok()) {
    std::fprintf(stderr, "tenant: %s\n", tenant.status().ToString().c_str());
    return 1;
  }
  // One channel (one HTTP/2 connection) per client, as separate callers would have.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<pb::TicketService::Stub>> stubs;
  std::vector<std::unique_ptr<sla::bench::v1::EchoService::Stub>> echo_stubs;
  for (int c = 0; c < clients; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("sla.bench.client", c);
    channels.push_back(grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", h.ticket_port()),
                                                 grpc::InsecureChannelCredentials(), args));
    stubs.push_back(pb::TicketService::NewStub(channels.back()));
    echo_stubs.push_back(sla::bench::v1::EchoService::NewStub(channels.back()));
  }
  const std::string token = *server::MintToken(SuiteHarness::Jwt(), {"load", "", {"msp_agent"}},
                                               options.clock(), absl::Hours(2));
  std::atomic<int64_t> seq{0};
  std::atomic<int> errors_shown{0};
  std::vector<std::vector<std::string>> created(clients);

  auto create = [&](int c) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    pb::CreateTicketRequest req;
    req.set_parent(tenant->customer);
    req.set_request_id(absl::StrCat("load-", seq++));
    pb::Ticket* t = req.mutable_ticket();
    t->set_contract(tenant->contract);
    t->set_service_id("service-desk");
    t->set_priority(sla::v1::PRIORITY_P3);
    t->set_title("Laptop does not boot after update");
    t->set_description("The user reports a blue screen after last night's update.");
    t->set_reporter("user@load.example");
    pb::Ticket out;
    const grpc::Status s = stubs[c]->CreateTicket(&ctx, req, &out);
    const bool ok = s.ok();
    if (!ok && errors_shown++ < 3)
      std::fprintf(stderr, "CreateTicket: %s\n", s.error_message().c_str());
    if (ok && created[c].size() < 2000) created[c].push_back(out.name());
    return ok;
  };
  std::vector<std::string> names;
  thread_local std::mt19937 rng{std::random_device{}()};
  auto get = [&](int c) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    pb::GetTicketRequest req;
    req.set_name(names[rng() % names.size()]);
    pb::Ticket out;
    return stubs[c]->GetTicket(&ctx, req, &out).ok();
  };
  auto echo = [&](int c) {
    return server::RawUnaryCall(channels[c], "/grpc.health.v1.Health/Check", "", {},
                                absl::Seconds(5))
        .status.ok();
  };
  auto sync_echo_call = [&](int c) {
    grpc::ClientContext ctx;
    sla::bench::v1::EchoMessage req, out;
    return echo_stubs[c]->Echo(&ctx, req, &out).ok();
  };
  // The raw INSERT: one connection per client, autocommit (one durable commit per row).
  mysql::ConnectionOptions db = h.ticket_db_options();
  db.pool_size = clients;
  auto raw_pool = mysql::ConnectionPool::Create(db);
  if (!raw_pool.ok()) return 1;
  (void)mysql::RunInTransaction(**raw_pool, [](mysql::Connection& c) {
    return c.ExecuteUnprepared(
        "CREATE TABLE IF NOT EXISTS bench_insert (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
        "customer_id VARCHAR(64) NOT NULL, title VARCHAR(300) NOT NULL, created BIGINT NOT NULL)");
  });
  auto insert = [&](int) {
    auto conn = (*raw_pool)->Acquire();
    if (!conn.ok()) return false;
    auto st =
        (*conn)->Prepare("INSERT INTO bench_insert (customer_id, title, created) VALUES (?, ?, ?)");
    if (!st.ok()) return false;
    return mysql::Guard([&] {
             (*st)->setString(1, "load-co");
             (*st)->setString(2, "Laptop does not boot after update");
             (*st)->setInt64(3, absl::ToUnixSeconds(absl::Now()));
             (*st)->executeUpdate();
           })
        .ok();
  };

  // The database's share of a CreateTicket: a prepared ticket (ticket row, history row, outbox
  // event, request-id claim) written alone by the same statements, no gRPC and no clock work.
  auto terms = h.ticket().terms().ForContractAt(tenant->contract, options.clock());
  if (!terms.ok()) return 1;
  Ticket proto_ticket;
  proto_ticket.customer_id = tenant->id;
  proto_ticket.contract_id = tenant->contract.substr(tenant->contract.rfind('/') + 1);
  proto_ticket.service_id = "service-desk";
  proto_ticket.priority = sla::v1::PRIORITY_P3;
  proto_ticket.title = "Laptop does not boot after update";
  proto_ticket.reporter = "user@load.example";
  Effects open_fx;
  const int64_t open_at = absl::ToUnixSeconds(options.clock());
  if (!Open(proto_ticket, **terms, open_at, "load", open_fx).ok()) return 1;
  const Derived derived = *Derive(proto_ticket, **terms, open_at);
  auto raw_create = [&](int) {
    NewTicketRows r;
    r.ticket = proto_ticket;
    r.ticket.id = absl::StrCat("raw", seq++);
    r.derived = derived;
    r.history = {r.ticket.id, 1, std::string(600, 'h')};
    r.event = {"ticket.opened", r.ticket.name(), r.ticket.customer_id, open_at,
               open_fx.events[0].payload};
    r.claim = {absl::StrCat("raw-", r.ticket.id), "CreateTicket", "load", r.ticket.name(), ""};
    return storage::InsertNewTicketAlone(**raw_pool, r).ok();
  };

  // Each measurement starts on a settled server and is repeated if the machine was disturbed.
  auto measure = [&](const std::string& settle_as, const std::function<bench::LoadResult()>& run) {
    return bench::LeastDisturbed(
        [&] {
          Settle(**raw_pool, settle_as);
          return run();
        },
        absl::GetFlag(FLAGS_max_steal), absl::GetFlag(FLAGS_attempts), g_discarded);
  };
  for (int i = 0; i < 50; ++i) create(0);  // warm up: terms cached, statements prepared
  const absl::Duration warmup = absl::Seconds(absl::GetFlag(FLAGS_open_warmup));
  auto open_create = [&](double rate, const std::string& name) {
    return measure("CreateTicket, open loop", [&] {
      const auto before = h.ticket().manager().create_commit_stats();
      bench::LoadResult r = bench::OpenLoop(name, clients, rate, duration, create, warmup);
      const auto after = h.ticket().manager().create_commit_stats();
      r.detail = absl::StrCat("CreateTicket's open loop: ", after.batches - before.batches,
                              " group-commit transactions, ", after.slow - before.slow,
                              " of them over 5 ms");
      return r;
    });
  };
  if (const double rate = absl::GetFlag(FLAGS_open_rate); rate > 0) {
    bench::PrintHeader();
    const bench::LoadResult r = open_create(rate, "CreateTicket, open loop");
    bench::Print(r);
    const bench::LoadResult raw_open = measure("raw INSERT, open loop", [&] {
      return bench::OpenLoop("raw INSERT, open loop", clients, rate, duration, insert, warmup);
    });
    bench::Print(raw_open);
    PrintLate({r, raw_open});
    PrintUnsettled();
    PrintDiscarded();
    PrintGrouping(h);
    return 0;
  }
  if (const std::string only = absl::GetFlag(FLAGS_only); !only.empty()) {
    names = created[0];  // the warm-up's tickets, for GetTicket
    const std::pair<const char*, std::function<bool(int)>> runs[] = {
        {"raw INSERT", insert}, {"CreateTicket", create},      {"raw new ticket", raw_create},
        {"echo", echo},         {"sync echo", sync_echo_call}, {"GetTicket", get}};
    bench::PrintHeader();
    for (const auto& [name, op] : runs) {
      if (!absl::StartsWith(name, only)) continue;
      bench::Print(measure(name, [&] { return bench::ClosedLoop(name, clients, duration, op); }));
    }
    PrintUnsettled();
    PrintDiscarded();
    PrintGrouping(h);
    return 0;
  }
  bench::PrintHeader();
  const bench::LoadResult raw = measure("raw INSERT", [&] {
    return bench::ClosedLoop("raw INSERT, closed loop", clients, duration, insert);
  });
  bench::Print(raw);
  const bench::LoadResult peak_create = measure("CreateTicket", [&] {
    return bench::ClosedLoop("CreateTicket, closed loop", clients, duration, create);
  });
  bench::Print(peak_create);
  bench::Print(measure("raw new ticket", [&] {
    return bench::ClosedLoop("raw new ticket written alone, closed loop", clients, duration,
                             raw_create);
  }));
  for (auto& v : created) names.insert(names.end(), v.begin(), v.end());
  if (names.empty()) {
    std::fprintf(stderr, "no ticket was created\n");
    return 1;
  }
  const bench::LoadResult echo_peak = measure("echo", [&] {
    return bench::ClosedLoop("echo (health Check), closed loop", clients, duration, echo);
  });
  bench::Print(echo_peak);
  const bench::LoadResult sync_echo_peak = measure("sync echo", [&] {
    return bench::ClosedLoop("sync echo (trivial sync method), closed loop", clients, duration,
                             sync_echo_call);
  });
  bench::Print(sync_echo_peak);
  const bench::LoadResult peak_get = measure("GetTicket", [&] {
    return bench::ClosedLoop("GetTicket, closed loop", clients, duration, get);
  });
  bench::Print(peak_get);
  auto select = [&](int) {
    auto conn = (*raw_pool)->Acquire();
    if (!conn.ok()) return false;
    auto st = (*conn)->Prepare("SELECT state, title, description FROM tickets WHERE id = ?");
    if (!st.ok()) return false;
    const std::string& name = names[rng() % names.size()];
    return mysql::Guard([&] {
             (*st)->setString(1, name.substr(name.rfind('/') + 1));
             std::unique_ptr<sql::ResultSet> rs((*st)->executeQuery());
             rs->next();
           })
        .ok();
  };
  bench::Print(measure("raw SELECT", [&] {
    return bench::ClosedLoop("raw SELECT of a ticket row, closed loop", clients, duration, select);
  }));
  const double share = absl::GetFlag(FLAGS_open_share);
  std::vector<bench::LoadResult> open;
  open.push_back(open_create(share * peak_create.rate(),
                             absl::StrCat("CreateTicket, open loop at ", share * 100, " %")));
  bench::Print(open.back());
  // The durable commit's own tail at the same arrival rate: what the server's and the disk's
  // slow moments do to a bare INSERT, with no service and no shared writer in the way.
  open.push_back(measure("raw INSERT, open loop", [&] {
    return bench::OpenLoop("raw INSERT, open loop at CreateTicket's rate", clients,
                           share * peak_create.rate(), duration, insert, warmup);
  }));
  bench::Print(open.back());
  open.push_back(measure("GetTicket, open loop", [&] {
    return bench::OpenLoop(absl::StrCat("GetTicket, open loop at ", share * 100, " %"), clients,
                           share * peak_get.rate(), duration, get, warmup);
  }));
  bench::Print(open.back());
  PrintUnsettled();
  PrintDiscarded();
  PrintLate(open);
  PrintGrouping(h);
  std::printf(
      "\nCreateTicket = %.0f %% of the raw INSERT rate; GetTicket = %.0f %% of the echo rate "
      "(%.0f %% of the sync echo)\n",
      100 * peak_create.rate() / raw.rate(), 100 * peak_get.rate() / echo_peak.rate(),
      100 * peak_get.rate() / sync_echo_peak.rate());
  return 0;
}

}  // namespace
}  // namespace sla::ticket

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);  // as the services do
  return sla::ticket::Main();
}
