// ticket-svc's background work, safe to run in every replica at once:
//   - EscalationWorker fires the time-driven events (escalation levels, breaches) of tickets
//     whose `next_event_at` has come, claiming rows with SELECT … FOR UPDATE SKIP LOCKED, so
//     replicas share the work and none fires an event twice; a restart loses nothing because
//     the queue is the tickets table itself.
//   - OutboxSequencer numbers committed outbox events (see docs/architecture.md) and wakes the
//     WatchEvents streams of this replica.
// Both take "now" from an injectable clock and expose RunOnce() so tests drive them step by
// step instead of sleeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"
#include "ticket-svc/app/terms_cache.h"

namespace sla::ticket {

// A thread that runs `pass` every `interval` (or sooner when woken, but never twice within
// `min_gap`, so a burst of wake-ups costs one pass) until stopped.
class Periodic {
 public:
  Periodic(std::string name, absl::Duration interval, std::function<void()> pass,
           absl::Duration min_gap = absl::ZeroDuration());
  ~Periodic();
  void Start();
  void Wake();
  void Stop();

 private:
  const std::string name_;
  const absl::Duration interval_;
  std::function<void()> pass_;
  const absl::Duration min_gap_;
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

struct EscalationWorkerOptions {
  std::function<absl::Time()> clock;
  int batch_size = 500;
  std::function<void()> on_events_written = [] {};
  // Batches in flight at once within a pass (each on its own connection).
  int parallelism = 2;
};

struct PassStats {
  int tickets = 0;  // tickets whose events were processed
  int events = 0;   // outbox events written (breaches, levels fired)
};

class EscalationWorker {
 public:
  EscalationWorker(mysql::ConnectionPool* pool, TermsCache* terms, EscalationWorkerOptions options);
  // Processes every ticket with an event due by now, batch by batch, each batch one
  // transaction. Stops early (with what it did so far) on an error.
  absl::StatusOr<PassStats> RunOnce();

 private:
  absl::StatusOr<PassStats> RunBatch(int64_t now);
  mysql::ConnectionPool* pool_;
  TermsCache* terms_;
  EscalationWorkerOptions options_;
};

class OutboxSequencer {
 public:
  explicit OutboxSequencer(mysql::ConnectionPool* pool, int batch_size = 1000);
  // Numbers every committed event; returns how many.
  absl::StatusOr<int> RunOnce();
  // Blocks until a pass numbers events after `generation` was observed, or `timeout`; returns
  // the current generation. WatchEvents streams wait here between reads.
  int64_t WaitForEvents(int64_t generation, absl::Duration timeout);
  int64_t generation() const;

 private:
  mysql::ConnectionPool* pool_;
  const int batch_size_;
  mutable absl::Mutex mu_;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sla::ticket
