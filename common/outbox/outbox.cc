#include "common/outbox/outbox.h"

#include <cppconn/resultset.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/mysql/batch.h"
#include "common/mysql/sql_literals.h"
#include "common/outbox/payload.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::outbox {

using mysql::Connection;

absl::Status Insert(Connection& c, absl::Span<const Row> rows) {
  std::vector<std::string> payloads;
  payloads.reserve(rows.size());
  for (const Row& r : rows) {
    SLA_RETURN_IF_ERROR(CheckFamily(r.type, r.payload));
    payloads.push_back(r.payload.SerializeAsString());
  }
  return mysql::ExecuteRows(
      c, "INSERT INTO outbox (type, subject, customer_id, event_time, payload_proto) VALUES ",
      "(?,?,?,?,?)", "", rows.size(), 5, [&](sql::PreparedStatement& st, size_t i, int p) {
        st.setString(p, rows[i].type);
        st.setString(p + 1, rows[i].subject);
        st.setString(p + 2, rows[i].customer_id);
        st.setInt64(p + 3, rows[i].event_time);
        st.setString(p + 4, payloads[i]);
      });
}

absl::StatusOr<std::string> NumberedInsertStatements(absl::Span<const Row* const> rows) {
  std::string values;
  int64_t place = 0;
  for (const Row* r : rows) {
    SLA_RETURN_IF_ERROR(CheckFamily(r->type, r->payload));
    mysql::LiteralRow e(6);
    // The last number, read below under the lock, plus the event's place.
    e.setUserVariablePlus(1, "sla_outbox_seq", ++place);
    e.setString(2, r->type);
    e.setString(3, r->subject);
    e.setString(4, r->customer_id);
    e.setInt64(5, r->event_time);
    e.setString(6, r->payload.SerializeAsString());
    absl::StrAppend(&values, values.empty() ? "" : ",", e.Render());
  }
  // One UPDATE locks the row, keeps the last number in the variable and advances it: a
  // SELECT … FOR UPDATE before it cost the server about 35 µs more per transaction (its
  // optimizer pass). The variable is cleared first so that a missing sequence row leaves the
  // events unnumbered (for the sequencer), not numbered from an earlier transaction's value.
  return absl::StrCat(
      "SET @sla_outbox_seq = NULL;",
      "UPDATE outbox_sequence SET last_seq = (@sla_outbox_seq := last_seq) + ", place,
      " WHERE id = 1;",
      "INSERT INTO outbox (seq, type, subject, customer_id, event_time, payload_proto) VALUES ",
      values, ";");
}

absl::StatusOr<int> Sequence(Connection& c, int limit) {
  // The sequence row serializes everyone who numbers events: sequencers of every replica and
  // writers that number their own (ticket-svc's CreateTicket batches). It is waited for, not
  // skipped: a holder may be such a writer, which numbers only its own rows. Holders keep it
  // for the end of one short transaction.
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * lock,
                       c.Prepare("SELECT last_seq FROM outbox_sequence WHERE id = 1 FOR UPDATE"));
  int64_t last = -1;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    std::unique_ptr<sql::ResultSet> rs(lock->executeQuery());
    if (rs->next()) last = rs->getInt64(1);
  }));
  if (last < 0) return 0;
  // READ COMMITTED (the pool's isolation): only committed rows are seen, in id order. A row
  // whose writer commits later gets a later number; none is ever numbered below a number
  // a consumer may already have read.
  // The index is forced: under steady writes the unpurged NULL entries left by earlier
  // numbering inflate the optimizer's estimate, and it would walk the primary key through
  // every numbered row instead (a cost that grows with the table, measured at 500,000 rows
  // read per second at 2,000 tickets per second).
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * pending,
      c.Prepare(
          "SELECT id FROM outbox FORCE INDEX (outbox_seq) WHERE seq IS NULL ORDER BY id LIMIT ?"));
  std::vector<int64_t> ids;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    pending->setInt(1, limit);
    std::unique_ptr<sql::ResultSet> rs(pending->executeQuery());
    while (rs->next()) ids.push_back(rs->getInt64(1));
  }));
  if (ids.empty()) return 0;
  // Number by primary key: record locks only, so writers inserting new rows never wait.
  size_t done = 0;
  while (done < ids.size()) {
    size_t chunk = mysql::kMaxChunk;
    while (chunk > ids.size() - done) chunk /= 2;
    std::string sql = "UPDATE outbox SET seq = CASE id";
    for (size_t i = 0; i < chunk; ++i) sql += " WHEN ? THEN ?";
    sql += " END WHERE id IN (";
    for (size_t i = 0; i < chunk; ++i) sql += i ? ",?" : "?";
    sql += ")";
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      for (size_t i = 0; i < chunk; ++i) {
        st->setInt64(static_cast<int>(2 * i + 1), ids[done + i]);
        st->setInt64(static_cast<int>(2 * i + 2), last + 1 + static_cast<int64_t>(done + i));
        st->setInt64(static_cast<int>(2 * chunk + i + 1), ids[done + i]);
      }
      st->executeUpdate();
    }));
    done += chunk;
  }
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * bump,
                       c.Prepare("UPDATE outbox_sequence SET last_seq = ? WHERE id = 1"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    bump->setInt64(1, last + static_cast<int64_t>(ids.size()));
    bump->executeUpdate();
  }));
  return static_cast<int>(ids.size());
}

absl::StatusOr<std::vector<Stored>> List(Connection& c, int64_t after, int limit,
                                         int64_t max_bytes) {
  // The sizes first, so that a page of large events is cut before their payloads are read
  // (Connector/C++ buffers a whole result set).
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * sizes,
      c.Prepare(
          "SELECT seq, LENGTH(type) + LENGTH(subject) + LENGTH(customer_id) + LENGTH(payload) + "
          "IFNULL(LENGTH(payload_proto), 0) + 32 "
          "FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"));
  int64_t last = after;
  int count = 0;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    sizes->setInt64(1, after);
    sizes->setInt(2, limit);
    std::unique_ptr<sql::ResultSet> rs(sizes->executeQuery());
    int64_t bytes = 0;
    while (rs->next()) {
      bytes += rs->getInt64(2);
      if (count > 0 && bytes > max_bytes) break;
      last = rs->getInt64(1);
      ++count;
    }
  }));
  std::vector<Stored> out;
  if (count == 0) return out;
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("SELECT seq, type, subject, customer_id, event_time, payload_proto, payload "
                "FROM outbox "
                "WHERE seq > ? AND seq <= ? ORDER BY seq"));
  out.reserve(static_cast<size_t>(count));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt64(1, after);
    st->setInt64(2, last);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      Stored e;
      e.seq = rs->getInt64(1);
      e.row.type = rs->getString(2);
      e.row.subject = rs->getString(3);
      e.row.customer_id = rs->getString(4);
      e.row.event_time = rs->getInt64(5);
      if (rs->isNull(6)) {
        e.legacy_json = rs->getString(7);
      } else if (!e.row.payload.ParseFromString(rs->getString(6))) {
        // Left empty: the consumer sets the event aside with its reason.
        e.row.payload.Clear();
      }
      out.push_back(std::move(e));
    }
  }));
  // Rows of earlier releases carry JSON: converted here, once, for every reader.
  for (Stored& e : out) {
    if (e.legacy_json.empty()) continue;
    absl::StatusOr<sla::v1::EventPayload> typed = PayloadFromJson(e.row.type, e.legacy_json);
    if (typed.ok()) e.row.payload = *std::move(typed);
  }
  return out;
}

absl::StatusOr<Head> ReadHead(Connection& c) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT epoch, last_seq FROM outbox_sequence WHERE id = 1"));
  Head head;
  bool found = false;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) {
      found = true;
      head.epoch = rs->getString(1);
      head.last_seq = rs->getInt64(2);
    }
  }));
  if (!found)
    return absl::InternalError("outbox_sequence has no row: the outbox migrations did not run");
  return head;
}

std::string Digest(int64_t seq, absl::string_view type, absl::string_view subject,
                   absl::string_view customer_id, int64_t event_time) {
  // FNV-1a: not a defence against forgery (the producer is trusted), a check that two
  // histories hold the same event at one number. Fields are separated so they cannot shift.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](absl::string_view part) {
    for (unsigned char ch : part) {
      h ^= ch;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  mix(absl::StrCat(seq));
  mix(type);
  mix(subject);
  mix(customer_id);
  mix(absl::StrCat(event_time));
  return absl::StrFormat("%016x", h);
}

absl::Status CheckPosition(Connection& c, const Head& head, absl::string_view epoch, int64_t after,
                           absl::string_view digest) {
  auto rewound = [&](absl::string_view why) {
    return StreamRewound(absl::StrCat(
        "the stream no longer holds the caller's position ", epoch, epoch.empty() ? "" : "/", after,
        ": ", why, "; an operator resets the consumer (docs/operations.md, \"Event streams\")"));
  };
  if (!epoch.empty() && epoch != head.epoch) {
    return rewound(absl::StrCat("the stream's epoch is now ", head.epoch));
  }
  if (after > head.last_seq) {
    return rewound(
        absl::StrCat("the stream ends at ", head.last_seq, " (restored or failed over)"));
  }
  if (digest.empty() || after == 0) return absl::OkStatus();
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("SELECT type, subject, customer_id, event_time FROM outbox WHERE seq = ?"));
  std::string mine;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt64(1, after);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) {
      mine = Digest(after, rs->getString(1).asStdString(), rs->getString(2).asStdString(),
                    rs->getString(3).asStdString(), rs->getInt64(4));
    }
  }));
  if (mine != digest)
    return rewound("its event at that number is another one (restored or failed over)");
  return absl::OkStatus();
}

}  // namespace sla::outbox
