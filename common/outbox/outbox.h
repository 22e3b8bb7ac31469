// The transactional outbox every service shares: events written in the transaction of the
// change they announce, numbered after commit by a sequencer so that consumers reading
// `seq > cursor` never miss one (docs/architecture.md, "Outbox and the event stream"). A
// writer may instead number its own events, if it takes the sequence row's lock (as
// Sequence does) and keeps it to its commit: ticket-svc's CreateTicket batches do.
//
// The tables come from common/outbox/migrations/producer (sla_service(... OUTBOX PRODUCER)):
//   outbox(id AUTO_INCREMENT, seq NULL UNIQUE, type, subject, customer_id, event_time,
//          payload_proto (sla.v1.EventPayload), payload (JSON, rows of earlier releases))
//   outbox_sequence(id = 1, last_seq, epoch)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/position.h"
#include "common/outbox/row.h"
#include "sla/v1/events.pb.h"

namespace sla::outbox {

struct Stored {
  int64_t seq = 0;
  Row row;
  // A row written before typed payloads: its JSON as stored (row.payload is converted from it,
  // and is left empty if it does not convert).
  std::string legacy_json;
};

// Inserts events (unnumbered) in the caller's transaction. INTERNAL, nothing written, if an
// event's payload is not of its type's family.
absl::Status Insert(mysql::Connection& c, absl::Span<const Row> rows);
// The statements, each ending in `;`, that insert `rows` already numbered, for a compound
// statement (Connection::ExecuteCompound) inside the caller's transaction: they take the
// sequence row's lock, advance it and insert the rows with the next numbers. The lock is
// kept to the transaction's end, so put them last, just before the COMMIT. `rows` non-empty;
// INTERNAL if an event's payload is not of its type's family.
absl::StatusOr<std::string> NumberedInsertStatements(absl::Span<const Row* const> rows);
// Numbers up to `limit` committed, unnumbered events in insertion order, in the caller's
// transaction, after waiting for the sequence row's lock. Returns how many.
absl::StatusOr<int> Sequence(mysql::Connection& c, int limit);
// Numbered events with seq > after, in order: at most `limit`, and no more than about
// `max_bytes` of event data (at least one event, however large, so a stream always advances).
absl::StatusOr<std::vector<Stored>> List(mysql::Connection& c, int64_t after, int limit,
                                         int64_t max_bytes = int64_t{1} << 20);

// The stream's history and its end.
struct Head {
  std::string epoch;
  int64_t last_seq = 0;
};
absl::StatusOr<Head> ReadHead(mysql::Connection& c);

// The digest a consumer keeps of the last event it applied: 16 hex digits over the fields the
// producer stores (not the payload's rendering, which may change between releases).
std::string Digest(int64_t seq, absl::string_view type, absl::string_view subject,
                   absl::string_view customer_id, int64_t event_time);

// OK if a consumer positioned after `after` (of `epoch`, having seen the event with `digest`
// there) can go on reading this stream: FAILED_PRECONDITION with reason STREAM_REWOUND when
// the epoch differs, the stream ends before `after`, or its event at `after` is another one
// (the database was restored or failed over to a lagging replica). Empty epoch or digest
// are not checked (a first read; a consumer from before epochs).
absl::Status CheckPosition(mysql::Connection& c, const Head& head, absl::string_view epoch,
                           int64_t after, absl::string_view digest);

}  // namespace sla::outbox
