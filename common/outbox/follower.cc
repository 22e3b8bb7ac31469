#include "common/outbox/follower.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/outbox/outbox.h"
#include "common/outbox/payload.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::outbox {

using mysql::Connection;

namespace {

struct Cursor {
  std::string epoch;
  int64_t seq = 0;
  std::string digest;
  std::string stopped;
};

absl::Status Seed(mysql::ConnectionPool& pool, const std::string& source) {
  // Every applying transaction then locks an existing row: two fresh replicas serialise on it
  // instead of both finding no row (and no lock) and applying the first page twice.
  return mysql::WithConnection(pool, [&](Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(
        sql::PreparedStatement * st,
        c.Prepare("INSERT IGNORE INTO consumer_cursor (source, last_seq) VALUES (?, 0)"));
    return mysql::Guard([&] {
      st->setString(1, source);
      st->executeUpdate();
    });
  });
}

absl::StatusOr<Cursor> ReadCursor(Connection& c, const std::string& source, bool for_update) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare(
          absl::StrCat("SELECT epoch, last_seq, last_digest, stopped_reason FROM consumer_cursor "
                       "WHERE source = ?",
                       for_update ? " FOR UPDATE" : "")));
  Cursor cur;
  bool found = false;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, source);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) {
      found = true;
      cur.epoch = rs->getString(1);
      cur.seq = rs->getInt64(2);
      cur.digest = rs->getString(3);
      cur.stopped = rs->getString(4);
    }
  }));
  if (!found) return absl::InternalError(absl::StrCat("consumer_cursor has no row for ", source));
  return cur;
}

std::string CustomerId(const std::string& customer_name) {
  return std::string(absl::StripPrefix(customer_name, "customers/"));
}

std::string ReasonOf(const absl::Status& s) {
  return std::string(
      absl::StrCat(absl::StatusCodeToString(s.code()), ": ", s.message()).substr(0, 2048));
}

DeadLetterRow ReadDeadLetter(sql::ResultSet& rs) {
  DeadLetterRow d;
  d.source = rs.getString(1);
  d.epoch = rs.getString(2);
  d.sequence = rs.getInt64(3);
  d.type = rs.getString(4);
  d.subject = rs.getString(5);
  d.customer_id = rs.getString(6);
  d.event_time = rs.getInt64(7);
  d.reason = rs.getString(8);
  d.state = rs.getString(10);
  d.attempts = rs.getInt(11);
  d.dead_at = rs.getInt64(12);
  d.replayed_at = rs.getInt64(13);
  d.replayed_by = rs.getString(14);
  if (!rs.isNull(15)) {
    if (!d.payload.ParseFromString(rs.getString(15))) d.payload.Clear();
  } else {
    // Set aside before typed payloads: converted, or left empty to be refused again.
    absl::StatusOr<sla::v1::EventPayload> typed =
        PayloadFromJson(d.type, rs.getString(9).asStdString());
    if (typed.ok()) d.payload = *std::move(typed);
  }
  return d;
}

constexpr char kDeadLetterColumns[] =
    "source, epoch, sequence, event_type, subject, customer_id, event_time, reason, payload, "
    "state, attempts, "
    "dead_at, replayed_at, replayed_by, payload_proto";

}  // namespace

std::string DigestOf(const FeedEvent& e) {
  return Digest(e.sequence, e.type, e.subject, CustomerId(e.customer), e.event_time);
}

Follower::Follower(mysql::ConnectionPool* pool, Feed* feed, Handler* handler,
                   FollowerOptions options)
    : pool_(pool),
      feed_(feed),
      handler_(handler),
      options_(std::move(options)),
      max_events_(options_.max_events) {}

absl::Status Follower::Stop(const std::string& reason) {
  log::Error(
      "event consumer stopped: an operator must reset it (docs/operations.md, \"Event streams\")",
      {{"source", options_.source}, {"reason", reason}});
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(
        sql::PreparedStatement * st,
        c.Prepare("UPDATE consumer_cursor SET stopped_reason = ? WHERE source = ?"));
    return mysql::Guard([&] {
      st->setString(1, reason.substr(0, 1024));
      st->setString(2, options_.source);
      st->executeUpdate();
    });
  }));
  return absl::FailedPreconditionError(
      absl::StrCat("consumer of ", options_.source, " stopped: ", reason));
}

absl::StatusOr<int> Follower::RunOnce() {
  SLA_RETURN_IF_ERROR(Seed(*pool_, options_.source));
  int total = 0;
  for (;;) {
    Cursor cur;
    SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(cur, ReadCursor(c, options_.source, false));
      return absl::OkStatus();
    }));
    if (!cur.stopped.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("consumer of ", options_.source, " stopped: ", cur.stopped));
    }
    const FeedPosition at{cur.epoch, cur.seq, cur.digest};
    absl::StatusOr<FeedPage> page = feed_->List(at, max_events_.load(), options_.max_bytes);
    if (!page.ok()) {
      if (IsStreamRewound(page.status())) return Stop(std::string(page.status().message()));
      if (page.status().code() == absl::StatusCode::kResourceExhausted && max_events_ > 1) {
        // A producer that does not bound its pages in bytes: ask for fewer events.
        max_events_ = std::max(1, max_events_.load() / 2);
        log::Warning(
            "event page too large to receive; asking for fewer events",
            {{"source", options_.source}, {"max_events", absl::StrCat(max_events_.load())}});
        continue;
      }
      return page.status();
    }
    // The producer checks the position too; these hold even against one that does not.
    if (!cur.epoch.empty() && page->epoch != cur.epoch) {
      return Stop(absl::StrCat("the stream's epoch changed from ", cur.epoch, " to ", page->epoch,
                               " (its database was restored or replaced) at position ", cur.seq));
    }
    // (A producer from before epochs answers neither an epoch nor its end.)
    if (!page->epoch.empty() && page->last_sequence < cur.seq) {
      return Stop(absl::StrCat("the stream ends at ", page->last_sequence, ", before position ",
                               cur.seq, " (its database was restored or failed over)"));
    }
    if (page->events.empty()) return total;
    int64_t previous = cur.seq;
    for (const FeedEvent& e : page->events) {
      if ((!e.epoch.empty() && e.epoch != page->epoch) || e.sequence <= previous) {
        return Stop(absl::StrCat("event ", e.sequence, " is out of order or of another epoch (",
                                 e.epoch, ")"));
      }
      previous = e.sequence;
    }
    SLA_ASSIGN_OR_RETURN(const int taken, ApplyPage(at, *page));
    total += taken;
    max_events_ = std::min(options_.max_events, max_events_.load() * 2);
  }
}

absl::StatusOr<int> Follower::ApplyPage(const FeedPosition& read_at, const FeedPage& page) {
  const size_t n = page.events.size();
  std::vector<std::any> states(n);
  std::vector<absl::Status> dead(n);
  for (size_t i = 0; i < n; ++i) {
    absl::Status s = handler_->Prepare(page.events[i], &states[i]);
    if (s.ok()) continue;
    if (!PermanentError(s)) return s;  // e.g. contract-svc unavailable: retry on the next pass
    dead[i] = s;
  }
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  for (;;) {
    int taken = 0;
    std::optional<size_t> failed;
    const absl::Status s = mysql::RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
      taken = 0;
      failed.reset();
      SLA_ASSIGN_OR_RETURN(const Cursor locked, ReadCursor(c, options_.source, true));
      // Reset or stopped by an operator since the page was read: read again.
      if (locked.epoch != read_at.epoch || !locked.stopped.empty()) return absl::OkStatus();
      int64_t last = locked.seq;
      std::string digest = locked.digest;
      int64_t last_time = 0;
      for (size_t i = 0; i < n; ++i) {
        const FeedEvent& e = page.events[i];
        if (e.sequence <= last) continue;  // another replica applied it meanwhile
        if (dead[i].ok()) {
          absl::Status applied = handler_->Apply(c, e, states[i]);
          if (!applied.ok()) {
            if (!PermanentError(applied)) return applied;
            // Undo what it wrote: the page runs again with this event set aside.
            dead[i] = applied;
            failed = i;
            return absl::CancelledError("set aside and retried");
          }
        } else {
          SLA_RETURN_IF_ERROR(SetAside(c, e, dead[i], now));
        }
        last = e.sequence;
        digest = DigestOf(e);
        last_time = e.event_time;
        ++taken;
      }
      if (taken == 0) return absl::OkStatus();
      SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                           c.Prepare("UPDATE consumer_cursor SET epoch = ?, last_seq = ?, "
                                     "last_digest = ?, last_event_time = ?, "
                                     "applied_time = ? WHERE source = ?"));
      return mysql::Guard([&] {
        st->setString(1, page.epoch);
        st->setInt64(2, last);
        st->setString(3, digest);
        st->setInt64(4, last_time);
        st->setInt64(5, now);
        st->setString(6, options_.source);
        st->executeUpdate();
      });
    });
    if (failed) continue;
    if (!s.ok()) return s;
    return taken;
  }
}

absl::Status Follower::SetAside(Connection& c, const FeedEvent& e, const absl::Status& why,
                                int64_t now) {
  const std::string reason = ReasonOf(why);
  log::Warning("event set aside: it cannot be applied", {{"source", options_.source},
                                                         {"sequence", absl::StrCat(e.sequence)},
                                                         {"type", e.type},
                                                         {"reason", reason}});
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("INSERT INTO dead_letters (source, epoch, sequence, event_type, "
                                 "subject, customer_id, event_time, "
                                 "reason, payload_proto, dead_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
                                 "ON DUPLICATE KEY UPDATE reason = VALUES(reason), attempts = "
                                 "attempts + 1, state = 'dead'"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, options_.source);
    st->setString(2, e.epoch);
    st->setInt64(3, e.sequence);
    st->setString(4, e.type);
    st->setString(5, e.subject);
    st->setString(6, CustomerId(e.customer));
    st->setInt64(7, e.event_time);
    st->setString(8, reason);
    st->setString(9, e.payload.SerializeAsString());
    st->setInt64(10, now);
    st->executeUpdate();
  }));
  if (!options_.announce_dead_letters) return absl::OkStatus();
  Row announce{"event.dead_lettered", e.subject, CustomerId(e.customer), now, {}};
  sla::v1::DeadLetterEventPayload& d = *announce.payload.mutable_dead_letter();
  d.set_source(options_.source);
  d.set_epoch(e.epoch);
  d.set_sequence(e.sequence);
  d.set_type(e.type);
  d.set_subject(e.subject);
  d.set_reason(reason);
  return Insert(c, {&announce, 1});
}

absl::StatusOr<CursorState> Follower::Reset(const std::string& epoch, int64_t sequence,
                                            const std::string& reason, const std::string& who) {
  if (epoch.empty()) return InvalidField("epoch", "is required: the producer's current epoch");
  if (sequence < 0) return InvalidField("sequence", "must not be negative");
  if (reason.empty() || reason.size() > 512)
    return InvalidField("reason", "is required, at most 512 characters");
  SLA_RETURN_IF_ERROR(Seed(*pool_, options_.source));
  // The producer confirms that `epoch` is its history and that it reaches `sequence`.
  absl::StatusOr<FeedPage> page = feed_->List({epoch, sequence, ""}, 1, 1);
  if (!page.ok()) {
    if (IsStreamRewound(page.status())) {
      return absl::FailedPreconditionError(absl::StrCat("the producer does not hold ", epoch, "/",
                                                        sequence, ": ", page.status().message()));
    }
    return page.status();
  }
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
    SLA_RETURN_IF_ERROR(ReadCursor(c, options_.source, true).status());
    SLA_ASSIGN_OR_RETURN(
        sql::PreparedStatement * st,
        c.Prepare("UPDATE consumer_cursor SET epoch = ?, last_seq = ?, last_digest = '', "
                  "stopped_reason = '' WHERE source = ?"));
    return mysql::Guard([&] {
      st->setString(1, epoch);
      st->setInt64(2, sequence);
      st->setString(3, options_.source);
      st->executeUpdate();
    });
  }));
  log::Warning("event consumer reset by an operator", {{"source", options_.source},
                                                       {"epoch", epoch},
                                                       {"sequence", absl::StrCat(sequence)},
                                                       {"reason", reason},
                                                       {"by", who}});
  SLA_ASSIGN_OR_RETURN(std::vector<CursorState> all, ListCursors(*pool_));
  for (CursorState& s : all) {
    if (s.source == options_.source) return s;
  }
  return absl::InternalError("cursor vanished");
}

namespace {

absl::StatusOr<std::optional<DeadLetterRow>> LoadDeadLetter(Connection& c,
                                                            const std::string& source,
                                                            const std::string& epoch,
                                                            int64_t sequence, bool for_update) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT ", kDeadLetterColumns,
                             " FROM dead_letters WHERE source = ? AND epoch = ? AND sequence = ?",
                             for_update ? " FOR UPDATE" : "")));
  std::optional<DeadLetterRow> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, source);
    st->setString(2, epoch);
    st->setInt64(3, sequence);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = ReadDeadLetter(*rs);
  }));
  return out;
}

// A replay that failed again: the new reason, one more attempt; the event stays set aside.
absl::Status RecordReplayFailure(Connection& c, const std::string& source, const std::string& epoch,
                                 int64_t sequence, const std::string& reason) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("UPDATE dead_letters SET reason = ?, attempts = attempts + 1 "
                                 "WHERE source = ? AND epoch = ? AND sequence = ?"));
  return mysql::Guard([&] {
    st->setString(1, reason);
    st->setString(2, source);
    st->setString(3, epoch);
    st->setInt64(4, sequence);
    st->executeUpdate();
  });
}

}  // namespace

absl::StatusOr<DeadLetterRow> Follower::Replay(const std::string& epoch, int64_t sequence,
                                               const std::string& who) {
  const std::string name = absl::StrCat("deadLetters/", options_.source, "/", epoch, "/", sequence);
  auto load = [&](Connection& c, bool for_update) {
    return LoadDeadLetter(c, options_.source, epoch, sequence, for_update);
  };
  std::optional<DeadLetterRow> row;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(row, load(c, false));
    return absl::OkStatus();
  }));
  if (!row) return NotFound(name);
  if (row->state == "replayed") return WrongState(name, "was replayed already");
  const FeedEvent e{row->sequence, row->epoch,      row->type,
                    row->subject,  row->event_time, absl::StrCat("customers/", row->customer_id),
                    row->payload};
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  auto record_failure = [&](const absl::Status& why) -> absl::Status {
    SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](Connection& c) {
      return RecordReplayFailure(c, options_.source, epoch, sequence, ReasonOf(why));
    }));
    return WrongState(name, absl::StrCat("still cannot be applied: ", ReasonOf(why)));
  };
  std::any state;
  if (absl::Status s = handler_->Prepare(e, &state); !s.ok()) {
    return PermanentError(s) ? record_failure(s) : s;
  }
  absl::Status failed;
  const absl::Status applied = mysql::RunInTransaction(*pool_, [&](Connection& c) -> absl::Status {
    failed = absl::OkStatus();
    // In line with the pages: a page applying now waits, and so does a period close that
    // takes the cursor's lock.
    SLA_RETURN_IF_ERROR(ReadCursor(c, options_.source, true).status());
    SLA_ASSIGN_OR_RETURN(row, load(c, true));
    if (!row || row->state == "replayed") return WrongState(name, "was replayed already");
    if (absl::Status s = handler_->Apply(c, e, state); !s.ok()) {
      if (!PermanentError(s)) return s;
      failed = s;
      return absl::CancelledError("rolled back");
    }
    SLA_ASSIGN_OR_RETURN(
        sql::PreparedStatement * st,
        c.Prepare("UPDATE dead_letters SET state = 'replayed', replayed_at = ?, replayed_by = ?, "
                  "attempts = attempts + 1 WHERE source = ? AND epoch = ? AND sequence = ?"));
    return mysql::Guard([&] {
      st->setInt64(1, now);
      st->setString(2, who);
      st->setString(3, options_.source);
      st->setString(4, epoch);
      st->setInt64(5, sequence);
      st->executeUpdate();
    });
  });
  if (!failed.ok()) return record_failure(failed);
  SLA_RETURN_IF_ERROR(applied);
  log::Info("set-aside event replayed",
            {{"source", options_.source}, {"sequence", absl::StrCat(sequence)}, {"by", who}});
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(row, load(c, false));
    return absl::OkStatus();
  }));
  if (!row) return NotFound(name);
  return *row;
}

absl::StatusOr<CursorState> Follower::Current() {
  SLA_RETURN_IF_ERROR(Seed(*pool_, options_.source));
  SLA_ASSIGN_OR_RETURN(std::vector<CursorState> all, ListCursors(*pool_));
  for (CursorState& s : all) {
    if (s.source == options_.source) return s;
  }
  return absl::InternalError("cursor vanished");
}

absl::StatusOr<CursorState> Follower::CatchUp(const std::string& epoch, int64_t sequence,
                                              absl::Duration max_wait) {
  const absl::Time deadline = absl::Now() + max_wait;
  for (;;) {
    SLA_ASSIGN_OR_RETURN(CursorState cur, Current());
    if (!cur.epoch.empty() && cur.epoch != epoch) {
      return absl::FailedPreconditionError(absl::StrCat("the position is in history ", epoch,
                                                        " of ", options_.source,
                                                        "; this service follows ", cur.epoch));
    }
    if (cur.epoch == epoch && cur.sequence >= sequence) return cur;
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(absl::StrCat("events of ", options_.source,
                                                 " are applied up to ", cur.sequence, ", not yet ",
                                                 sequence, "; retry"));
    }
    // Pull now rather than wait for the next pass; replicas and the background pass
    // serialise on the cursor row.
    absl::StatusOr<int> n = RunOnce();
    if (!n.ok() && n.status().code() != absl::StatusCode::kUnavailable) return n.status();
    if (!n.ok() || *n == 0) absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::StatusOr<std::vector<CursorState>> ListCursors(mysql::ConnectionPool& pool) {
  std::vector<CursorState> out;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(
        sql::PreparedStatement * st,
        c.Prepare("SELECT source, epoch, last_seq, last_digest, last_event_time, applied_time, "
                  "stopped_reason FROM consumer_cursor ORDER BY source"));
    return mysql::Guard([&] {
      std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
      while (rs->next()) {
        out.push_back({rs->getString(1), rs->getString(2), rs->getInt64(3), rs->getString(4),
                       rs->getInt64(5), rs->getInt64(6), rs->getString(7)});
      }
    });
  }));
  return out;
}

absl::StatusOr<std::vector<DeadLetterRow>> ListDeadLetters(mysql::ConnectionPool& pool,
                                                           const std::string& state, int limit) {
  std::vector<DeadLetterRow> out;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                         c.Prepare(absl::StrCat("SELECT ", kDeadLetterColumns, " FROM dead_letters",
                                                state.empty() ? "" : " WHERE state = ?",
                                                " ORDER BY dead_at, source, sequence LIMIT ?")));
    return mysql::Guard([&] {
      int p = 1;
      if (!state.empty()) st->setString(p++, state);
      st->setInt(p, limit);
      std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
      while (rs->next()) out.push_back(ReadDeadLetter(*rs));
    });
  }));
  return out;
}

}  // namespace sla::outbox
