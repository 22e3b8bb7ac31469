#include "ticket-svc/storage/ticket_store.h"

#include <cppconn/resultset.h>

#include <functional>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/mysql/batch.h"
#include "common/mysql/request_log.h"
#include "common/mysql/sql_literals.h"
#include "common/outbox/payload.h"
#include "common/status/status_macros.h"
#include "sla/ticket/storage/v1/ticket_state.pb.h"

namespace sla::ticket::storage {
namespace {

namespace spb = sla::ticket::storage::v1;

constexpr char kTicketColumns[] =
    "id, customer_id, contract_id, service_id, priority, status, title, description, reporter, "
    "terms_version, root_cause, preventive_action, state, version, history_seq, create_time, "
    "update_time, resolve_time, close_time, reopen_count";

std::string EncodeState(const Ticket& t) {
  spb::TicketState s;
  s.set_waiting(t.waiting);
  s.set_pause_exclusion_id(t.pause_exclusion_id);
  for (const ClockState& c : t.clocks) {
    spb::ClockRecord* r = s.add_clocks();
    r->set_kind(c.kind);
    r->set_target_seconds(c.target_seconds);
    r->set_basis(c.basis);
    r->set_calendar(c.calendar);
    r->set_segment_start(c.segment_start);
    r->set_carried_seconds(c.carried_seconds);
    r->set_carried_paused_seconds(c.carried_paused_seconds);
    for (const PauseSeconds& p : c.pauses) {
      spb::PauseRecord* pr = r->add_pauses();
      pr->set_start(p.start);
      pr->set_end(p.end == kOpenEnded ? 0 : p.end);
    }
    r->set_met_at(c.met_at);
    r->set_breached_at(c.breached_at);
    r->set_fired_levels(c.fired_levels);
    r->set_cycle(c.cycle);
    r->set_inactive(!c.active);
  }
  return s.SerializeAsString();
}

absl::Status DecodeState(const std::string& blob, Ticket& t) {
  spb::TicketState s;
  if (!s.ParseFromString(blob)) {
    return absl::DataLossError(absl::StrCat("ticket ", t.id, ": unreadable clock state"));
  }
  t.waiting = s.waiting();
  t.pause_exclusion_id = s.pause_exclusion_id();
  t.clocks.clear();
  for (const spb::ClockRecord& r : s.clocks()) {
    ClockState c;
    c.kind = r.kind();
    c.target_seconds = r.target_seconds();
    c.basis = r.basis();
    c.calendar = r.calendar();
    c.segment_start = r.segment_start();
    c.carried_seconds = r.carried_seconds();
    c.carried_paused_seconds = r.carried_paused_seconds();
    for (const spb::PauseRecord& p : r.pauses()) {
      c.pauses.push_back({p.start(), p.end() == 0 ? kOpenEnded : p.end()});
    }
    c.met_at = r.met_at();
    c.breached_at = r.breached_at();
    c.fired_levels = r.fired_levels();
    c.cycle = r.cycle();
    c.active = !r.inactive();
    t.clocks.push_back(std::move(c));
  }
  return absl::OkStatus();
}

absl::StatusOr<Ticket> TicketFromRow(sql::ResultSet& rs) {
  Ticket t;
  t.id = rs.getString(1);
  t.customer_id = rs.getString(2);
  t.contract_id = rs.getString(3);
  t.service_id = rs.getString(4);
  t.priority = static_cast<sla::v1::Priority>(rs.getInt(5));
  t.status = static_cast<Status>(rs.getInt(6));
  t.title = rs.getString(7);
  t.description = rs.getString(8);
  t.reporter = rs.getString(9);
  t.terms_version = rs.getString(10);
  t.root_cause = rs.getString(11);
  t.preventive_action = rs.getString(12);
  const std::string state = rs.getString(13);
  t.version = rs.getInt64(14);
  t.history_seq = rs.getInt64(15);
  t.create_time = rs.getInt64(16);
  t.update_time = rs.getInt64(17);
  t.resolve_time = rs.getInt64(18);
  t.close_time = rs.getInt64(19);
  t.reopen_count = rs.getInt(20);
  SLA_RETURN_IF_ERROR(DecodeState(state, t));
  return t;
}

template <typename Binder>
void SetInstant(Binder& st, int index, int64_t v) {
  if (v == kOpenEnded) {
    st.setNull(index, sql::DataType::BIGINT);
  } else {
    st.setInt64(index, v);
  }
}

// Binds a ticket's 24 columns in kTicketColumns order plus the derived ones, on a prepared
// statement or a mysql::LiteralRow.
template <typename Binder>
void BindTicket(Binder& st, int i, const Ticket& t, const Derived& d) {
  st.setString(i + 0, t.id);
  st.setString(i + 1, t.customer_id);
  st.setString(i + 2, t.contract_id);
  st.setString(i + 3, t.service_id);
  st.setInt(i + 4, t.priority);
  st.setInt(i + 5, t.status);
  st.setString(i + 6, t.title);
  st.setString(i + 7, t.description);
  st.setString(i + 8, t.reporter);
  st.setString(i + 9, t.terms_version);
  st.setString(i + 10, t.root_cause);
  st.setString(i + 11, t.preventive_action);
  st.setString(i + 12, EncodeState(t));
  st.setInt64(i + 13, t.version);
  st.setInt64(i + 14, t.history_seq);
  st.setInt64(i + 15, t.create_time);
  st.setInt64(i + 16, t.update_time);
  st.setInt64(i + 17, t.resolve_time);
  st.setInt64(i + 18, t.close_time);
  st.setInt(i + 19, t.reopen_count);
  st.setInt(i + 20, d.breached ? 1 : 0);
  SetInstant(st, i + 21, d.next_event_at);
  SetInstant(st, i + 22, d.next_due_at);
  SetInstant(st, i + 23, d.warn_at);
}
constexpr int kTicketParams = 24;
const std::string kTicketRow = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
const std::string kInsertTicketPrefix =
    absl::StrCat("INSERT INTO tickets (", kTicketColumns,
                 ", breached, next_event_at, next_due_at, warn_at) VALUES ");

// `due`, if given, receives each row's next_due_at (selected after kTicketColumns).
absl::StatusOr<std::vector<Ticket>> QueryTickets(
    sql::PreparedStatement* st, std::vector<std::optional<int64_t>>* due = nullptr) {
  std::vector<Ticket> out;
  absl::Status parsed;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next() && parsed.ok()) {
      absl::StatusOr<Ticket> t = TicketFromRow(*rs);
      if (t.ok()) {
        if (due != nullptr)
          due->push_back(rs->isNull(21) ? std::nullopt : std::optional<int64_t>(rs->getInt64(21)));
        out.push_back(*std::move(t));
      } else {
        parsed = t.status();
      }
    }
  }));
  SLA_RETURN_IF_ERROR(parsed);
  return out;
}

}  // namespace

absl::StatusOr<std::optional<Ticket>> LoadTicket(Connection& c, const std::string& id,
                                                 bool for_update) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT ", kTicketColumns, " FROM tickets WHERE id = ?",
                             for_update ? " FOR UPDATE" : "")));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] { st->setString(1, id); }));
  SLA_ASSIGN_OR_RETURN(std::vector<Ticket> rows, QueryTickets(st));
  if (rows.empty()) return std::optional<Ticket>();
  return std::optional<Ticket>(std::move(rows.front()));
}

absl::Status SaveTickets(Connection& c, absl::Span<const std::pair<const Ticket*, Derived>> rows) {
  // An upsert of existing rows: one statement per chunk instead of one UPDATE per ticket.
  return mysql::ExecuteRows(
      c, kInsertTicketPrefix, kTicketRow,
      " ON DUPLICATE KEY UPDATE priority = VALUES(priority), status = VALUES(status), "
      "root_cause = VALUES(root_cause), preventive_action = VALUES(preventive_action), "
      "state = VALUES(state), version = VALUES(version), history_seq = VALUES(history_seq), "
      "update_time = VALUES(update_time), resolve_time = VALUES(resolve_time), "
      "close_time = VALUES(close_time), reopen_count = VALUES(reopen_count), "
      "breached = VALUES(breached), next_event_at = VALUES(next_event_at), "
      "next_due_at = VALUES(next_due_at), warn_at = VALUES(warn_at)",
      rows.size(), kTicketParams, [&](sql::PreparedStatement& st, size_t i, int first) {
        BindTicket(st, first, *rows[i].first, rows[i].second);
      });
}

absl::StatusOr<std::vector<Ticket>> ClaimDueTickets(Connection& c, int64_t now, int limit) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT ", kTicketColumns,
                             " FROM tickets WHERE next_event_at <= ? ORDER BY next_event_at "
                             "LIMIT ? FOR UPDATE SKIP LOCKED")));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt64(1, now);
    st->setInt(2, limit);
  }));
  return QueryTickets(st);
}

absl::StatusOr<std::vector<ListedTicket>> ListTickets(Connection& c, const TicketQuery& q) {
  // The filter's conditions, shared by every order; `keyset` and `order` are the order's.
  auto query = [&](const std::string& keyset, const std::string& order, int limit,
                   const std::function<void(sql::PreparedStatement&, int&)>& bind_keyset)
      -> absl::StatusOr<std::vector<ListedTicket>> {
    std::string sql =
        absl::StrCat("SELECT ", kTicketColumns, ", next_due_at FROM tickets WHERE ", keyset);
    if (!q.scope.all()) sql += " AND customer_id = ?";
    if (q.status) sql += " AND status = ?";
    if (q.priority) sql += " AND priority = ?";
    if (q.breached) sql += " AND breached = ?";
    if (q.at_risk)
      sql += *q.at_risk ? " AND warn_at <= ?" : " AND (warn_at IS NULL OR warn_at > ?)";
    if (q.contract_id) sql += " AND contract_id = ?";
    if (q.service_id) sql += " AND service_id = ?";
    if (q.due_before) sql += " AND next_due_at < ?";
    absl::StrAppend(&sql, " ORDER BY ", order, " LIMIT ?");
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      int i = 1;
      bind_keyset(*st, i);
      if (!q.scope.all()) st->setString(i++, q.scope.customer_id());
      if (q.status) st->setInt(i++, *q.status);
      if (q.priority) st->setInt(i++, *q.priority);
      if (q.breached) st->setInt(i++, *q.breached ? 1 : 0);
      if (q.at_risk) st->setInt64(i++, q.now);
      if (q.contract_id) st->setString(i++, *q.contract_id);
      if (q.service_id) st->setString(i++, *q.service_id);
      if (q.due_before) st->setInt64(i++, *q.due_before);
      st->setInt(i++, limit);
    }));
    std::vector<std::optional<int64_t>> due;
    SLA_ASSIGN_OR_RETURN(std::vector<Ticket> tickets, QueryTickets(st, &due));
    std::vector<ListedTicket> rows;
    for (size_t i = 0; i < tickets.size(); ++i) rows.push_back({std::move(tickets[i]), due[i]});
    return rows;
  };
  auto by_id = [&](sql::PreparedStatement& st, int& i) { st.setString(i++, q.after_id); };
  if (!q.by_next_due) return query("id > ?", "id", q.limit, by_id);

  std::vector<ListedTicket> out;
  const bool among_running = q.after_id.empty() || q.after_due.has_value();
  if (among_running) {
    const int64_t due = q.after_due.value_or(std::numeric_limits<int64_t>::min());
    SLA_ASSIGN_OR_RETURN(
        out, query("next_due_at IS NOT NULL AND (next_due_at > ? OR (next_due_at = ? AND id > ?))",
                   "next_due_at, id", q.limit, [&](sql::PreparedStatement& st, int& i) {
                     st.setInt64(i++, due);
                     st.setInt64(i++, due);
                     st.setString(i++, q.after_id);
                   }));
    if (static_cast<int>(out.size()) >= q.limit) return out;
  }
  // Then the tickets without a running clock, from the start or after the last one shown.
  const std::string after_id = among_running ? "" : q.after_id;
  SLA_ASSIGN_OR_RETURN(
      std::vector<ListedTicket> more,
      query("next_due_at IS NULL AND id > ?", "id", q.limit - static_cast<int>(out.size()),
            [&](sql::PreparedStatement& st, int& i) { st.setString(i++, after_id); }));
  for (ListedTicket& t : more) out.push_back(std::move(t));
  return out;
}

namespace {
// Adds one row to the VALUES list being built.
void AppendRow(std::string& values, const mysql::LiteralRow& row) {
  absl::StrAppend(&values, values.empty() ? "" : ",", row.Render());
}
}  // namespace

absl::Status InsertNewTicketsInOneRoundTrip(Connection& c,
                                            absl::Span<const NewTicketRows* const> rows) {
  std::string claims, tickets, history;
  std::vector<const OutboxRow*> events;
  for (const NewTicketRows* r : rows) {
    if (!r->claim.request_id.empty()) {
      mysql::LiteralRow v(5);
      v.setString(1, r->claim.request_id);
      v.setString(2, r->claim.method);
      v.setString(3, r->claim.caller);
      v.setString(4, r->claim.resource_name);
      v.setString(5, r->claim.fingerprint);
      AppendRow(claims, v);
    }
    mysql::LiteralRow t(kTicketParams);
    BindTicket(t, 1, r->ticket, r->derived);
    AppendRow(tickets, t);
    mysql::LiteralRow h(3);
    h.setString(1, r->history.ticket_id);
    h.setInt64(2, r->history.seq);
    h.setString(3, r->history.entries);
    AppendRow(history, h);
    events.push_back(&r->event);
  }
  // One compound statement rather than a script of statements: the server then answers once
  // instead of once per statement (eight packets, each waking the client), which took about a
  // third of the server's CPU per transaction (docs/performance.md).
  std::string script = "START TRANSACTION;";
  if (!claims.empty()) {
    absl::StrAppend(
        &script,
        "INSERT INTO request_log (request_id, method, caller, resource_name, request_hash) VALUES ",
        claims, ";");
  }
  // The events are numbered here rather than by the sequencer (outbox.h), last, so the
  // sequence row is locked only for the outbox insert and the COMMIT.
  SLA_ASSIGN_OR_RETURN(const std::string numbered, outbox::NumberedInsertStatements(events));
  absl::StrAppend(&script, kInsertTicketPrefix, tickets, ";",
                  "INSERT INTO sla_history (ticket_id, seq, entries) VALUES ", history, ";",
                  numbered, "COMMIT;");
  absl::Status s = c.ExecuteCompound(script);
  if (!s.ok()) {
    // The server ran nothing after the failing statement: the transaction is still open.
    // Unless the connection is gone (the caller sees UNAVAILABLE), undo it here.
    if (s.code() != absl::StatusCode::kUnavailable) {
      absl::Status undone = c.ExecuteUnprepared("ROLLBACK");
      if (!undone.ok()) return undone;
    }
  }
  return s;
}

absl::Status InsertNewTicketAlone(mysql::ConnectionPool& pool, const NewTicketRows& r) {
  const RequestClaim& claim = r.claim;
  if (claim.request_id.empty()) {
    return absl::InvalidArgumentError("a ticket written alone needs a claim to recognise a replay");
  }
  absl::Status s;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    {
      SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool.Acquire());
      const NewTicketRows* one = &r;
      s = InsertNewTicketsInOneRoundTrip(*conn, {&one, 1});
      if (s.code() == absl::StatusCode::kUnavailable) conn.MarkBroken();
    }  // back to the pool (or closed) before the check below takes a connection
    if (s.code() == absl::StatusCode::kUnavailable) {
      // Lost with the outcome unknown: the claim, committed with the ticket, says whether the
      // COMMIT ran. If it did, this is the ticket; if not, nothing was written and it runs again.
      std::optional<std::string> found;
      SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](Connection& c) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(
            found, mysql::LookupRequestId(c, {claim.request_id, ""}, claim.method, claim.caller));
        return absl::OkStatus();
      }));
      if (found && *found == claim.resource_name) return absl::OkStatus();
      if (found) return absl::AlreadyExistsError("the request id was claimed by another request");
      continue;
    }
    // A deadlock rolled it back: run it again.
    if (!mysql::IsRetryableAbort(s)) return s;
  }
  return s;
}

absl::Status InsertHistory(Connection& c, absl::Span<const HistoryRow> rows) {
  return mysql::ExecuteRows(c, "INSERT INTO sla_history (ticket_id, seq, entries) VALUES ",
                            "(?,?,?)", "", rows.size(), 3,
                            [&](sql::PreparedStatement& st, size_t i, int p) {
                              st.setString(p, rows[i].ticket_id);
                              st.setInt64(p + 1, rows[i].seq);
                              st.setString(p + 2, rows[i].entries);
                            });
}

absl::Status InsertEscalations(Connection& c, absl::Span<const EscalationRow> rows) {
  return mysql::ExecuteRows(
      c, "INSERT INTO escalations (ticket_id, clock, cycle, level, fire_time, escalation) VALUES ",
      "(?,?,?,?,?,?)", "", rows.size(), 6, [&](sql::PreparedStatement& st, size_t i, int p) {
        st.setString(p, rows[i].ticket_id);
        st.setInt(p + 1, rows[i].clock);
        st.setInt(p + 2, rows[i].cycle);
        st.setInt(p + 3, rows[i].level);
        st.setInt64(p + 4, rows[i].fire_time);
        st.setString(p + 5, rows[i].escalation);
      });
}

namespace {
absl::StatusOr<std::vector<std::string>> Blobs(Connection& c, const std::string& sql,
                                               const std::string& ticket_id) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
  std::vector<std::string> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, ticket_id);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out.push_back(rs->getString(1));
  }));
  return out;
}
}  // namespace

absl::StatusOr<std::vector<std::string>> ListHistory(Connection& c, const std::string& ticket_id) {
  return Blobs(c, "SELECT entries FROM sla_history WHERE ticket_id = ? ORDER BY seq", ticket_id);
}

absl::StatusOr<std::vector<std::string>> ListEscalations(Connection& c,
                                                         const std::string& ticket_id) {
  return Blobs(c,
               "SELECT escalation FROM escalations WHERE ticket_id = ? ORDER BY fire_time, clock, "
               "level",
               ticket_id);
}

absl::Status InsertComment(Connection& c, const CommentRow& row) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("INSERT INTO ticket_comments (id, ticket_id, author, side, visibility, kind, body, "
                "awaits_reply, create_time) VALUES (?,?,?,?,?,?,?,?,?)"));
  const auto& m = row.comment;
  return mysql::Guard([&] {
    st->setString(1, row.id);
    st->setString(2, row.ticket_id);
    st->setString(3, m.author());
    st->setInt(4, m.side());
    st->setInt(5, m.visibility());
    st->setInt(6, m.kind());
    st->setString(7, m.body());
    st->setInt(8, m.awaits_reply() ? 1 : 0);
    st->setInt64(9, m.create_time().seconds());
    st->executeUpdate();
  });
}

absl::StatusOr<std::vector<CommentRow>> ListComments(Connection& c, const std::string& ticket_id,
                                                     bool include_internal,
                                                     const std::string& after_id, int limit) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare(absl::StrCat(
                           "SELECT id, author, side, visibility, kind, body, awaits_reply, "
                           "create_time FROM ticket_comments WHERE ticket_id = ? AND id > ?",
                           include_internal ? "" : " AND visibility = 1", " ORDER BY id LIMIT ?")));
  std::vector<CommentRow> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, ticket_id);
    st->setString(2, after_id);
    st->setInt(3, limit);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      CommentRow r;
      r.id = rs->getString(1);
      r.ticket_id = ticket_id;
      r.comment.set_author(rs->getString(2));
      r.comment.set_side(static_cast<sla::ticket::v1::Comment::Side>(rs->getInt(3)));
      r.comment.set_visibility(static_cast<sla::ticket::v1::Comment::Visibility>(rs->getInt(4)));
      r.comment.set_kind(static_cast<sla::ticket::v1::Comment::Kind>(rs->getInt(5)));
      r.comment.set_body(rs->getString(6));
      r.comment.set_awaits_reply(rs->getInt(7) != 0);
      r.comment.mutable_create_time()->set_seconds(rs->getInt64(8));
      out.push_back(std::move(r));
    }
  }));
  return out;
}

namespace {
constexpr char kOutageColumns[] =
    "id, customer_id, contract_id, service_id, start_time, end_time, planned, exclusion_id, "
    "ticket, summary, version, create_time, update_time";

absl::StatusOr<std::vector<OutageRow>> QueryOutages(sql::PreparedStatement* st) {
  std::vector<OutageRow> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      OutageRow o;
      o.id = rs->getString(1);
      o.customer_id = rs->getString(2);
      o.contract_id = rs->getString(3);
      o.service_id = rs->getString(4);
      o.start_time = rs->getInt64(5);
      if (!rs->isNull(6)) o.end_time = rs->getInt64(6);
      o.planned = rs->getInt(7) != 0;
      o.exclusion_id = rs->getString(8);
      o.ticket = rs->getString(9);
      o.summary = rs->getString(10);
      o.version = rs->getInt64(11);
      o.create_time = rs->getInt64(12);
      o.update_time = rs->getInt64(13);
      out.push_back(std::move(o));
    }
  }));
  return out;
}
}  // namespace

absl::Status InsertOutage(Connection& c, const OutageRow& o) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare(absl::StrCat("INSERT INTO outages (", kOutageColumns,
                                              ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")));
  return mysql::Guard([&] {
    st->setString(1, o.id);
    st->setString(2, o.customer_id);
    st->setString(3, o.contract_id);
    st->setString(4, o.service_id);
    st->setInt64(5, o.start_time);
    if (o.end_time) {
      st->setInt64(6, *o.end_time);
    } else {
      st->setNull(6, sql::DataType::BIGINT);
    }
    st->setInt(7, o.planned ? 1 : 0);
    st->setString(8, o.exclusion_id);
    st->setString(9, o.ticket);
    st->setString(10, o.summary);
    st->setInt64(11, o.version);
    st->setInt64(12, o.create_time);
    st->setInt64(13, o.update_time);
    st->executeUpdate();
  });
}

absl::StatusOr<std::optional<OutageRow>> LoadOutage(Connection& c, const std::string& id,
                                                    bool for_update) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT ", kOutageColumns, " FROM outages WHERE id = ?",
                             for_update ? " FOR UPDATE" : "")));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] { st->setString(1, id); }));
  SLA_ASSIGN_OR_RETURN(std::vector<OutageRow> rows, QueryOutages(st));
  if (rows.empty()) return std::optional<OutageRow>();
  return std::optional<OutageRow>(std::move(rows.front()));
}

absl::Status UpdateOutage(Connection& c, const OutageRow& o) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("UPDATE outages SET end_time = ?, version = ?, update_time = ? "
                                 "WHERE id = ?"));
  return mysql::Guard([&] {
    if (o.end_time) {
      st->setInt64(1, *o.end_time);
    } else {
      st->setNull(1, sql::DataType::BIGINT);
    }
    st->setInt64(2, o.version);
    st->setInt64(3, o.update_time);
    st->setString(4, o.id);
    st->executeUpdate();
  });
}

absl::StatusOr<std::vector<OutageRow>> ListOutages(Connection& c, const OutageQuery& q) {
  std::string sql = absl::StrCat("SELECT ", kOutageColumns, " FROM outages WHERE id > ?");
  if (!q.scope.all()) sql += " AND customer_id = ?";
  if (q.service_id) sql += " AND service_id = ?";
  if (q.contract_id) sql += " AND contract_id = ?";
  if (q.open) sql += *q.open ? " AND end_time IS NULL" : " AND end_time IS NOT NULL";
  if (q.planned) sql += " AND planned = ?";
  sql += " ORDER BY id LIMIT ?";
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    int i = 1;
    st->setString(i++, q.after_id);
    if (!q.scope.all()) st->setString(i++, q.scope.customer_id());
    if (q.service_id) st->setString(i++, *q.service_id);
    if (q.contract_id) st->setString(i++, *q.contract_id);
    if (q.planned) st->setInt(i++, *q.planned ? 1 : 0);
    st->setInt(i++, q.limit);
  }));
  return QueryOutages(st);
}

absl::StatusOr<std::optional<std::string>> LoadTermsVersion(Connection& c,
                                                            const std::string& name) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT terms FROM terms_versions WHERE name = ?"));
  std::optional<std::string> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, name);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = rs->getString(1);
  }));
  return out;
}

absl::Status StoreTermsVersion(Connection& c, const std::string& name, const std::string& terms,
                               int64_t effective_from) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("INSERT IGNORE INTO terms_versions (name, terms, effective_from) VALUES (?,?,?)"));
  return mysql::Guard([&] {
    st->setString(1, name);
    st->setString(2, terms);
    st->setInt64(3, effective_from);
    st->executeUpdate();
  });
}

}  // namespace sla::ticket::storage
