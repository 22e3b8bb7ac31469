#include "common/outbox/sequencer.h"

#include "common/outbox/outbox.h"
#include "common/status/status_macros.h"

namespace sla::outbox {

Sequencer::Sequencer(mysql::ConnectionPool* pool, int batch_size)
    : pool_(pool), batch_size_(batch_size) {}

absl::StatusOr<int> Sequencer::RunOnce() {
  int total = 0;
  for (;;) {
    int numbered = 0;
    SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(numbered, Sequence(c, batch_size_));
      return absl::OkStatus();
    }));
    total += numbered;
    if (numbered < batch_size_) break;
  }
  // Wake watchers even when this replica numbered nothing: another replica may have.
  Notify();
  return total;
}

void Sequencer::Notify() {
  absl::MutexLock lock(&mu_);
  generation_++;
}

int64_t Sequencer::WaitForEvents(int64_t generation, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return generation_ != generation; };
  mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return generation_;
}

int64_t Sequencer::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

}  // namespace sla::outbox
