// reporting-svc's report computation over a large read model in MariaDB: one contract with
// 100,000 tickets in the reported month (and 100,000 in each of the 11 months before, which the
// 12-period trend reads), nine more contracts with 100,000 each in the month: 1,000,000 tickets
// MSP-wide. Rows are generated inside the server (the SEQUENCE engine); breaches, escalations
// and the per-period totals (which the consumer keeps event by event) follow from them. Measures
// the contract report, the customer report and the MSP-wide month. See docs/performance.md; run
// with `scripts/bench report`.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/clients/contract_terms.h"
#include "common/mysql/migrator.h"
#include "common/status/status_macros.h"
#include "reporting-svc/api/reporting_stack.h"
#include "tests/harness/suite_harness.h"

ABSL_FLAG(int, tickets_per_contract, 100'000, "Tickets per contract and month.");
ABSL_FLAG(int, contracts, 10, "Contracts with tickets in the reported month.");
ABSL_FLAG(int, history_months, 11, "Earlier months of the first contract (for its trend).");
ABSL_FLAG(int, repetitions, 5, "Timed computations of each report.");
ABSL_FLAG(int, hold_s, 0, "Seconds to keep the loaded database before measuring (to inspect it).");
ABSL_FLAG(std::string, terms, "docs/examples/acme-managed-it-terms.json", "Example terms.");

namespace sla::reporting {
const std::vector<mysql::Migration>& Migrations();
namespace {

int Fail(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

// Tickets of one contract and month, with outcomes spread deterministically over `seq`: 5 %
// responses late, 10 % resolutions late, priorities P1–P4, durations up to 2 h / 14 h.
absl::Status Generate(mysql::ConnectionPool& pool, const std::string& customer,
                      const std::string& contract, int period, int64_t start, int n) {
  return mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    const std::string insert = absl::StrCat(
        "INSERT INTO rpt_tickets (customer_id, ticket_id, contract_id, service_id, priority, "
        "period_index, "
        "open_time, terms_version, resp_state, resp_business, resp_wall, resp_time, res_state, "
        "res_business, "
        "res_wall, res_time, breach_count, reopen_count, rca_required, rca_recorded, closed, "
        "pauses) "
        "SELECT '",
        customer, "', CONCAT('p", period, "-', seq), '", contract,
        "', 'service-desk', 1 + seq % 4, ", period, ", ", start,
        " + seq * 25, 'v1', IF(seq % 20 = 0, 2, 1), 60 + seq % 3600, 60 + seq % 7200, ", start,
        " + seq * 25 + 600, IF(seq % 10 = 0, 2, 1), 600 + seq % 50000, 600 + seq % 80000, ", start,
        " + seq * 25 + 9000, (seq % 20 = 0) + (seq % 10 = 0), seq % 50 = 0, seq % 4 < 2, seq % 8 "
        "<> 0, 1, '' "
        "FROM seq_1_to_",
        n);
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(insert));
    return mysql::Guard([&] { st->executeUpdate(); });
  });
}

absl::Status DeriveFacts(mysql::ConnectionPool& pool) {
  return mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    for (const char* statement : {
             "INSERT INTO rpt_breaches SELECT customer_id, ticket_id, 1, 0, contract_id, priority, "
             "open_time + 900, "
             "period_index FROM rpt_tickets WHERE resp_state = 2",
             "INSERT INTO rpt_breaches SELECT customer_id, ticket_id, 4, 0, contract_id, priority, "
             "open_time + 14400, "
             "period_index FROM rpt_tickets WHERE res_state = 2",
             "INSERT INTO rpt_period_totals SELECT period_index, contract_id, customer_id, "
             "COUNT(*), "
             "SUM(resp_state = 1), SUM(resp_state <> 0), SUM(res_state = 1), SUM(res_state <> 0), "
             "SUM(breach_count) "
             "FROM rpt_tickets GROUP BY period_index, contract_id, customer_id",
             "INSERT INTO rpt_escalations SELECT customer_id, ticket_id, 4, 0, 1, contract_id, 0, "
             "open_time + 7200, "
             "period_index FROM rpt_tickets WHERE res_state = 2",
         }) {
      SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(statement));
      SLA_RETURN_IF_ERROR(mysql::Guard([&] { st->executeUpdate(); }));
    }
    return absl::OkStatus();
  });
}

int Main() {
  const int64_t now = ticket::Utc(2027, 1, 2, 0);
  ticket::HarnessOptions options;
  options.example_terms_path = absl::GetFlag(FLAGS_terms);
  auto harness = ticket::SuiteHarness::Start(options);
  if (!harness.ok()) return Fail(harness.status(), "harness");
  absl::StatusOr<ticket::Tenant> tenant = (*harness)->NewTenant("Big Co.");
  if (!tenant.ok()) return Fail(tenant.status(), "tenant");
  auto db = test::ScratchDatabase::Create("report_bench");
  if (!db.ok()) return Fail(db.status(), "database");
  auto pool = mysql::ConnectionPool::Create((*db)->options());
  if (!pool.ok()) return Fail(pool.status(), "pool");
  if (auto s = mysql::Migrate(**pool, Migrations()); !s.ok()) return Fail(s.status(), "migrate");

  const int december = 2026 * 12 + 11;
  const int n = absl::GetFlag(FLAGS_tickets_per_contract);
  const int64_t dec_start = ticket::Utc(2026, 11, 30, 17);
  const absl::Time t0 = absl::Now();
  for (int k = 0; k < absl::GetFlag(FLAGS_contracts); ++k) {
    const std::string customer = k == 0 ? tenant->id : absl::StrCat("bulk", k);
    const std::string contract =
        k == 0 ? tenant->contract.substr(tenant->contract.rfind('/') + 1) : absl::StrCat("k", k);
    if (auto s = Generate(**pool, customer, contract, december, dec_start, n); !s.ok())
      return Fail(s, "generate");
    if (k == 0) {
      for (int m = 1; m <= absl::GetFlag(FLAGS_history_months); ++m) {
        if (auto s = Generate(**pool, customer, contract, december - m,
                              dec_start - int64_t{m} * 31 * 86400, n);
            !s.ok()) {
          return Fail(s, "generate history");
        }
      }
    }
  }
  if (auto s = DeriveFacts(**pool); !s.ok()) return Fail(s, "derive");
  std::printf("read model loaded in %.1f s into %s\n", absl::ToDoubleSeconds(absl::Now() - t0),
              (*db)->options().database.c_str());
  std::fflush(stdout);
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_hold_s)));

  clients::ContractTermsSource terms((*harness)->contract_channel(), ticket::SuiteHarness::Jwt(),
                                     "reporting-svc");
  ReportingOptions ro;
  ro.clock = [now] { return absl::FromUnixSeconds(now); };
  ReportingStack stack(pool->get(), &terms, nullptr, nullptr, ro);
  ReportManager& manager = stack.manager;

  auto measure = [&](const std::string& name) -> int {
    auto parsed = ParseReportName(name, "name");
    if (!parsed.ok()) return Fail(parsed.status(), "name");
    auto scope = QueryScope::ForSystemWork(parsed->scope);
    if (!scope.ok()) return Fail(scope.status(), "scope");
    std::vector<double> ms;
    v1::Report r;
    for (int i = 0; i < absl::GetFlag(FLAGS_repetitions); ++i) {
      const absl::Time start = absl::Now();
      auto report = manager.Compute(*parsed, *scope);
      if (!report.ok()) return Fail(report.status(), "compute");
      ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      r = *std::move(report);
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "%-60s tickets %8lld  breaches %7lld  median %8.1f ms  min %8.1f ms  max %8.1f ms\n",
        name.c_str(), static_cast<long long>(r.total().ticket_count()),
        static_cast<long long>(r.total().breach_count()), ms[ms.size() / 2], ms.front(), ms.back());
    return 0;
  };
  int rc = measure(absl::StrCat(tenant->contract, "/reports/2026-12"));
  rc |= measure(absl::StrCat(tenant->customer, "/reports/2026-12"));
  rc |= measure("customers/-/reports/2026-12");
  return rc;
}

}  // namespace
}  // namespace sla::reporting

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return sla::reporting::Main();
}
