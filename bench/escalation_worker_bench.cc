// The escalation worker's pass over a large queue: 1,000,000 open tickets in MariaDB, of which
// 1 % have levels and breaches due (P1 tickets opened 20 minutes ago: response levels 1–3 and
// the response breach, four events each). Measures one pass that fires them all, then passes
// with nothing due. See docs/performance.md; run with scripts/bench.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "tests/harness/suite_harness.h"
#include "ticket-svc/storage/ticket_store.h"

ABSL_FLAG(int, tickets, 1'000'000, "Open tickets in the table.");
ABSL_FLAG(double, due_share, 0.01, "Share of them with events due.");
ABSL_FLAG(int, batch, 1000, "Tickets claimed per worker transaction.");
ABSL_FLAG(std::string, terms, "docs/examples/acme-managed-it-terms.json", "Example terms.");

namespace sla::ticket {
namespace {

int Fail(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

int Main() {
  const int64_t now = Utc(2026, 12, 4, 10);
  HarnessOptions options;
  options.example_terms_path = absl::GetFlag(FLAGS_terms);
  options.clock = [now] { return absl::FromUnixSeconds(now); };
  auto harness = SuiteHarness::Start(options);
  if (!harness.ok()) return Fail(harness.status(), "harness");
  SuiteHarness& h = **harness;
  absl::StatusOr<Tenant> tenant = h.NewTenant("Queue Co.");
  if (!tenant.ok()) return Fail(tenant.status(), "tenant");
  auto terms = h.ticket().terms().ForContractAt(tenant->contract, absl::FromUnixSeconds(now));
  if (!terms.ok()) return Fail(terms.status(), "terms");

  // Two templates: due (opened 20 min ago) and not due (opened now); copies differ by id.
  auto make = [&](int64_t opened) -> absl::StatusOr<std::pair<Ticket, Derived>> {
    Ticket t;
    t.customer_id = tenant->id;
    t.contract_id = tenant->contract.substr(tenant->contract.rfind('/') + 1);
    t.service_id = "service-desk";
    t.priority = sla::v1::PRIORITY_P1;
    t.title = "Mail server unreachable";
    t.reporter = "noc@queue.example";
    Effects fx;
    absl::Status s = Open(t, **terms, opened, "bench", fx);
    if (!s.ok()) return s;
    absl::StatusOr<Derived> d = Derive(t, **terms, opened);
    if (!d.ok()) return d.status();
    return std::make_pair(t, *d);
  };
  auto due = make(now - 1200);
  auto idle = make(now);
  if (!due.ok() || !idle.ok()) return Fail(due.ok() ? idle.status() : due.status(), "template");

  const int total = absl::GetFlag(FLAGS_tickets);
  const int due_count = static_cast<int>(total * absl::GetFlag(FLAGS_due_share));
  const absl::Time load_start = absl::Now();
  constexpr int kChunk = 2000;
  for (int base = 0; base < total; base += kChunk) {
    std::vector<Ticket> rows;
    std::vector<std::pair<const Ticket*, Derived>> refs;
    const int n = std::min(kChunk, total - base);
    rows.reserve(n);
    for (int i = 0; i < n; ++i) {
      // Due tickets spread through the id range, as they would be.
      const int k = base + i;
      const bool is_due = (static_cast<int64_t>(k) * due_count / total) !=
                          (static_cast<int64_t>(k + 1) * due_count / total);
      rows.push_back((is_due ? due : idle)->first);
      rows.back().id = absl::StrCat("q", absl::Dec(k, absl::kZeroPad8));
      refs.emplace_back(&rows.back(), (is_due ? due : idle)->second);
    }
    absl::Status s = mysql::RunInTransaction(
        h.ticket_pool(), [&](mysql::Connection& c) { return storage::SaveTickets(c, refs); });
    if (!s.ok()) return Fail(s, "load");
  }
  std::printf("loaded %d tickets (%d due) in %.1f s\n", total, due_count,
              absl::ToDoubleSeconds(absl::Now() - load_start));

  EscalationWorker worker(&h.ticket().repository(), &h.ticket().terms(),
                          EscalationWorkerOptions{options.clock, absl::GetFlag(FLAGS_batch)});
  const absl::Time t0 = absl::Now();
  absl::StatusOr<PassStats> pass = worker.RunOnce();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  if (!pass.ok()) return Fail(pass.status(), "pass");
  std::printf("pass with due events: %d tickets, %d events in %.3f s (%.0f tickets/s)\n",
              pass->tickets, pass->events, seconds, pass->tickets / seconds);

  // Passes with nothing due: at once (InnoDB still purging the pass's writes), then settled.
  for (const char* when : {"right after", "5 s after"}) {
    if (std::string(when) != "right after") absl::SleepFor(absl::Seconds(5));
    std::vector<double> empty_ms;
    for (int i = 0; i < 200; ++i) {
      const absl::Time s0 = absl::Now();
      absl::StatusOr<PassStats> again = worker.RunOnce();
      empty_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - s0));
      if (!again.ok()) return Fail(again.status(), "empty pass");
      if (again->tickets != 0) return Fail(absl::InternalError("found work"), "empty pass");
    }
    std::sort(empty_ms.begin(), empty_ms.end());
    std::printf(
        "pass with nothing due, %s (200 passes): median %.3f ms, p99 %.3f ms, max %.3f ms\n", when,
        empty_ms[100], empty_ms[197], empty_ms.back());
  }
  return 0;
}

}  // namespace
}  // namespace sla::ticket

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return sla::ticket::Main();
}
