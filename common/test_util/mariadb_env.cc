#include "common/test_util/mariadb_env.h"

#include <cstdlib>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sla::test {

absl::StatusOr<mysql::ConnectionOptions> TestServerOptions() {
  const char* host = std::getenv("SLA_TEST_MYSQL_HOST");
  const char* port = std::getenv("SLA_TEST_MYSQL_PORT");
  const char* user = std::getenv("SLA_TEST_MYSQL_USER");
  const char* password = std::getenv("SLA_TEST_MYSQL_PASSWORD");
  if (host == nullptr || port == nullptr || user == nullptr) {
    return absl::FailedPreconditionError(
        "SLA_TEST_MYSQL_HOST/PORT/USER are not set: run the tests with scripts/test, which "
        "starts a throwaway MariaDB");
  }
  mysql::ConnectionOptions o;
  o.host = host;
  if (!absl::SimpleAtoi(port, &o.port))
    return absl::InvalidArgumentError("bad SLA_TEST_MYSQL_PORT");
  o.user = user;
  o.password = password == nullptr ? "" : password;
  o.pool_size = 2;
  return o;
}

absl::StatusOr<std::string> TestServerSocket() {
  const char* socket = std::getenv("SLA_TEST_MYSQL_SOCKET");
  if (socket == nullptr || *socket == '\0') {
    return absl::FailedPreconditionError(
        "SLA_TEST_MYSQL_SOCKET is not set: run the tests with scripts/test, which starts a "
        "throwaway MariaDB");
  }
  return std::string(socket);
}

int64_t CountRows(mysql::ConnectionPool& pool, const std::string& table) {
  return QueryInt64(pool, "SELECT COUNT(*) FROM " + table);
}

int64_t QueryInt64(mysql::ConnectionPool& pool, const std::string& sql) {
  absl::StatusOr<mysql::PooledConnection> c = pool.Acquire();
  if (!c.ok()) return -1;
  int64_t n = -1;
  absl::Status s = mysql::Guard([&] {
    std::unique_ptr<sql::Statement> st((*c)->raw().createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
    if (rs->next()) n = rs->getInt64(1);
  });
  return s.ok() ? n : -1;
}

absl::StatusOr<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(
    const std::string& prefix) {
  absl::StatusOr<mysql::ConnectionOptions> admin_options = TestServerOptions();
  if (!admin_options.ok()) return admin_options.status();
  absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> admin =
      mysql::ConnectionPool::Create(*admin_options);
  if (!admin.ok()) return admin.status();
  std::random_device rd;
  const std::string name = absl::StrCat("t_", prefix, "_", rd() % 1000000000u);
  {
    absl::StatusOr<mysql::PooledConnection> c = (*admin)->Acquire();
    if (!c.ok()) return c.status();
    absl::Status s = (*c)->ExecuteUnprepared(
        absl::StrCat("CREATE DATABASE `", name, "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
    if (!s.ok()) return s;
  }
  mysql::ConnectionOptions o = *admin_options;
  o.database = name;
  o.pool_size = 4;
  return std::unique_ptr<ScratchDatabase>(new ScratchDatabase(o, *std::move(admin)));
}

ScratchDatabase::~ScratchDatabase() {
  absl::StatusOr<mysql::PooledConnection> c = admin_->Acquire();
  if (c.ok())
    (void)(*c)->ExecuteUnprepared(absl::StrCat("DROP DATABASE `", options_.database, "`"));
}

absl::StatusOr<MigratedDatabase> CreateMigratedDatabase(
    const std::string& prefix, const std::vector<mysql::Migration>& migrations) {
  MigratedDatabase out;
  absl::StatusOr<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(prefix);
  if (!db.ok()) return db.status();
  out.db = *std::move(db);
  absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> pool =
      mysql::ConnectionPool::Create(out.db->options());
  if (!pool.ok()) return pool.status();
  out.pool = *std::move(pool);
  absl::StatusOr<int> applied = mysql::Migrate(*out.pool, migrations);
  if (!applied.ok()) return applied.status();
  return out;
}

}  // namespace sla::test
