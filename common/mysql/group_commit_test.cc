#include "common/mysql/group_commit.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace sla::mysql {
namespace {

struct Row {
  int value = 0;
};

// A fake transaction: slow enough that callers pile up behind it, and failing odd values, so
// each caller must get its own item's status.
class Recorder {
 public:
  void Flush(absl::Span<Row* const> rows, absl::Span<absl::Status> statuses) {
    const int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    absl::SleepFor(absl::Milliseconds(1));
    {
      absl::MutexLock lock(&mu_);
      batch_sizes_.push_back(static_cast<int>(rows.size()));
      for (size_t i = 0; i < rows.size(); ++i) {
        written_.push_back(rows[i]->value);
        statuses[i] = rows[i]->value % 2 ? absl::AlreadyExistsError(absl::StrCat(rows[i]->value))
                                         : absl::OkStatus();
      }
    }
    --in_flight_;
  }
  std::vector<int> written() {
    absl::MutexLock lock(&mu_);
    return written_;
  }
  std::vector<int> batch_sizes() {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  absl::Mutex mu_;
  std::vector<int> written_ ABSL_GUARDED_BY(mu_);
  std::vector<int> batch_sizes_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> in_flight_{0}, max_in_flight_{0};
};

TEST(GroupCommitTest, ALoneCallerIsWrittenAloneAndGetsItsStatus) {
  Recorder rec;
  GroupCommit<Row> commits(
      {.max_batch = 8, .writers = 2},
      [&](absl::Span<Row* const> r, absl::Span<absl::Status> s) { rec.Flush(r, s); });
  Row even{2}, odd{3};
  EXPECT_TRUE(commits.Submit(even).ok());
  const absl::Status s = commits.Submit(odd);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "3");
  EXPECT_EQ(rec.batch_sizes(), (std::vector<int>{1, 1}));
  EXPECT_EQ(commits.stats().items, 2);
  // Each fake transaction sleeps 1 ms; the slowest one is at least that and within the total.
  EXPECT_GE(commits.stats().longest, absl::Milliseconds(1));
  EXPECT_LE(commits.stats().longest, commits.stats().writing);
}

TEST(GroupCommitTest, CountsTransactionsSlowerThanTheThreshold) {
  Recorder rec;
  GroupCommit<Row> commits(
      {.max_batch = 8, .writers = 1, .slow_transaction = absl::Microseconds(500)},
      [&](absl::Span<Row* const> r, absl::Span<absl::Status> s) { rec.Flush(r, s); });
  Row a{2}, b{4};
  EXPECT_TRUE(commits.Submit(a).ok());
  EXPECT_TRUE(commits.Submit(b).ok());
  EXPECT_EQ(commits.stats().slow, 2);  // each fake transaction sleeps 1 ms
}

TEST(GroupCommitTest, ConcurrentCallersShareTransactionsEachWrittenOnceWithItsOwnStatus) {
  Recorder rec;
  constexpr int kThreads = 16, kPerThread = 100, kMaxBatch = 6, kWriters = 2;
  {
    GroupCommit<Row> commits(
        {.max_batch = kMaxBatch, .writers = kWriters},
        [&](absl::Span<Row* const> r, absl::Span<absl::Status> s) { rec.Flush(r, s); });
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          Row row{t * kPerThread + i};
          const absl::Status s = commits.Submit(row);
          const bool expect_ok = row.value % 2 == 0;
          if (s.ok() != expect_ok || (!s.ok() && s.message() != absl::StrCat(row.value))) wrong++;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    const auto stats = commits.stats();
    EXPECT_EQ(stats.items, kThreads * kPerThread);
    EXPECT_LE(stats.max_batch_seen, kMaxBatch);
    // 16 callers behind 1 ms transactions: batches form.
    EXPECT_LT(stats.batches, kThreads * kPerThread / 2);
  }
  const std::vector<int> written = rec.written();
  EXPECT_EQ(written.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::set<int>(written.begin(), written.end()).size(), written.size())
      << "an item written twice";
  EXPECT_LE(rec.max_in_flight(), kWriters);
  EXPECT_GE(rec.max_in_flight(), 1);
}

TEST(GroupCommitTest, DestructionWritesWhatIsQueuedFirst) {
  Recorder rec;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  {
    GroupCommit<Row> commits(
        {.max_batch = 2, .writers = 1},
        [&](absl::Span<Row* const> r, absl::Span<absl::Status> s) { rec.Flush(r, s); });
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        Row row{2 * t};
        if (commits.Submit(row).ok()) done++;
      });
    }
    for (auto& th : threads) th.join();
  }
  EXPECT_EQ(done.load(), 8);
  EXPECT_EQ(rec.written().size(), 8u);
}

}  // namespace
}  // namespace sla::mysql
