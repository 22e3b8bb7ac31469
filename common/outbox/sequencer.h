// Numbers committed outbox events (see outbox.h) and wakes the streams that wait for them.
// Safe in every replica at once: the sequence row's lock serializes them.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"

namespace sla::outbox {

class Sequencer {
 public:
  explicit Sequencer(mysql::ConnectionPool* pool, int batch_size = 1000);
  // Numbers every committed event; returns how many.
  absl::StatusOr<int> RunOnce();
  // Blocks until a pass completes after `generation` was observed, or `timeout`; returns the
  // current generation. Streams wait here between reads.
  int64_t WaitForEvents(int64_t generation, absl::Duration timeout);
  // Wakes the waiting streams without a pass: for a writer that numbered its own events
  // under the sequence row's lock (committed, so already readable).
  void Notify();
  int64_t generation() const;

 private:
  mysql::ConnectionPool* pool_;
  const int batch_size_;
  mutable absl::Mutex mu_;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sla::outbox
