// For *_mysql_test binaries: a fresh database on the throwaway MariaDB that scripts/test
// starts. The server is found through SLA_TEST_MYSQL_HOST / _PORT / _USER / _PASSWORD; a test
// run without them fails with a message saying to use scripts/test (it never skips silently).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/migrator.h"

namespace sla::test {

// Options of the test server's admin account (no database selected), over TCP.
absl::StatusOr<mysql::ConnectionOptions> TestServerOptions();
// The test server's Unix-domain socket (SLA_TEST_MYSQL_SOCKET); the same account logs in on it.
absl::StatusOr<std::string> TestServerSocket();

// Rows in `table` (a name from the test itself, never user input), or -1 on error.
int64_t CountRows(mysql::ConnectionPool& pool, const std::string& table);
// The first column of the first row of the test's own query as a number (NULL as 0), or -1
// on error.
int64_t QueryInt64(mysql::ConnectionPool& pool, const std::string& sql);

// A database created for one test and dropped when this object goes.
class ScratchDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDatabase>> Create(const std::string& prefix);
  ~ScratchDatabase();
  // Options for connecting to the scratch database.
  const mysql::ConnectionOptions& options() const { return options_; }

 private:
  ScratchDatabase(mysql::ConnectionOptions o, std::unique_ptr<mysql::ConnectionPool> admin)
      : options_(std::move(o)), admin_(std::move(admin)) {}
  mysql::ConnectionOptions options_;
  std::unique_ptr<mysql::ConnectionPool> admin_;
};

// A scratch database, a pool on it and the service's migrations applied: what a test of one
// service's storage starts from. The pool is declared last, so it closes before the database
// is dropped.
struct MigratedDatabase {
  std::unique_ptr<ScratchDatabase> db;
  std::unique_ptr<mysql::ConnectionPool> pool;
};
absl::StatusOr<MigratedDatabase> CreateMigratedDatabase(
    const std::string& prefix, const std::vector<mysql::Migration>& migrations);

}  // namespace sla::test
