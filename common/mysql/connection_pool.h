// MariaDB access over MySQL Connector/C++ 1.1: a bounded connection pool whose connections
// cache their prepared statements, a transaction helper that retries deadlocks, and the one
// mapping from driver errors to absl::Status.
//
// Rules this layer enforces: SQL is prepared with `?` placeholders (user data never becomes
// SQL text); no driver exception escapes (storage code runs driver calls inside Guard());
// driver messages never reach clients (they are logged, and the status says only what kind
// of failure it was).
//
//   SLA_ASSIGN_OR_RETURN(auto pool, ConnectionPool::Create(options));
//   SLA_RETURN_IF_ERROR(RunInTransaction(*pool, [&](Connection& c) -> absl::Status {
//     SLA_ASSIGN_OR_RETURN(sql::PreparedStatement* st, c.Prepare(kInsertTicket));
//     st->setString(1, id);
//     return Guard([&] { st->executeUpdate(); });
//   }));
#pragma once

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sla::mysql {

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  // A Unix-domain socket path. When set, host and port are not used: a server on the same
  // machine is reached without the TCP stack, which costs both ends less CPU per round trip.
  std::string socket;
  // A PEM CA bundle: connections use TLS, verify the server's certificate and name against it,
  // and never fall back to plaintext (a database off the cluster). Empty: no TLS.
  std::string tls_ca;
  std::string user;
  std::string password;
  std::string database;
  int pool_size = 8;
  absl::Duration connect_timeout = absl::Seconds(5);
  // Read/write timeout of one round trip; a hung server becomes UNAVAILABLE, not a hang.
  absl::Duration io_timeout = absl::Seconds(30);
};

// Maps a driver error to a status: 1062 → ALREADY_EXISTS, 1451/1452 → FAILED_PRECONDITION,
// 1213/1205 → ABORTED (retry the transaction), 2002/2003/2006/2013/2055 → UNAVAILABLE,
// anything else → INTERNAL. The driver's text is logged, never returned.
absl::Status FromSqlError(int error_code, absl::string_view sql_state, absl::string_view what);

// True for ABORTED statuses the database decided (deadlock, lock wait timeout): replaying the
// whole transaction can succeed. False for application ABORTED such as a stale etag.
bool IsRetryableAbort(const absl::Status& status);

// Runs `fn`, turning any exception into a status (SQL errors mapped as above, anything else
// INTERNAL). Every driver call in storage code runs inside it.
template <typename Fn>
absl::Status Guard(Fn&& fn) {
  try {
    fn();
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return FromSqlError(e.getErrorCode(), e.getSQLStateCStr(), e.what());
  } catch (const std::exception& e) {
    return FromSqlError(-1, "", e.what());
  }
}

// One pooled connection with its cache of prepared statements (keyed by SQL text, so callers
// keep SQL as named constants and prepare them freely).
class Connection {
 public:
  explicit Connection(std::unique_ptr<sql::Connection> conn) : conn_(std::move(conn)) {}

  // The cached prepared statement for `sql` (prepared on first use). Parameters keep their
  // previous values: set every one before executing.
  absl::StatusOr<sql::PreparedStatement*> Prepare(const std::string& sql);
  // Executes SQL without parameters (DDL, locks). Not for user data.
  absl::Status ExecuteUnprepared(const std::string& sql);
  // Executes `statements` (each ending in `;`) as one compound statement, `BEGIN NOT ATOMIC …
  // END`: one round trip and one answer. The first failing statement's error is returned and
  // none after it runs; a transaction it started stays open. Values must come from LiteralRow
  // (sql_literals.h). Connections never enable multi-statements, so stacked statements
  // outside a compound one are refused.
  absl::Status ExecuteCompound(const std::string& statements);
  // The driver connection, for calls not wrapped here.
  sql::Connection& raw() { return *conn_; }

 private:
  friend class ConnectionPool;
  friend class PooledConnection;
  std::unique_ptr<sql::Connection> conn_;
  std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  absl::Time last_used_ = absl::InfinitePast();
  bool broken_ = false;
};

class ConnectionPool;

// A connection on loan from the pool; returns it on destruction.
class PooledConnection {
 public:
  PooledConnection(ConnectionPool* pool, std::unique_ptr<Connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  PooledConnection(PooledConnection&&) = default;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();

  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }
  // Marks the connection unusable (lost, or in an unknown transaction state): it is closed
  // instead of being returned, and the pool opens a fresh one when next needed.
  void MarkBroken() { conn_->broken_ = true; }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> conn_;
};

class ConnectionPool {
 public:
  // Opens one connection to check the options (UNAVAILABLE if the server cannot be reached,
  // PERMISSION_DENIED for bad credentials); the rest open lazily up to pool_size.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const ConnectionOptions& options);
  ~ConnectionPool();

  // Borrows a connection, waiting up to `timeout` for one (UNAVAILABLE after that). A
  // connection idle for more than 30 s is pinged first and replaced if it was lost.
  absl::StatusOr<PooledConnection> Acquire(absl::Duration timeout = absl::Seconds(5));

  const ConnectionOptions& options() const { return options_; }
  // Connections open now (idle and on loan).
  int open_connections() const;

 private:
  friend class PooledConnection;
  explicit ConnectionPool(ConnectionOptions options) : options_(std::move(options)) {}
  absl::StatusOr<std::unique_ptr<Connection>> Open();
  void Return(std::unique_ptr<Connection> conn);

  const ConnectionOptions options_;
  mutable absl::Mutex mu_;
  std::deque<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

struct TransactionOptions {
  // Attempts in all when the transaction aborts on a deadlock or lock wait timeout.
  int max_attempts = 3;
  absl::Duration acquire_timeout = absl::Seconds(5);
};

// Runs `fn` in one transaction and commits it. ABORTED (deadlock, lock wait timeout) rolls back
// and retries `fn` on a fresh attempt; a connection lost before COMMIT was sent is replaced and
// the attempt retried; a connection lost during COMMIT returns UNAVAILABLE without retrying,
// because the outcome is unknown (callers make such writes idempotent by request id).
absl::Status RunInTransaction(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> fn,
                              const TransactionOptions& options = {});

// Runs `fn` on a pooled connection in autocommit mode: one round trip per statement, for
// reads that need no transaction (a single consistent SELECT). A connection lost before the
// answer is replaced and `fn` run once more, which is safe only because it reads.
absl::Status WithConnection(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> fn,
                            absl::Duration acquire_timeout = absl::Seconds(5));

// OK if the server acknowledges a COMMIT only once it is on disk: innodb_flush_log_at_trx_commit
// = 1, and, where the binary log is on, sync_binlog = 1 (a replica or a point-in-time restore
// must not lose what the primary acknowledged). FAILED_PRECONDITION naming the setting and its
// value otherwise: credits issued "exactly once" depend on it.
absl::Status CheckDurableCommits(ConnectionPool& pool);

}  // namespace sla::mysql
