// End-to-end lag of the event pipeline: from the commit of a ticket event to its apply by
// billing-svc's and reporting-svc's consumers, at a steady rate (1,000 events/s by default).
//
// The path is the production one: events committed to an outbox, numbered by the sequencer
// (woken after each commit, as ticket-svc's writers do), served by ListEvents (the same
// outbox::ListPage) over gRPC, read by each consumer's Follower on its own polling pass
// (--consume_interval_ms, the services' default 500), and applied by the real BillingManager
// and ReportManager into their own databases. Contract-svc is an in-process stand-in. Each
// ticket's events are noted with the instant their transaction was about to commit; a monitor
// notes when each consumer's cursor passes them. See docs/performance.md; run with `scripts/bench
// events`.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench/bench_contracts.h"
#include "billing-svc/app/billing_manager.h"
#include "billing-svc/storage/mysql_billing_repository.h"
#include "billing-svc/storage/ticket_facts.h"
#include "common/clients/event_feed.h"
#include "common/mysql/migrator.h"
#include "common/outbox/feed.h"
#include "common/outbox/sequencer.h"
#include "common/server/periodic.h"
#include "common/status/status_macros.h"
#include "common/test_util/mariadb_env.h"
#include "reporting-svc/api/reporting_stack.h"
#include "sla/v1/event_service.grpc.pb.h"

ABSL_FLAG(int, rate, 1000, "Ticket events committed per second.");
ABSL_FLAG(int, seconds, 30, "How long to produce.");
ABSL_FLAG(int, warmup_seconds, 3, "Events of the first seconds are not counted.");
ABSL_FLAG(int, consume_interval_ms, 500,
          "Consumers' polling pass (the services' --consume_interval).");
ABSL_FLAG(int, events_per_commit, 4,
          "Events per producer transaction (a ticket write commits a few).");
ABSL_FLAG(std::string, terms, "docs/examples/acme-managed-it-terms.json", "Example terms.");

namespace sla::billing {
const std::vector<mysql::Migration>& Migrations();
}
namespace sla::reporting {
const std::vector<mysql::Migration>& Migrations();
}
namespace sla::outbox::test {
const std::vector<mysql::Migration>& Migrations();
}

namespace sla::bench {
namespace {

constexpr int kContracts = 100;

int Fail(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

// ticket-svc's typed ListEvents and nothing else: the same page function the service serves.
class EventsOnly final : public sla::v1::EventService::Service {
 public:
  explicit EventsOnly(mysql::ConnectionPool* pool) : pool_(pool) {}
  grpc::Status ListEvents(grpc::ServerContext*, const sla::v1::ListEventsRequest* req,
                          sla::v1::ListEventsResponse* out) override {
    const absl::Status s = outbox::ListPage(*pool_, "ticket-svc", *req, out);
    return s.ok() ? grpc::Status::OK
                  : grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(s.message()));
  }

 private:
  mysql::ConnectionPool* pool_;
};

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

// A ticket's opening and its breached response clock, as ticket-svc writes them.
std::vector<outbox::Row> TicketEvents(int64_t n) {
  const int c = static_cast<int>(n % kContracts);
  const std::string customer = absl::StrCat("c", c);
  const std::string contract = absl::StrCat("customers/c", c, "/contracts/k", c);
  const std::string ticket = absl::StrCat("customers/c", c, "/tickets/t", n);
  const int64_t open = 1'796'144'400 + (n % 2'000'000);  // December 2026
  sla::v1::TicketEventPayload opened;
  opened.set_ticket(ticket);
  opened.set_customer(absl::StrCat("customers/", customer));
  opened.set_contract(contract);
  opened.set_service_id("email-hosting");
  opened.set_priority(sla::v1::PRIORITY_P1);
  opened.set_terms_version(absl::StrCat(contract, "/versions/1"));
  opened.mutable_open_time()->set_seconds(open);
  sla::v1::TicketEventPayload breached = opened;
  breached.clear_open_time();
  breached.set_clock(sla::v1::CLOCK_FIRST_RESPONSE);
  breached.set_target_seconds(900);
  breached.mutable_breach_time()->set_seconds(open + 900);
  std::vector<outbox::Row> rows{{"ticket.opened", ticket, customer, open, {}},
                                {"clock.breached", ticket, customer, open + 900, {}}};
  *rows[0].payload.mutable_ticket() = std::move(opened);
  *rows[1].payload.mutable_ticket() = std::move(breached);
  return rows;
}

struct Lags {
  std::vector<double> ms;
  void Print(const char* who) {
    if (ms.empty()) {
      std::printf("%-10s no events measured\n", who);
      return;
    }
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
      return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
    };
    std::printf("%-10s %zu events: lag p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms\n", who,
                ms.size(), at(0.5), at(0.9), at(0.99), ms.back());
  }
};

int Main() {
  absl::StatusOr<sla::v1::SlaTerms> terms = ReadTerms(absl::GetFlag(FLAGS_terms));
  if (!terms.ok()) return Fail(terms.status(), "terms");
  auto producer = test::CreateMigratedDatabase("lag_ticket", outbox::test::Migrations());
  auto billing_db = test::CreateMigratedDatabase("lag_billing", billing::Migrations());
  auto reporting_db = test::CreateMigratedDatabase("lag_reporting", reporting::Migrations());
  if (!producer.ok()) return Fail(producer.status(), "producer database");
  if (!billing_db.ok()) return Fail(billing_db.status(), "billing database");
  if (!reporting_db.ok()) return Fail(reporting_db.status(), "reporting database");
  mysql::ConnectionPool& ticket_pool = *producer->pool;

  EventsOnly service(&ticket_pool);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (port == 0) return Fail(absl::UnavailableError("no port"), "server");
  auto channel = [&] {
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials(),
                                     clients::FeedChannelArguments());
  };
  server::JwtConfig jwt;
  jwt.hs256_key = std::string(32, 'k');

  Contracts contracts(*terms, kContracts);
  NoEvents no_events;
  auto billing_feed = clients::TicketEventFeed(channel(), jwt, "billing-svc", absl::Now);
  auto reporting_feed = clients::TicketEventFeed(channel(), jwt, "reporting-svc", absl::Now);
  billing::BillingOptions bo;
  bo.clock = absl::Now;
  billing::storage::MysqlBillingRepository billing_repo(billing_db->pool.get());
  billing::storage::FollowedTicketFacts billing_facts(billing_db->pool.get(), billing_feed.get(),
                                                      bo.clock);
  billing::BillingManager billing(&billing_repo, &contracts, &billing_facts, bo);
  reporting::ReportingOptions ro;
  reporting::ReportingStack reporting_stack(reporting_db->pool.get(), &contracts,
                                            reporting_feed.get(), &no_events, ro);
  reporting::ReportManager& reporting = reporting_stack.manager;

  outbox::Sequencer sequencer(&ticket_pool);
  server::Periodic sequencer_loop(
      "sequencer", absl::Milliseconds(100), [&] { (void)sequencer.RunOnce(); },
      absl::Milliseconds(5));
  const absl::Duration interval = absl::Milliseconds(absl::GetFlag(FLAGS_consume_interval_ms));
  std::atomic<int> consume_errors{0};
  server::Periodic billing_loop("billing", interval, [&] {
    if (!billing.ConsumeOnce().ok()) ++consume_errors;
  });
  server::Periodic reporting_loop("reporting", interval, [&] {
    if (!reporting.ConsumeTicketEvents().ok()) ++consume_errors;
  });
  sequencer_loop.Start();
  billing_loop.Start();
  reporting_loop.Start();

  // The monitor: each numbered event's commit instant, and when each cursor passed it.
  std::atomic<bool> producing{true};
  absl::Mutex mu;
  std::map<int64_t, int64_t> written;              // seq → commit instant (µs)
  absl::flat_hash_map<std::string, int64_t> sent;  // ticket → commit instant, under mu
  const int64_t warmup_until = NowMicros() + absl::GetFlag(FLAGS_warmup_seconds) * 1'000'000LL;
  Lags billing_lag, reporting_lag;
  std::thread monitor([&] {
    int64_t known = 0, billing_at = 0, reporting_at = 0;
    auto query = [](mysql::ConnectionPool& pool, const std::string& sql, auto&& row) {
      (void)mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
        return mysql::Guard([&] {
          std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
          while (rs->next()) row(*rs);
        });
      });
    };
    auto advance = [&](mysql::ConnectionPool& pool, int64_t& at, Lags& lags) {
      int64_t cursor = at;
      query(pool, "SELECT last_seq FROM consumer_cursor WHERE source = 'ticket-svc'",
            [&](sql::ResultSet& rs) { cursor = rs.getInt64(1); });
      const int64_t now = NowMicros();
      for (int64_t s = at + 1; s <= cursor; ++s) {
        auto it = written.find(s);
        if (it != written.end() && it->second >= warmup_until)
          lags.ms.push_back((now - it->second) / 1000.0);
      }
      at = std::max(at, cursor);
    };
    for (;;) {
      const bool last = !producing.load();
      query(ticket_pool,
            absl::StrCat("SELECT seq, subject FROM outbox WHERE seq > ", known, " ORDER BY seq"),
            [&](sql::ResultSet& rs) {
              const int64_t seq = rs.getInt64(1);
              absl::MutexLock lock(&mu);
              auto it = sent.find(rs.getString(2).asStdString());
              written[seq] = it == sent.end() ? 0 : it->second;
              known = seq;
            });
      advance(*billing_db->pool, billing_at, billing_lag);
      advance(*reporting_db->pool, reporting_at, reporting_lag);
      if (last && billing_at >= known && reporting_at >= known) break;
      absl::SleepFor(absl::Milliseconds(5));
    }
  });

  // The producer: `rate` events a second, a few per transaction, each commit waking the
  // sequencer.
  const int rate = absl::GetFlag(FLAGS_rate);
  const int per_commit = std::max(2, absl::GetFlag(FLAGS_events_per_commit)) / 2 * 2;
  const absl::Duration gap = absl::Seconds(1) * per_commit / rate;
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  int64_t n = 0, produced = 0;
  absl::Time next = start;
  while (absl::Now() < end) {
    const int64_t us = NowMicros();
    std::vector<outbox::Row> rows;
    for (int i = 0; i < per_commit / 2; ++i) {
      for (outbox::Row& r : TicketEvents(n++)) rows.push_back(std::move(r));
    }
    {
      absl::MutexLock lock(&mu);
      for (size_t i = 0; i < rows.size(); i += 2) sent[rows[i].subject] = us;
    }
    const absl::Status s = mysql::RunInTransaction(
        ticket_pool, [&](mysql::Connection& c) { return outbox::Insert(c, rows); });
    if (!s.ok()) return Fail(s, "produce");
    produced += static_cast<int64_t>(rows.size());
    sequencer_loop.Wake();
    next += gap;
    if (next > absl::Now()) absl::SleepFor(next - absl::Now());
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  producing = false;
  monitor.join();
  billing_loop.Stop();
  reporting_loop.Stop();
  sequencer_loop.Stop();
  server->Shutdown();
  std::printf(
      "produced %lld events in %.1f s (%.0f events/s), %d per commit; consumers poll every %d ms; "
      "%d failed passes\n",
      static_cast<long long>(produced), seconds, produced / seconds, per_commit,
      absl::GetFlag(FLAGS_consume_interval_ms), consume_errors.load());
  billing_lag.Print("billing");
  reporting_lag.Print("reporting");
  const int64_t breaches = test::QueryInt64(*billing_db->pool, "SELECT COUNT(*) FROM breach_facts");
  const int64_t tickets = test::QueryInt64(*reporting_db->pool, "SELECT COUNT(*) FROM rpt_tickets");
  std::printf("applied: billing %lld breaches, reporting %lld tickets (of %lld each)\n",
              static_cast<long long>(breaches), static_cast<long long>(tickets),
              static_cast<long long>(produced / 2));
  return breaches == produced / 2 && tickets == produced / 2 ? 0 : 1;
}

}  // namespace
}  // namespace sla::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return sla::bench::Main();
}
