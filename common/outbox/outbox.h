// The transactional outbox every service shares: events written in the transaction of the
// change they announce, numbered after commit by a sequencer so that consumers reading
// `seq > cursor` never miss one (docs/architecture.md, "Outbox and the event stream"). A
// writer may instead number its own events, if it takes the sequence row's lock (as
// Sequence does) and keeps it to its commit: ticket-svc's CreateTicket batches do.
//
// Each service's migrations create the same two tables:
//   outbox(id AUTO_INCREMENT, seq NULL UNIQUE, type, subject, customer_id, event_time, payload)
//   outbox_sequence(id = 1, last_seq)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/mysql/connection_pool.h"

namespace sla::outbox {

struct Row {
  std::string type;         // e.g. "clock.breached"
  std::string subject;      // the resource it concerns
  std::string customer_id;  // the owning customer
  int64_t event_time = 0;   // Unix seconds
  std::string payload;      // JSON
};

struct Stored {
  int64_t seq = 0;
  Row row;
};

// Inserts events (unnumbered) in the caller's transaction.
absl::Status Insert(mysql::Connection& c, absl::Span<const Row> rows);
// The statements, each ending in `;`, that insert `rows` already numbered, for a compound
// statement (Connection::ExecuteCompound) inside the caller's transaction: they take the
// sequence row's lock, advance it and insert the rows with the next numbers. The lock is
// kept to the transaction's end, so put them last, just before the COMMIT. `rows` non-empty.
std::string NumberedInsertStatements(absl::Span<const Row* const> rows);
// Numbers up to `limit` committed, unnumbered events in insertion order, in the caller's
// transaction, after waiting for the sequence row's lock. Returns how many.
absl::StatusOr<int> Sequence(mysql::Connection& c, int limit);
// Numbered events with seq > after, in order.
absl::StatusOr<std::vector<Stored>> List(mysql::Connection& c, int64_t after, int limit);

}  // namespace sla::outbox
