#include "ticket-svc/app/workers.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "ticket-svc/app/ticket_effects.h"

namespace sla::ticket {

EscalationWorker::EscalationWorker(TicketRepository* repo, TermsCache* terms,
                                   EscalationWorkerOptions options)
    : repo_(repo), terms_(terms), options_(std::move(options)) {}

absl::StatusOr<PassStats> EscalationWorker::RunOnce() {
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  // Batches run in `parallelism` transactions at once; ClaimDueTickets keeps them on disjoint
  // rows.
  absl::Mutex mu;
  PassStats total;
  absl::Status error;
  auto drain = [&] {
    for (;;) {
      absl::StatusOr<PassStats> batch = RunBatch(now);
      absl::MutexLock lock(&mu);
      if (!batch.ok()) {
        error.Update(batch.status());
        return;
      }
      total.tickets += batch->tickets;
      total.events += batch->events;
      if (batch->events > 0) options_.on_events_written();
      if (batch->tickets < options_.batch_size || !error.ok()) return;
    }
  };
  std::vector<std::thread> helpers;
  for (int i = 1; i < options_.parallelism; ++i) helpers.emplace_back(drain);
  drain();
  for (auto& t : helpers) t.join();
  if (!error.ok()) return error;
  return total;
}

absl::StatusOr<PassStats> EscalationWorker::RunBatch(int64_t now) {
  PassStats stats;
  SLA_RETURN_IF_ERROR(repo_->Transact([&](TicketTx& tx) -> absl::Status {
    stats = {};
    SLA_ASSIGN_OR_RETURN(std::vector<Ticket> due, tx.ClaimDueTickets(now, options_.batch_size));
    std::vector<Effects> effects(due.size());
    std::vector<std::shared_ptr<const core::TermsContext>> terms(due.size());
    std::vector<std::pair<const Ticket*, Derived>> rows;
    std::vector<TicketEffects> batch;
    rows.reserve(due.size());
    for (size_t i = 0; i < due.size(); ++i) {
      Ticket& t = due[i];
      absl::StatusOr<std::shared_ptr<const core::TermsContext>> ctx =
          terms_->ForVersion(t.terms_version, tx);
      absl::Status s = ctx.status();
      Derived d;
      if (s.ok()) {
        terms[i] = *ctx;
        s = CatchUp(t, *terms[i], now, effects[i]);
      }
      if (s.ok()) {
        absl::StatusOr<Derived> derived = Derive(t, *terms[i], now);
        s = derived.status();
        if (s.ok()) d = *derived;
      }
      if (!s.ok()) {
        // One bad ticket must not stall the queue: look at it again in an hour.
        log::Error("escalation worker cannot process ticket",
                   {{"ticket", t.name()}, {"error", s.ToString()}});
        effects[i] = {};
        d = {};
        d.next_event_at = now + 3600;
      } else {
        batch.push_back({&t, terms[i].get(), &effects[i]});
      }
      t.version++;
      stats.events += static_cast<int>(effects[i].events.size());
      rows.emplace_back(&t, d);
    }
    stats.tickets = static_cast<int>(due.size());
    if (due.empty()) return absl::OkStatus();
    SLA_RETURN_IF_ERROR(WriteEffects(tx, batch, now));
    return tx.SaveTickets(rows);
  }));
  return stats;
}

}  // namespace sla::ticket
