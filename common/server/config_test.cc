#include "common/server/config.h"

#include <cstdlib>
#include <fstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(int, port);
ABSL_DECLARE_FLAG(std::string, host);
ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(int, db_pool_size);
ABSL_DECLARE_FLAG(std::string, db_user);
ABSL_DECLARE_FLAG(std::string, jwt_key_file);
ABSL_DECLARE_FLAG(int, health_port);
ABSL_DECLARE_FLAG(std::string, peer_tls_ca_file);
ABSL_DECLARE_FLAG(std::string, peer_tls_cert_file);
ABSL_DECLARE_FLAG(std::string, db_socket);
ABSL_DECLARE_FLAG(std::string, peer_tls_key_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, jwt_algorithm);

namespace sla::server {
namespace {

TEST(ConfigTest, EnvironmentFillsFlagsAndTheCommandLineWins) {
  const std::string pw_file = ::testing::TempDir() + "/db.password";
  std::ofstream(pw_file) << "s3cret\n";
  setenv("SLA_DB_POOL_SIZE", "7", 1);
  setenv("SLA_DB_USER", "from_env", 1);
  setenv("SLA_DB_PASSWORD_FILE", pw_file.c_str(), 1);
  setenv("SLA_DB_SOCKET", "/run/mysqld/mysqld.sock", 1);
  std::string argv0 = "svc", user = "--db_user=from_cli", key = "--jwt_key_file=/k";
  char* argv[] = {argv0.data(), user.data(), key.data()};
  ParseFlagsWithEnv(3, argv, "test");

  absl::StatusOr<ServerConfig> c = ConfigFromFlags(50052, "sla_ticket");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->db.pool_size, 7);        // from SLA_DB_POOL_SIZE
  EXPECT_EQ(c->db.user, "from_cli");    // the command line beats SLA_DB_USER
  EXPECT_EQ(c->db.password, "s3cret");  // read from the file, newline dropped
  EXPECT_EQ(c->port, 50052);            // -1 → the service's default
  EXPECT_EQ(c->db.database, "sla_ticket");
  EXPECT_EQ(c->db.socket, "/run/mysqld/mysqld.sock");  // from SLA_DB_SOCKET
  EXPECT_EQ(EnvNameForFlag("db_host"), "SLA_DB_HOST");
}

TEST(ConfigTest, BadValuesNameTheFlag) {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_db_user, "svc");
  absl::SetFlag(&FLAGS_jwt_key_file, "/k");
  absl::SetFlag(&FLAGS_db_pool_size, 4);
  absl::SetFlag(&FLAGS_port, 70000);
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--port");
  absl::SetFlag(&FLAGS_port, 0);
  absl::SetFlag(&FLAGS_db_pool_size, 0);
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--db_pool_size");
  absl::SetFlag(&FLAGS_db_pool_size, 4);
  absl::SetFlag(&FLAGS_db_socket, "mysqld.sock");  // relative: depends on the working directory
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--db_socket");
  absl::SetFlag(&FLAGS_db_socket, "");
  absl::SetFlag(&FLAGS_host, "10.1.2.3");
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--host");
  absl::SetFlag(&FLAGS_tls_cert_file, "/cert.pem");  // without --tls_key_file
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--tls_key_file");
}

TEST(ConfigTest, HealthPortAndPeerTlsAreChecked) {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_db_user, "svc");
  absl::SetFlag(&FLAGS_jwt_key_file, "/k");
  absl::SetFlag(&FLAGS_port, 50051);
  absl::SetFlag(&FLAGS_health_port, 50051);
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--health_port");
  absl::SetFlag(&FLAGS_health_port, 70000);
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--health_port");
  absl::SetFlag(&FLAGS_health_port, 8081);
  absl::SetFlag(&FLAGS_peer_tls_cert_file, "/client.pem");  // without its key
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--peer_tls_key_file");
  absl::SetFlag(&FLAGS_peer_tls_key_file, "/client.key");  // a client certificate, but no CA
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--peer_tls_ca_file");
  absl::SetFlag(&FLAGS_peer_tls_ca_file, "/ca.pem");
  absl::StatusOr<ServerConfig> c = ConfigFromFlags(1, "d");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->health_port, 8081);
  EXPECT_EQ(c->peer_tls_ca_file, "/ca.pem");
}

// HS256 with a shared key is for local runs: off loopback the algorithm must be named.
TEST(ConfigTest, TheJwtAlgorithmHasNoDefaultOffLoopback) {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_db_user, "svc");
  absl::SetFlag(&FLAGS_jwt_key_file, "/k");
  absl::SetFlag(&FLAGS_port, 50051);
  absl::SetFlag(&FLAGS_jwt_algorithm, "");
  absl::StatusOr<ServerConfig> local = ConfigFromFlags(1, "d");
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(local->jwt_algorithm, JwtAlgorithm::kHs256);
  absl::SetFlag(&FLAGS_host, "0.0.0.0");
  absl::SetFlag(&FLAGS_tls_cert_file, "/cert.pem");
  absl::SetFlag(&FLAGS_tls_key_file, "/key.pem");
  const absl::Status refused = ConfigFromFlags(1, "d").status();
  EXPECT_EQ(InvalidFieldPath(refused), "--jwt_algorithm");
  EXPECT_NE(refused.message().find("required"), absl::string_view::npos) << refused.message();
  absl::SetFlag(&FLAGS_jwt_algorithm, "RS256");
  absl::StatusOr<ServerConfig> named = ConfigFromFlags(1, "d");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->jwt_algorithm, JwtAlgorithm::kRs256);
  absl::SetFlag(&FLAGS_jwt_algorithm, "none");
  EXPECT_EQ(InvalidFieldPath(ConfigFromFlags(1, "d").status()), "--jwt_algorithm");
}

}  // namespace
}  // namespace sla::server
