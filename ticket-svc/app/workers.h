// ticket-svc's background work, safe to run in every replica at once:
//   - EscalationWorker fires the time-driven events (escalation levels, breaches) of tickets
//     whose `next_event_at` has come, claiming rows with SELECT … FOR UPDATE SKIP LOCKED, so
//     replicas share the work and none fires an event twice; a restart loses nothing because
//     the queue is the tickets table itself.
//   - the outbox sequencer (common/outbox) numbers committed events and wakes the
//     WatchEvents streams of this replica.
// Both take "now" from an injectable clock and expose RunOnce() so tests drive them step by
// step instead of sleeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_repository.h"

namespace sla::ticket {

struct EscalationWorkerOptions {
  std::function<absl::Time()> clock;
  int batch_size = 500;
  std::function<void()> on_events_written = [] {};
  // Batches in flight at once within a pass (each its own transaction).
  int parallelism = 2;
};

struct PassStats {
  int tickets = 0;  // tickets whose events were processed
  int events = 0;   // outbox events written (breaches, levels fired)
};

class EscalationWorker {
 public:
  // `repo` and `terms` must outlive it.
  EscalationWorker(TicketRepository* repo, TermsCache* terms, EscalationWorkerOptions options);
  // Processes every ticket with an event due by now, batch by batch, each batch one
  // transaction. Stops early (with what it did so far) on an error.
  absl::StatusOr<PassStats> RunOnce();

 private:
  absl::StatusOr<PassStats> RunBatch(int64_t now);
  TicketRepository* repo_;
  TermsCache* terms_;
  EscalationWorkerOptions options_;
};

}  // namespace sla::ticket
