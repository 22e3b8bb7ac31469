// A database that acknowledges commits before they are on disk could lose an issued credit: a
// service refuses to start on it unless told so explicitly. The setting is the server's, so
// this test switches it for the whole throwaway MariaDB: ctest runs it alone (RUN_SERIAL), and
// it is restored at once.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/test_util/mariadb_env.h"
#include "gtest/gtest.h"
#include "tests/service_process.h"

namespace sla {
namespace {

TEST(DurabilityTest, AServiceRefusesADatabaseThatAcknowledgesCommitsBeforeTheyAreDurable) {
  auto db = test::ScratchDatabase::Create("durable");
  ASSERT_TRUE(db.ok()) << db.status();
  char dir_template[] = "/tmp/sla-durable-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  std::ofstream(dir + "/jwt.key") << std::string(48, 'k');
  std::ofstream(dir + "/db.password") << (*db)->options().password;
  auto start = [&](const std::string& log, const std::vector<std::string>& extra) {
    return std::make_unique<ServiceProcess>(SLA_CONTRACT_SVC,
                                            ServiceFlags((*db)->options(), dir, 5, 2, extra),
                                            absl::StrCat(dir, "/", log));
  };
  auto pool = mysql::ConnectionPool::Create((*db)->options());
  ASSERT_TRUE(pool.ok());
  auto set = [&](int value) {
    return mysql::WithConnection(**pool, [&](mysql::Connection& c) {
      return c.ExecuteUnprepared(
          absl::StrCat("SET GLOBAL innodb_flush_log_at_trx_commit = ", value));
    });
  };
  ASSERT_TRUE(set(2).ok());
  auto refused = start("non-durable.log", {});
  const int code = refused->WaitForExit();
  auto allowed = start("non-durable-allowed.log", {"--allow_non_durable_db"});
  const int port = allowed->WaitForPort();
  ASSERT_TRUE(set(1).ok());
  EXPECT_EQ(code, 1);
  EXPECT_NE(refused->log().find("innodb_flush_log_at_trx_commit = 2"), std::string::npos)
      << refused->log();
  ASSERT_GT(port, 0) << allowed->log();
  EXPECT_NE(allowed->log().find("not durable"), std::string::npos) << allowed->log();
  EXPECT_EQ(allowed->Terminate(), 0);
  EXPECT_TRUE(mysql::CheckDurableCommits(**pool).ok());
}

}  // namespace
}  // namespace sla
