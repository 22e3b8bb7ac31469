#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/migrator.h"
#include "common/mysql/sql_literals.h"
#include "common/status/status_macros.h"
#include "common/test_util/mariadb_env.h"
#include "gtest/gtest.h"

namespace sla::mysql {
namespace {

class MySqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::ScratchDatabase::Create("pool");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto pool = ConnectionPool::Create(db_->options());
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    Exec("CREATE TABLE parent (id VARCHAR(64) PRIMARY KEY, note TEXT) ENGINE=InnoDB");
    Exec(
        "CREATE TABLE child (id INT PRIMARY KEY, parent_id VARCHAR(64) NOT NULL,"
        " FOREIGN KEY (parent_id) REFERENCES parent(id)) ENGINE=InnoDB");
  }

  void Exec(const std::string& sql) {
    auto c = pool_->Acquire();
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE((*c)->ExecuteUnprepared(sql).ok()) << sql;
  }

  absl::Status Insert(Connection& c, const std::string& id, const std::string& note) {
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                         c.Prepare("INSERT INTO parent (id, note) VALUES (?, ?)"));
    return Guard([&] {
      st->setString(1, id);
      st->setString(2, note);
      st->executeUpdate();
    });
  }

  int64_t Count(const std::string& table) { return test::CountRows(*pool_, table); }

  std::unique_ptr<test::ScratchDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

// Compound statements (several statements, one round trip) carry values as hex literals:
// hostile text, Thai, binary bytes and NULL arrive verbatim; a failing statement stops the
// compound statement there.
TEST_F(MySqlTest, CompoundStatementsStoreLiteralsVerbatimAndStopAtTheFirstError) {
  Exec(
      "CREATE TABLE lit (id INT PRIMARY KEY, note VARCHAR(100) NOT NULL, data BLOB NULL) "
      "ENGINE=InnoDB");
  const std::string hostile = "x'); DROP TABLE lit; -- \\ \" END; ก", binary("\0\xff\x01'", 4);
  auto row = [](int id, const std::string& note, const std::string* data) {
    LiteralRow r(3);
    r.setInt(1, id);
    r.setString(2, note);
    if (data != nullptr) {
      r.setString(3, *data);
    } else {
      r.setNull(3, 0);
    }
    return r.Render();
  };
  auto c = pool_->Acquire();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->ExecuteCompound(absl::StrCat("START TRANSACTION;INSERT INTO lit VALUES ",
                                                 row(1, hostile, &binary), ",", row(2, "", nullptr),
                                                 ";COMMIT;"))
                  .ok());
  EXPECT_EQ(Count("lit"), 2);
  std::string note, data;
  bool null2 = false;
  ASSERT_TRUE(Guard([&] {
                std::unique_ptr<sql::Statement> st((*c)->raw().createStatement());
                std::unique_ptr<sql::ResultSet> rs(
                    st->executeQuery("SELECT note, data FROM lit ORDER BY id"));
                rs->next();
                note = rs->getString(1);
                data = rs->getString(2);
                rs->next();
                null2 = rs->isNull(2);
              }).ok());
  EXPECT_EQ(note, hostile);
  EXPECT_EQ(data, binary);
  EXPECT_TRUE(null2);

  // The second INSERT repeats id 1: ALREADY_EXISTS, nothing after it ran (no COMMIT), and the
  // transaction is still open until the caller rolls it back.
  const absl::Status dup = (*c)->ExecuteCompound(
      absl::StrCat("START TRANSACTION;INSERT INTO lit VALUES ", row(3, "three", nullptr),
                   ";INSERT INTO lit VALUES ", row(1, "again", nullptr), ";INSERT INTO lit VALUES ",
                   row(4, "four", nullptr), ";COMMIT;"));
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;
  int in_transaction = -1;
  ASSERT_TRUE(Guard([&] {
                std::unique_ptr<sql::Statement> st((*c)->raw().createStatement());
                std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT @@in_transaction"));
                if (rs->next()) in_transaction = rs->getInt(1);
              }).ok());
  EXPECT_EQ(in_transaction, 1);
  ASSERT_TRUE((*c)->ExecuteUnprepared("ROLLBACK").ok());
  EXPECT_EQ(Count("lit"), 2);
  // Invalid UTF-8 into a text column is refused as a bound parameter would be.
  EXPECT_FALSE(
      (*c)->ExecuteCompound(absl::StrCat("INSERT INTO lit VALUES ", row(5, "\xff", nullptr), ";"))
          .ok());
  EXPECT_EQ(Count("lit"), 2);
  // Outside a compound statement, stacked statements are refused outright: connections never
  // enable multi-statements.
  EXPECT_FALSE(
      (*c)->ExecuteUnprepared(absl::StrCat("INSERT INTO lit VALUES ", row(6, "six", nullptr),
                                           ";INSERT INTO lit VALUES ", row(7, "seven", nullptr)))
          .ok());
  EXPECT_EQ(Count("lit"), 2);
}

TEST_F(MySqlTest, PreparedStatementsStoreHostileTextVerbatimAndAreCached) {
  const std::string hostile = "x'); DROP TABLE parent; -- \\ \" ก";
  ASSERT_TRUE(
      RunInTransaction(*pool_, [&](Connection& c) { return Insert(c, "a", hostile); }).ok());
  auto c = pool_->Acquire();
  ASSERT_TRUE(c.ok());
  auto st1 = (*c)->Prepare("SELECT note FROM parent WHERE id = ?");
  auto st2 = (*c)->Prepare("SELECT note FROM parent WHERE id = ?");
  ASSERT_TRUE(st1.ok());
  EXPECT_EQ(*st1, *st2);  // one server-side statement per connection and SQL text
  std::string got;
  ASSERT_TRUE(Guard([&] {
                (*st1)->setString(1, "a");
                std::unique_ptr<sql::ResultSet> rs((*st1)->executeQuery());
                ASSERT_TRUE(rs->next());
                got = rs->getString(1);
              }).ok());
  EXPECT_EQ(got, hostile);
  EXPECT_EQ(Count("parent"), 1);
}

TEST_F(MySqlTest, DriverErrorsMapToStatusCodes) {
  ASSERT_TRUE(RunInTransaction(*pool_, [&](Connection& c) { return Insert(c, "a", ""); }).ok());
  EXPECT_EQ(RunInTransaction(*pool_, [&](Connection& c) { return Insert(c, "a", ""); }).code(),
            absl::StatusCode::kAlreadyExists);
  const absl::Status fk = RunInTransaction(*pool_, [&](Connection& c) {
    return c.ExecuteUnprepared("INSERT INTO child (id, parent_id) VALUES (1, 'missing')");
  });
  EXPECT_EQ(fk.code(), absl::StatusCode::kFailedPrecondition);
  const absl::Status syntax = RunInTransaction(
      *pool_, [&](Connection& c) { return c.ExecuteUnprepared("SELEC nonsense"); });
  EXPECT_EQ(syntax.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(syntax.message().find("SELEC"), absl::string_view::npos);  // no SQL text leaks
}

TEST_F(MySqlTest, FailedTransactionRollsBack) {
  const absl::Status s = RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
    if (absl::Status i = Insert(c, "a", ""); !i.ok()) return i;
    return absl::InvalidArgumentError("validation failed after the write");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("parent"), 0);
}

TEST_F(MySqlTest, LockWaitTimeoutIsRetriedButApplicationAbortIsNot) {
  ASSERT_TRUE(RunInTransaction(*pool_, [&](Connection& c) { return Insert(c, "a", "v0"); }).ok());
  absl::Notification holder_locked, second_attempt;
  std::thread holder([&] {
    ASSERT_TRUE(RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
                  SLA_RETURN_IF_ERROR(
                      c.ExecuteUnprepared("UPDATE parent SET note='h' WHERE id='a'"));
                  holder_locked.Notify();
                  second_attempt.WaitForNotification();
                  return absl::OkStatus();
                }).ok());
  });
  holder_locked.WaitForNotification();
  std::atomic<int> attempts{0};
  const absl::Status s = RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
    if (++attempts == 2) second_attempt.Notify();
    SLA_RETURN_IF_ERROR(c.ExecuteUnprepared("SET SESSION innodb_lock_wait_timeout = 1"));
    return c.ExecuteUnprepared("UPDATE parent SET note='w' WHERE id='a'");
  });
  holder.join();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(attempts.load(), 2);

  int app_attempts = 0;
  const absl::Status stale = RunInTransaction(*pool_, [&](Connection&) {
    ++app_attempts;
    return absl::AbortedError("stale etag");
  });
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(app_attempts, 1);
}

TEST_F(MySqlTest, LostConnectionIsReplacedAndTheTransactionRetried) {
  auto killer = ConnectionPool::Create(db_->options());
  ASSERT_TRUE(killer.ok());
  int attempts = 0;
  const absl::Status s = RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
    if (++attempts == 1) {
      // The server drops this connection in the middle of the transaction.
      int64_t self = 0;
      SLA_RETURN_IF_ERROR(Guard([&] {
        std::unique_ptr<sql::Statement> st(c.raw().createStatement());
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT CONNECTION_ID()"));
        rs->next();
        self = rs->getInt64(1);
      }));
      auto k = (*killer)->Acquire();
      SLA_RETURN_IF_ERROR((*k)->ExecuteUnprepared("KILL " + std::to_string(self)));
    }
    return Insert(c, "b", "after reconnect");
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Count("parent"), 1);
}

TEST_F(MySqlTest, ExhaustedPoolTimesOutAsUnavailable) {
  ConnectionOptions o = db_->options();
  o.pool_size = 1;
  auto pool = ConnectionPool::Create(o);
  ASSERT_TRUE(pool.ok());
  auto held = (*pool)->Acquire();
  ASSERT_TRUE(held.ok());
  EXPECT_EQ((*pool)->Acquire(absl::Milliseconds(50)).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(MySqlTest, BadCredentialsArePermissionDenied) {
  ConnectionOptions o = db_->options();
  o.password = "wrong-password";
  o.user = "nobody_here";
  EXPECT_EQ(ConnectionPool::Create(o).status().code(), absl::StatusCode::kPermissionDenied);
}

// Where the session came from, as the server sees it: 'localhost' on the Unix socket,
// '127.0.0.1:<port>' over TCP.
std::string SessionHost(ConnectionPool& pool) {
  std::string host;
  absl::Status s = WithConnection(pool, [&](Connection& c) {
    return Guard([&] {
      std::unique_ptr<sql::Statement> st(c.raw().createStatement());
      std::unique_ptr<sql::ResultSet> rs(st->executeQuery(
          "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()"));
      if (rs->next()) host = rs->getString(1);
    });
  });
  return s.ok() ? host : s.ToString();
}

TEST_F(MySqlTest, UnixSocketReplacesHostAndPort) {
  absl::StatusOr<std::string> socket = test::TestServerSocket();
  ASSERT_TRUE(socket.ok()) << socket.status();
  ConnectionOptions o = db_->options();
  o.socket = *socket;
  o.host = "host.invalid";  // neither is used once a socket is set
  o.port = 1;
  auto pool = ConnectionPool::Create(o);
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ(SessionHost(**pool), "localhost");
  EXPECT_TRUE(absl::StartsWith(SessionHost(*pool_), "127.0.0.1:"));  // the TCP pool beside it
  ASSERT_TRUE(
      WithConnection(**pool, [&](Connection& c) { return Insert(c, "via-socket", "x"); }).ok());
  EXPECT_EQ(Count("parent"), 1);  // the same server and database

  o.socket = ::testing::TempDir() + "/no-such-mysqld.sock";
  EXPECT_EQ(ConnectionPool::Create(o).status().code(), absl::StatusCode::kUnavailable);
}

const std::vector<Migration> kMigrations = {
    {"V0001__create_a.sql",
     "CREATE TABLE a (id INT PRIMARY KEY);\n-- second statement\n"
     "INSERT INTO a (id)\n  VALUES (1);\n"},
    {"V0002__create_b.sql", "CREATE TABLE b (id INT PRIMARY KEY);\n"},
};

TEST_F(MySqlTest, MigrationsApplyOnceAndRefuseEdits) {
  auto first = Migrate(*pool_, kMigrations);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  EXPECT_EQ(Count("a"), 1);
  EXPECT_EQ(*Migrate(*pool_, kMigrations), 0);

  std::vector<Migration> edited = kMigrations;
  edited[1].sql = "CREATE TABLE b (id BIGINT PRIMARY KEY);\n";
  EXPECT_EQ(Migrate(*pool_, edited).status().code(), absl::StatusCode::kFailedPrecondition);

  std::vector<Migration> bad_name = {{"create_c.sql", "SELECT 1;"}};
  EXPECT_EQ(Migrate(*pool_, bad_name).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<Migration> dup = {kMigrations[0], {"V1__again.sql", "SELECT 1;"}};
  EXPECT_EQ(Migrate(*pool_, dup).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(MySqlTest, ConcurrentReplicasMigrateOnce) {
  std::atomic<int> applied{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 3; ++i) {
    replicas.emplace_back([&] {
      auto pool = ConnectionPool::Create(db_->options());
      ASSERT_TRUE(pool.ok());
      auto n = Migrate(**pool, kMigrations);
      ASSERT_TRUE(n.ok()) << n.status();
      applied += *n;
    });
  }
  for (auto& t : replicas) t.join();
  EXPECT_EQ(applied.load(), 2);
  EXPECT_EQ(Count("schema_migrations"), 2);
}

TEST(MigratorTest, SplitsStatementsAtLineEndSemicolons) {
  const auto stmts =
      SplitStatements("-- comment\nCREATE TABLE t (\n  x INT\n);\n\nINSERT INTO t VALUES (1);");
  ASSERT_EQ(stmts.size(), 2u);
  EXPECT_EQ(stmts[0], "CREATE TABLE t (\n  x INT\n)");
  EXPECT_EQ(stmts[1], "INSERT INTO t VALUES (1)");
  const auto block = SplitStatements(
      "-- sla:begin\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n-- "
      "sla:end\nSELECT 3;");
  ASSERT_EQ(block.size(), 2u);
  EXPECT_EQ(block[0], "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND");
  EXPECT_EQ(block[1], "SELECT 3");
  EXPECT_NE(Checksum("a"), Checksum("b"));
  EXPECT_EQ(Checksum("a").size(), 16u);
}

// A database off the cluster is reached over TLS only (--db_tls_ca): the session is encrypted,
// and a server whose certificate another CA signed is refused rather than used in plaintext.
TEST_F(MySqlTest, TlsToTheDatabaseIsVerifiedAndNeverFallsBackToPlaintext) {
  const char* ca = std::getenv("SLA_TEST_MYSQL_TLS_CA");
  ASSERT_NE(ca, nullptr) << "scripts/lib.sh exports SLA_TEST_MYSQL_TLS_CA";
  ConnectionOptions tls = db_->options();
  tls.tls_ca = ca;
  auto pool = ConnectionPool::Create(tls);
  ASSERT_TRUE(pool.ok()) << pool.status();
  std::string cipher;
  ASSERT_TRUE(WithConnection(**pool, [&](Connection& c) -> absl::Status {
                SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                                     c.Prepare("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
                return Guard([&] {
                  std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
                  if (rs->next()) cipher = rs->getString(2);
                });
              }).ok());
  EXPECT_FALSE(cipher.empty());
  // A CA that did not sign the server's certificate.
  const std::string other = ::testing::TempDir() + "/other-db-ca.pem";
  ASSERT_EQ(
      std::system(
          ("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
           other + ".key -out " + other + " -days 1 -subj /CN=other >/dev/null 2>&1")
              .c_str()),
      0);
  ConnectionOptions wrong = db_->options();
  wrong.tls_ca = other;
  wrong.pool_size = 1;
  absl::StatusOr<std::unique_ptr<ConnectionPool>> refused = ConnectionPool::Create(wrong);
  absl::Status used =
      refused.ok()
          ? WithConnection(**refused, [](Connection& c) { return c.ExecuteUnprepared("SELECT 1"); })
          : refused.status();
  EXPECT_FALSE(used.ok());
}

}  // namespace
}  // namespace sla::mysql
