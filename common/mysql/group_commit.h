// Group commit: concurrent callers' writes share one transaction, and so one durable flush of
// the redo log and one set of round trips, instead of one each.
//
// A caller queues its item and blocks until the item's transaction has committed (or failed).
// When fewer than `writers` batches are being written, the caller writes at once on its own
// thread (its item and the oldest others queued): a lone request pays nothing for the group
// commit. Otherwise the item waits for one of `writers` threads of this object, which take
// the oldest queued items (at most `max_batch`; at most `writers` batches in flight in all),
// run `flush` on them and hand each item its own status. There is no timer: a batch
// is whatever queued while earlier transactions were committing. Under load the writer
// threads never sleep, where handing the writer's role from caller to waiting caller cost a
// wake-up per batch (milliseconds on two busy cores). Nothing is acknowledged before its
// commit, so durability is that of a transaction per item.
//
//   GroupCommit<NewRow> commits({.max_batch = 64, .writers = 1},
//       [&](absl::Span<NewRow* const> rows, absl::Span<absl::Status> statuses) { ... });
//   absl::Status s = commits.Submit(row);
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace sla::mysql {

struct GroupCommitOptions {
  int max_batch = 64;  // items per transaction
  // Writer threads, so transactions in flight at once (each holds a connection). One is the
  // better default against a local server: callers queue while it commits, so the next
  // transaction carries more of them (measured in docs/performance.md).
  int writers = 1;
  // Transactions taking longer are counted in Stats::slow: each holds up every caller queued
  // behind it, which is where an open-loop latency tail comes from.
  absl::Duration slow_transaction = absl::Milliseconds(5);
};

template <typename Item>
class GroupCommit {
 public:
  // Commits `items` and sets `statuses[i]` for each (all OK when the transaction committed).
  // Must set every status; a failure of one item should not fail the others.
  using Flush =
      std::function<void(absl::Span<Item* const> items, absl::Span<absl::Status> statuses)>;

  GroupCommit(GroupCommitOptions options, Flush flush)
      : options_(options), flush_(std::move(flush)) {
    if (options_.max_batch < 1) options_.max_batch = 1;
    if (options_.writers < 1) options_.writers = 1;
    for (int i = 0; i < options_.writers; ++i) threads_.emplace_back([this] { WriterLoop(); });
  }
  // Items still queued are written first; Submit must not be called once destruction began.
  ~GroupCommit() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (std::thread& t : threads_) t.join();
  }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Blocks until `item` is committed or has failed; returns its status.
  absl::Status Submit(Item& item) {
    Waiter me;
    me.item = &item;
    absl::MutexLock lock(&mu_);
    queue_.push_back(&me);
    if (writing_ < options_.writers) {
      // A transaction slot is free: write now on this thread (with whatever else queued)
      // instead of waking a writer thread and being woken by it.
      WriteBatch();
      if (me.done) return me.status;
    }
    auto done = [&] { return me.done; };
    mu_.Await(absl::Condition(&done));
    return me.status;
  }

  struct Stats {
    int64_t batches = 0;
    int64_t items = 0;
    int max_batch_seen = 0;
    absl::Duration writing;  // summed over the writers
    absl::Duration longest;  // the slowest transaction: what a caller may wait on top of its own
    int64_t slow = 0;        // transactions longer than GroupCommitOptions::slow_transaction
  };
  Stats stats() const {
    absl::MutexLock lock(&mu_);
    return stats_;
  }

 private:
  struct Waiter {
    Item* item = nullptr;
    bool done = false;
    absl::Status status;
  };

  void WriterLoop() {
    absl::MutexLock lock(&mu_);
    for (;;) {
      auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || (!queue_.empty() && writing_ < options_.writers);
      };
      mu_.Await(absl::Condition(&work));
      if (queue_.empty()) return;  // stopping, nothing left
      WriteBatch();
    }
  }

  // Takes the oldest queued items and commits them, releasing mu_ meanwhile.
  void WriteBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<Waiter*> batch;
    while (!queue_.empty() && batch.size() < static_cast<size_t>(options_.max_batch)) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    ++writing_;
    stats_.batches++;
    stats_.items += static_cast<int64_t>(batch.size());
    stats_.max_batch_seen = std::max(stats_.max_batch_seen, static_cast<int>(batch.size()));
    std::vector<Item*> items;
    items.reserve(batch.size());
    for (Waiter* w : batch) items.push_back(w->item);
    std::vector<absl::Status> statuses(batch.size(),
                                       absl::InternalError("group commit: status not set"));
    mu_.Unlock();
    const absl::Time start = absl::Now();
    flush_(absl::MakeConstSpan(items), absl::MakeSpan(statuses));
    const absl::Duration took = absl::Now() - start;
    mu_.Lock();
    --writing_;
    stats_.writing += took;
    stats_.longest = std::max(stats_.longest, took);
    if (took > options_.slow_transaction) stats_.slow++;
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i]->status = std::move(statuses[i]);
      batch[i]->done = true;
    }
  }

  GroupCommitOptions options_;
  Flush flush_;
  mutable absl::Mutex mu_;
  std::deque<Waiter*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int writing_ ABSL_GUARDED_BY(mu_) = 0;  // batches being written (by writers or callers)
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;  // last: started when everything above exists
};

}  // namespace sla::mysql
