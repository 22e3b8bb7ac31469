// billing-svc closing a billing period for many contracts at once, against MariaDB: by default
// 10,000 contracts, each with 100 breached clocks in December 2026 (P1 responses, whose rule
// cap bites, and P2 resolutions) and one e-mail outage, closed by one scheduler pass
// (BillingManager::CloseDuePeriods): claims, facts, credits, credit notes, invoices, outbox.
// Facts are generated inside the server (the SEQUENCE engine). Terms come from an in-process
// source (the example contract; what contract-svc's ResolveTerms would answer), so the figure
// is billing-svc's own cost. See docs/performance.md; run with `scripts/bench billing`.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_contracts.h"
#include "billing-svc/app/billing_manager.h"
#include "billing-svc/storage/mysql_billing_repository.h"
#include "billing-svc/storage/ticket_facts.h"
#include "common/mysql/migrator.h"
#include "common/status/status_macros.h"
#include "common/test_util/mariadb_env.h"

ABSL_FLAG(int, contracts, 10'000, "Contracts with a period to close.");
ABSL_FLAG(int, breaches_per_contract, 100, "Breached clocks per contract in the period.");
ABSL_FLAG(int, repetitions, 3, "Timed passes (the closed state is cleared between them).");
ABSL_FLAG(int, close_batch, 50, "Periods per transaction (billing-svc's --close_batch).");
ABSL_FLAG(int, close_workers, 2, "Connections closing batches (billing-svc's --close_workers).");
ABSL_FLAG(std::string, terms, "docs/examples/acme-managed-it-terms.json", "Example terms.");

namespace sla::billing {
const std::vector<mysql::Migration>& Migrations();
namespace {

int Fail(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

absl::Status Exec(mysql::ConnectionPool& pool, const std::string& sql) {
  return mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
    return mysql::Guard([&] { st->executeUpdate(); });
  });
}

absl::Status Generate(mysql::ConnectionPool& pool, int contracts, int per_contract) {
  const int64_t dec2 = 1'796'144'400;  // 2026-12-01T17:00Z, 2 December 00:00 Bangkok
  const int64_t n = int64_t{contracts} * per_contract;
  // Breaches spread over the month; every 4th a P2 resolution, the rest P1 responses.
  SLA_RETURN_IF_ERROR(Exec(
      pool,
      absl::StrCat(
          "INSERT INTO breach_facts (ticket, clock, cycle, customer_id, contract_id, priority, "
          "breach_time) SELECT CONCAT('customers/c', seq DIV ",
          per_contract,
          ", '/tickets/t', seq), "
          "IF(seq % 4 = 0, 4, 1), 0, CONCAT('c', seq DIV ",
          per_contract, "), CONCAT('k', seq DIV ", per_contract, "), IF(seq % 4 = 0, 2, 1), ", dec2,
          " + (seq % ", per_contract, ") * 20000 FROM seq_0_to_", n - 1)));
  // One 100-minute e-mail outage per contract on 9 December.
  return Exec(
      pool,
      absl::StrCat("INSERT INTO outage_facts (outage, customer_id, contract_id, service_id, "
                   "start_time, end_time, planned, exclusion_id) SELECT CONCAT('customers/c', seq, "
                   "'/outages/o', seq), CONCAT('c', seq), CONCAT('k', seq), 'email-hosting', ",
                   dec2 + 7 * 86400 + 3 * 3600, ", ", dec2 + 7 * 86400 + 3 * 3600 + 6000,
                   ", 0, '' FROM seq_0_to_", contracts - 1));
}

absl::Status Reset(mysql::ConnectionPool& pool) {
  for (const char* t : {"closed_periods", "credits", "documents", "outbox"}) {
    SLA_RETURN_IF_ERROR(Exec(pool, absl::StrCat("DELETE FROM ", t)));
  }
  SLA_RETURN_IF_ERROR(Exec(pool, "UPDATE document_series SET last_number = 0"));
  return Exec(pool, "UPDATE outbox_sequence SET last_seq = 0");
}

int64_t Count(mysql::ConnectionPool& pool, const std::string& sql) {
  int64_t n = -1;
  (void)mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
    return mysql::Guard([&] {
      std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
      if (rs->next()) n = rs->getInt64(1);
    });
  });
  return n;
}

int Main() {
  absl::StatusOr<sla::v1::SlaTerms> read = bench::ReadTerms(absl::GetFlag(FLAGS_terms));
  if (!read.ok()) return Fail(read.status(), "terms");
  const sla::v1::SlaTerms& terms = *read;
  auto db = test::ScratchDatabase::Create("billing_bench");
  if (!db.ok()) return Fail(db.status(), "database");
  auto pool = mysql::ConnectionPool::Create((*db)->options());
  if (!pool.ok()) return Fail(pool.status(), "pool");
  if (auto s = mysql::Migrate(**pool, Migrations()); !s.ok()) return Fail(s.status(), "migrate");
  const int contracts = absl::GetFlag(FLAGS_contracts);
  const int per = absl::GetFlag(FLAGS_breaches_per_contract);
  const absl::Time t0 = absl::Now();
  if (auto s = Generate(**pool, contracts, per); !s.ok()) return Fail(s, "generate");
  std::printf("%d contracts × %d breaches loaded in %.1f s\n", contracts, per,
              absl::ToDoubleSeconds(absl::Now() - t0));

  bench::Contracts source(terms, contracts);
  bench::NoEvents events;
  BillingOptions options;
  options.clock = [] { return absl::FromUnixSeconds(1'799'107'200); };  // 2027-01-05T00:00Z
  options.close_batch = absl::GetFlag(FLAGS_close_batch);
  options.close_workers = absl::GetFlag(FLAGS_close_workers);
  int rc = 0;
  for (int rep = 0; rep < absl::GetFlag(FLAGS_repetitions); ++rep) {
    if (auto s = Reset(**pool); !s.ok()) return Fail(s, "reset");
    storage::MysqlBillingRepository repo(pool->get());
    storage::FollowedTicketFacts facts(pool->get(), &events, options.clock);
    BillingManager manager(&repo, &source, &facts, options);
    const absl::Time start = absl::Now();
    absl::StatusOr<int> closed = manager.CloseDuePeriods(source);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (!closed.ok()) return Fail(closed.status(), "close");
    const int64_t notes = Count(**pool, "SELECT COUNT(*) FROM documents WHERE series = 'CN'");
    const int64_t invoices = Count(**pool, "SELECT COUNT(*) FROM documents WHERE series = 'INV'");
    const int64_t credited = Count(**pool, "SELECT SUM(amount_minor) FROM credits");
    std::printf(
        "pass %d: closed %d periods in %.2f s (%.0f periods/s); %lld invoices, %lld credit notes, "
        "credits %lld minor units\n",
        rep + 1, *closed, seconds, *closed / seconds, static_cast<long long>(invoices),
        static_cast<long long>(notes), static_cast<long long>(credited));
    std::fflush(stdout);
    // Gapless and unique per series, whatever the workers' interleaving.
    const int64_t inv_max = Count(**pool, "SELECT MAX(number) FROM documents WHERE series = 'INV'");
    const int64_t cn_max = Count(**pool, "SELECT MAX(number) FROM documents WHERE series = 'CN'");
    if (*closed != contracts || invoices != contracts || notes != contracts ||
        inv_max != invoices || cn_max != notes) {
      std::printf("MISMATCH: expected %d of each, numbers up to INV %lld and CN %lld\n", contracts,
                  static_cast<long long>(inv_max), static_cast<long long>(cn_max));
      rc = 1;
    }
  }
  return rc;
}

}  // namespace
}  // namespace sla::billing

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return sla::billing::Main();
}
