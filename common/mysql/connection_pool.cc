#include "common/mysql/connection_pool.h"

#include <cppconn/driver.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <mysql_driver.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"

namespace sla::mysql {
namespace {

constexpr absl::Duration kPingAfterIdle = absl::Seconds(30);

// Marks the aborts the database itself decided (deadlock victim, lock wait timeout), as opposed
// to ABORTED from application logic such as a stale etag, which a replay cannot fix.
constexpr absl::string_view kRetryablePayload = "type.sla/retryable-transaction";

bool IsLostConnection(const absl::Status& s) { return s.code() == absl::StatusCode::kUnavailable; }

}  // namespace

absl::Status FromSqlError(int code, absl::string_view sql_state, absl::string_view what) {
  // SQLSTATE class 28 is "invalid authorization" whatever the server's own code (1045, 1698…).
  if (absl::StartsWith(sql_state, "28")) code = 1045;
  switch (code) {
    case 1062:  // ER_DUP_ENTRY
      return absl::AlreadyExistsError("duplicate key");
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
      return absl::FailedPreconditionError("referenced row missing or still referenced");
    case 1049:  // ER_BAD_DB_ERROR: a configuration error, not a bug
      log::Error("database does not exist", {{"detail", what}});
      return absl::FailedPreconditionError("the configured database does not exist");
    case 1213:    // ER_LOCK_DEADLOCK
    case 1205: {  // ER_LOCK_WAIT_TIMEOUT
      absl::Status s = absl::AbortedError("transaction aborted by a concurrent one; retry");
      s.SetPayload(kRetryablePayload, absl::Cord("1"));
      return s;
    }
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1044:  // ER_DBACCESS_DENIED_ERROR
      log::Error("database access denied", {{"mysql_error", absl::StrCat(code)}, {"detail", what}});
      return absl::PermissionDeniedError("database access denied; see the service log");
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
      log::Warning("database unavailable", {{"mysql_error", absl::StrCat(code)}, {"detail", what}});
      return absl::UnavailableError("database unavailable");
    default:
      log::Error("database error",
                 {{"mysql_error", absl::StrCat(code)}, {"sql_state", sql_state}, {"detail", what}});
      return absl::InternalError(absl::StrCat("database error ", code));
  }
}

absl::StatusOr<sql::PreparedStatement*> Connection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  std::unique_ptr<sql::PreparedStatement> st;
  absl::Status s = Guard([&] { st.reset(conn_->prepareStatement(sql)); });
  if (!s.ok()) {
    if (IsLostConnection(s)) broken_ = true;
    return s;
  }
  sql::PreparedStatement* raw = st.get();
  statements_.emplace(sql, std::move(st));
  return raw;
}

absl::Status Connection::ExecuteUnprepared(const std::string& sql) {
  absl::Status s = Guard([&] {
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    st->execute(sql);
  });
  if (IsLostConnection(s)) broken_ = true;
  return s;
}

absl::Status Connection::ExecuteCompound(const std::string& statements) {
  absl::Status s = Guard([&] {
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    st->execute(absl::StrCat("BEGIN NOT ATOMIC ", statements, " END"));
  });
  if (IsLostConnection(s)) broken_ = true;
  return s;
}

bool IsRetryableAbort(const absl::Status& s) {
  return s.code() == absl::StatusCode::kAborted && s.GetPayload(kRetryablePayload).has_value();
}

PooledConnection::~PooledConnection() {
  if (conn_ != nullptr) pool_->Return(std::move(conn_));
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(
    const ConnectionOptions& options) {
  if (options.pool_size < 1) return absl::InvalidArgumentError("pool_size must be at least 1");
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(options));
  absl::StatusOr<std::unique_ptr<Connection>> first = pool->Open();
  if (!first.ok()) return first.status();
  {
    absl::MutexLock lock(&pool->mu_);
    pool->open_ = 1;
  }
  pool->Return(*std::move(first));
  return pool;
}

ConnectionPool::~ConnectionPool() {
  absl::MutexLock lock(&mu_);
  // Connections on loan must be back before the pool goes (the server drains first).
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<Connection>> ConnectionPool::Open() {
  std::unique_ptr<sql::Connection> conn;
  bool encrypted = true;
  absl::Status s = Guard([&] {
    sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
    sql::ConnectOptionsMap props;
    props["hostName"] = sql::SQLString(
        options_.socket.empty() ? absl::StrCat("tcp://", options_.host, ":", options_.port)
                                : absl::StrCat("unix://", options_.socket));
    props["userName"] = sql::SQLString(options_.user);
    props["password"] = sql::SQLString(options_.password);
    if (!options_.database.empty()) props["schema"] = sql::SQLString(options_.database);
    props["OPT_CONNECT_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.connect_timeout));
    props["OPT_READ_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.io_timeout));
    props["OPT_WRITE_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.io_timeout));
    // Reconnects are ours to make: a silent driver reconnect would lose transaction state.
    props["OPT_RECONNECT"] = false;
    props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    if (!options_.tls_ca.empty()) {
      props["sslCA"] = sql::SQLString(options_.tls_ca);
      props["sslVerify"] = true;   // the server's certificate and name, against the CA
      props["sslEnforce"] = true;  // TLS or no connection
    }
    conn.reset(driver->connect(props));
    std::unique_ptr<sql::Statement> st(conn->createStatement());
    if (!options_.tls_ca.empty()) {
      // Belt and braces: a driver that silently fell back to plaintext is refused here.
      std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
      if (!rs->next() || rs->getString(2).length() == 0) encrypted = false;
    }
    st->execute("SET SESSION time_zone = '+00:00'");
    st->execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'");
    st->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  });
  if (!s.ok()) return s;
  if (!encrypted) {
    return absl::UnavailableError(
        "the database connection is not encrypted although --db_tls_ca is set");
  }
  return std::make_unique<Connection>(std::move(conn));
}

absl::StatusOr<PooledConnection> ConnectionPool::Acquire(absl::Duration timeout) {
  std::unique_ptr<Connection> conn;
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.pool_size;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), timeout)) {
      return absl::UnavailableError("no database connection free within the deadline");
    }
    if (!idle_.empty()) {
      conn = std::move(idle_.front());
      idle_.pop_front();
    } else {
      ++open_;  // reserve the slot; opened below without holding the lock
    }
  }
  if (conn != nullptr && absl::Now() - conn->last_used_ > kPingAfterIdle) {
    bool valid = false;
    (void)Guard([&] { valid = conn->conn_->isValid(); });
    if (!valid) conn.reset();  // lost while idle: replace it below
  }
  if (conn == nullptr) {
    absl::StatusOr<std::unique_ptr<Connection>> opened = Open();
    if (!opened.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      return opened.status();
    }
    conn = *std::move(opened);
  }
  return PooledConnection(this, std::move(conn));
}

void ConnectionPool::Return(std::unique_ptr<Connection> conn) {
  if (conn->broken_) {
    (void)Guard([&] { conn->conn_->close(); });
    conn.reset();
    absl::MutexLock lock(&mu_);
    --open_;
    return;
  }
  conn->last_used_ = absl::Now();
  absl::MutexLock lock(&mu_);
  idle_.push_front(std::move(conn));  // LIFO: hot connections stay hot, idle ones age out
}

int ConnectionPool::open_connections() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

absl::Status RunInTransaction(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> fn,
                              const TransactionOptions& options) {
  absl::Status last;
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    absl::StatusOr<PooledConnection> conn = pool.Acquire(options.acquire_timeout);
    if (!conn.ok()) return conn.status();
    Connection& c = **conn;
    // START TRANSACTION … COMMIT with the session left in autocommit: two round trips per
    // transaction instead of the three that toggling autocommit costs.
    last = c.ExecuteUnprepared("START TRANSACTION");
    if (last.ok()) last = fn(c);
    if (last.ok()) {
      absl::Status committed = Guard([&] { c.raw().commit(); });
      if (committed.ok()) return absl::OkStatus();
      conn->MarkBroken();
      // The server may or may not have committed: never replay blindly.
      if (IsLostConnection(committed)) {
        return absl::UnavailableError("database connection lost during commit; outcome unknown");
      }
      last = committed;
    } else {
      absl::Status rolled_back = Guard([&] { c.raw().rollback(); });
      if (!rolled_back.ok()) conn->MarkBroken();
    }
    if (IsLostConnection(last)) conn->MarkBroken();
    const bool retry = IsRetryableAbort(last) || IsLostConnection(last);
    if (!retry) return last;
  }
  return last;
}

}  // namespace sla::mysql

namespace sla::mysql {

absl::Status WithConnection(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> fn,
                            absl::Duration acquire_timeout) {
  absl::Status last;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    absl::StatusOr<PooledConnection> conn = pool.Acquire(acquire_timeout);
    if (!conn.ok()) return conn.status();
    last = fn(**conn);
    if (!IsLostConnection(last)) return last;
    conn->MarkBroken();
  }
  return last;
}

absl::Status CheckDurableCommits(ConnectionPool& pool) {
  int64_t flush = 0, log_bin = 0, sync_binlog = 0;
  SLA_RETURN_IF_ERROR(WithConnection(pool, [&](Connection& c) -> absl::Status {
    absl::StatusOr<sql::PreparedStatement*> st = c.Prepare(
        "SELECT @@GLOBAL.innodb_flush_log_at_trx_commit, @@GLOBAL.log_bin, @@GLOBAL.sync_binlog");
    if (!st.ok()) return st.status();
    return Guard([&] {
      std::unique_ptr<sql::ResultSet> rs((*st)->executeQuery());
      if (rs->next()) {
        flush = rs->getInt64(1);
        log_bin = rs->getInt64(2);
        sync_binlog = rs->getInt64(3);
      }
    });
  }));
  if (flush != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the database acknowledges commits before they are durable: "
                     "innodb_flush_log_at_trx_commit = ",
                     flush, " (must be 1; --allow_non_durable_db to run anyway)"));
  }
  if (log_bin != 0 && sync_binlog != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the binary log is on but not synced at commit: sync_binlog = ", sync_binlog,
                     " (must be 1; --allow_non_durable_db to run anyway)"));
  }
  return absl::OkStatus();
}

}  // namespace sla::mysql
