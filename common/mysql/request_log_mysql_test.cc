#include <atomic>
#include <thread>

#include "common/mysql/migrator.h"
#include "common/mysql/request_log.h"
#include "common/status/status_macros.h"
#include "common/test_util/mariadb_env.h"
#include "gtest/gtest.h"

namespace sla::mysql {
namespace {

class RequestLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::ScratchDatabase::Create("reqlog");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    pool_ = *ConnectionPool::Create(db_->options());
    auto c = pool_->Acquire();
    ASSERT_TRUE((*c)->ExecuteUnprepared(
                        "CREATE TABLE request_log (request_id VARCHAR(128) NOT NULL, method "
                        "VARCHAR(64) NOT NULL, caller VARCHAR(256) NOT NULL, resource_name "
                        "VARCHAR(512) NOT NULL, request_hash CHAR(64) NOT NULL DEFAULT '', "
                        "created_at TIMESTAMP(6) NOT NULL DEFAULT "
                        "CURRENT_TIMESTAMP(6), PRIMARY KEY (request_id, method, caller))")
                    .ok());
    ASSERT_TRUE((*c)->ExecuteUnprepared("CREATE TABLE things (name VARCHAR(64) PRIMARY KEY)").ok());
  }

  // A create as services write it: claim, then insert, in one transaction.
  absl::StatusOr<std::string> Create(const std::string& request_id, const std::string& caller,
                                     const std::string& new_name,
                                     const std::string& fingerprint = "f1") {
    std::string result;
    absl::Status s = RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(auto earlier, ClaimRequestId(c, {request_id, fingerprint}, "CreateThing",
                                                        caller, new_name));
      if (earlier) {
        result = *earlier;
        return absl::OkStatus();
      }
      SLA_ASSIGN_OR_RETURN(auto* st, c.Prepare("INSERT INTO things (name) VALUES (?)"));
      result = new_name;
      return Guard([&] {
        st->setString(1, new_name);
        st->executeUpdate();
      });
    });
    if (!s.ok()) return s;
    return result;
  }

  int64_t Things() { return test::CountRows(*pool_, "things"); }

  std::unique_ptr<test::ScratchDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(RequestLogTest, TheSameIdWithADifferentRequestIsRefusedNamingTheId) {
  EXPECT_EQ(*Create("req-9", "alice", "things/a", "f1"), "things/a");
  const absl::StatusOr<std::string> other = Create("req-9", "alice", "things/b", "f2");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("req-9"), absl::string_view::npos) << other.status();
  EXPECT_EQ(Things(), 1);
  // A claim stored without a fingerprint (before they were kept) is not compared.
  EXPECT_EQ(*Create("req-10", "alice", "things/c", ""), "things/c");
  EXPECT_EQ(*Create("req-10", "alice", "things/d", "f3"), "things/c");
}

TEST_F(RequestLogTest, RetryReturnsTheFirstResource) {
  EXPECT_EQ(*Create("req-1", "alice", "things/a"), "things/a");
  EXPECT_EQ(*Create("req-1", "alice", "things/b"), "things/a");
  EXPECT_EQ(Things(), 1);
  // Another caller's identical id is another request.
  EXPECT_EQ(*Create("req-1", "bob", "things/c"), "things/c");
  // No id: no idempotency.
  EXPECT_EQ(*Create("", "alice", "things/d"), "things/d");
  EXPECT_EQ(Things(), 3);
  EXPECT_EQ(Create(std::string(129, 'x'), "alice", "things/e").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RequestLogTest, ConcurrentRetriesCreateOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::vector<std::string> names(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = Create("req-race", "alice", "things/t" + std::to_string(i));
      if (r.ok()) {
        names[i] = *r;
        ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(Things(), 1);
  for (const auto& n : names) EXPECT_EQ(n, names[0]);
}

}  // namespace
}  // namespace sla::mysql
