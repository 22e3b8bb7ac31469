// The terms cache on MariaDB, with a contract-svc stand-in that counts its calls and can hold
// one open: once the latest version's TTL has run out, concurrent callers share one call and
// keep using the version in force meanwhile; callers with nothing cached wait for the one
// call (and share its error); a re-check that finds the same version writes and compiles
// nothing, and one that finds an amendment uses it at once.
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/core/test_terms.h"
#include "common/test_util/mariadb_env.h"
#include "gtest/gtest.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/storage/mysql_ticket_repository.h"

namespace sla::ticket {
const std::vector<mysql::Migration>& Migrations();
namespace {

constexpr char kContract[] = "customers/acme/contracts/main";

// contract-svc's ResolveTerms as a test sets it: the version to answer (or an error), and a
// gate that holds calls open until the test releases it (at most 10 s, so that a cache that
// waits where it should not fails the counts instead of hanging the test).
class FakeSource final : public TermsSource {
 public:
  absl::StatusOr<ResolvedVersion> Resolve(const std::string&, absl::Time) override {
    absl::MutexLock lock(&mu_);
    calls_++;
    mu_.AwaitWithTimeout(absl::Condition(this, &FakeSource::Open), absl::Seconds(10));
    if (!error_.ok()) return error_;
    return answer_;
  }
  absl::StatusOr<ResolvedVersion> ResolveVersion(const std::string& contract,
                                                 const std::string&) override {
    return Resolve(contract, absl::Now());
  }

  void Answer(const std::string& version) {
    absl::MutexLock lock(&mu_);
    answer_.name = version;
    answer_.terms = core::testing::BangkokTerms();
    answer_.effective_from = absl::FromUnixSeconds(0);
    error_ = absl::OkStatus();
  }
  void Fail(absl::Status error) {
    absl::MutexLock lock(&mu_);
    error_ = std::move(error);
  }
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  // Returns once `n` calls have arrived.
  void AwaitCalls(int n) {
    absl::MutexLock lock(&mu_);
    want_ = n;
    mu_.Await(absl::Condition(this, &FakeSource::Arrived));
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  bool Open() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !held_; }
  bool Arrived() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return calls_ >= want_; }

  mutable absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int want_ ABSL_GUARDED_BY(mu_) = 0;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  ResolvedVersion answer_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

class TermsCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::CreateMigratedDatabase("terms_cache", Migrations());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    source_.Answer(absl::StrCat(kContract, "/versions/1"));
    repo_ = std::make_unique<storage::MysqlTicketRepository>(db_.pool.get());
    cache_ = std::make_unique<TermsCache>(
        &source_, repo_.get(), [this] { return Now(); }, absl::Seconds(30));
  }

  absl::Time Now() {
    absl::MutexLock lock(&clock_mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&clock_mu_);
    now_ += d;
  }
  std::shared_ptr<const core::TermsContext> Get() {
    auto ctx = cache_->ForContractAt(kContract, Now());
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    return ctx.ok() ? *ctx : nullptr;
  }
  int64_t StoredVersions() { return test::CountRows(*db_.pool, "terms_versions"); }

  test::MigratedDatabase db_;
  FakeSource source_;
  std::unique_ptr<storage::MysqlTicketRepository> repo_;
  std::unique_ptr<TermsCache> cache_;
  absl::Mutex clock_mu_;
  absl::Time now_ ABSL_GUARDED_BY(clock_mu_) = absl::FromUnixSeconds(1'796'500'000);
};

TEST_F(TermsCacheTest, CallersAfterTheTtlShareOneCallAndUseTheVersionInForceMeanwhile) {
  const std::shared_ptr<const core::TermsContext> first = Get();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(Get().get(), first.get());  // within the TTL: no call
  EXPECT_EQ(source_.calls(), 1);

  Advance(absl::Seconds(31));
  source_.Hold();
  std::shared_ptr<const core::TermsContext> rechecked;
  std::thread asker([&] { rechecked = Get(); });
  source_.AwaitCalls(2);  // the re-check is under way, held open
  // Everyone else meanwhile: the version in force, at once, with no call of their own.
  std::vector<std::thread> others;
  std::vector<std::shared_ptr<const core::TermsContext>> seen(8);
  for (size_t i = 0; i < seen.size(); ++i) others.emplace_back([&, i] { seen[i] = Get(); });
  for (auto& t : others) t.join();
  EXPECT_EQ(source_.calls(), 2);
  for (const auto& ctx : seen) EXPECT_EQ(ctx.get(), first.get());
  source_.Release();
  asker.join();

  // The same version still in force: the compiled terms are kept, nothing is written again.
  EXPECT_EQ(rechecked.get(), first.get());
  EXPECT_EQ(StoredVersions(), 1);
  EXPECT_EQ(cache_->remote_calls(), 2);
  EXPECT_EQ(Get().get(), first.get());
  EXPECT_EQ(source_.calls(), 2);
}

TEST_F(TermsCacheTest, CallersWithNothingCachedWaitForTheOneCall) {
  source_.Hold();
  std::vector<std::thread> callers;
  std::vector<std::shared_ptr<const core::TermsContext>> seen(8);
  for (size_t i = 0; i < seen.size(); ++i) callers.emplace_back([&, i] { seen[i] = Get(); });
  source_.AwaitCalls(1);
  // Give the other callers time to arrive; a cache that lets them ask too is caught by the
  // count below (a slow start can only hide that, never fail a correct cache).
  absl::SleepFor(absl::Milliseconds(200));
  source_.Release();
  for (auto& t : callers) t.join();
  EXPECT_EQ(source_.calls(), 1);
  ASSERT_NE(seen[0], nullptr);
  for (const auto& ctx : seen) EXPECT_EQ(ctx.get(), seen[0].get());
  EXPECT_EQ(StoredVersions(), 1);
}

TEST_F(TermsCacheTest, WaitersShareTheOneCallsErrorAndTheNextCallerAsksAgain) {
  source_.Fail(absl::UnavailableError("contract-svc is not reachable"));
  source_.Hold();
  std::vector<std::thread> callers;
  std::vector<absl::Status> seen(6);
  for (size_t i = 0; i < seen.size(); ++i) {
    callers.emplace_back([&, i] { seen[i] = cache_->ForContractAt(kContract, Now()).status(); });
  }
  source_.AwaitCalls(1);
  absl::SleepFor(absl::Milliseconds(200));
  source_.Release();
  for (auto& t : callers) t.join();
  EXPECT_EQ(source_.calls(), 1);
  for (const absl::Status& s : seen) EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(StoredVersions(), 0);

  // An error is not cached: once contract-svc answers, the next caller gets the terms.
  source_.Answer(absl::StrCat(kContract, "/versions/1"));
  EXPECT_NE(Get(), nullptr);
  EXPECT_EQ(source_.calls(), 2);
}

TEST_F(TermsCacheTest, AnAmendmentFoundAtTheTtlIsUsedAtOnce) {
  const std::shared_ptr<const core::TermsContext> first = Get();
  ASSERT_NE(first, nullptr);
  source_.Answer(absl::StrCat(kContract, "/versions/2"));
  Advance(absl::Seconds(29));
  EXPECT_EQ(Get().get(), first.get());  // not re-checked yet
  Advance(absl::Seconds(2));
  const std::shared_ptr<const core::TermsContext> amended = Get();
  ASSERT_NE(amended, nullptr);
  EXPECT_NE(amended.get(), first.get());
  EXPECT_EQ(amended->version_name(), absl::StrCat(kContract, "/versions/2"));
  EXPECT_EQ(Get().get(), amended.get());
  EXPECT_EQ(StoredVersions(), 2);
  EXPECT_EQ(source_.calls(), 2);
}

}  // namespace
}  // namespace sla::ticket
