#include "reporting-svc/storage/report_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"

namespace sla::reporting::storage {
namespace {

using sql::PreparedStatement;

// "contract_id = ? AND customer_id = ?" / "customer_id = ?" / "1 = 1" (the contract column
// first: it leads the indexes).
std::string Where(const QueryScope& s) {
  if (!s.contract_id().empty()) return "contract_id = ? AND customer_id = ?";
  if (!s.customer_id().empty()) return "customer_id = ?";
  return "1 = 1";
}

// Binds the scope's parameters from `index`; returns the next index.
int Bind(PreparedStatement* st, const QueryScope& s, int index) {
  if (!s.contract_id().empty()) {
    st->setString(index++, s.contract_id());
    st->setString(index++, s.customer_id());
  } else if (!s.customer_id().empty()) {
    st->setString(index++, s.customer_id());
  }
  return index;
}

absl::Status Exec(Connection& c, const std::string& sql,
                  const std::function<void(PreparedStatement*)>& bind) {
  SLA_ASSIGN_OR_RETURN(PreparedStatement * st, c.Prepare(sql));
  return mysql::Guard([&] {
    bind(st);
    st->executeUpdate();
  });
}

void BindKey(PreparedStatement* st, const TicketKey& k, int index) {
  st->setString(index, k.customer_id);
  st->setString(index + 1, k.ticket_id);
}

constexpr char kKeyWhere[] = " WHERE customer_id = ? AND ticket_id = ?";

// A ticket's place in the totals and its clock outcomes, locked for the change that follows.
struct Outcome {
  int period = 0;
  std::string contract_id;
  int resp = kPending;
  int res = kPending;
};

absl::StatusOr<std::optional<Outcome>> LockOutcome(Connection& c, const TicketKey& k) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT period_index, contract_id, resp_state, res_state FROM "
                             "rpt_tickets",
                             kKeyWhere, " FOR UPDATE")));
  std::optional<Outcome> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    BindKey(st, k, 1);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = Outcome{rs->getInt(1), rs->getString(2), rs->getInt(3), rs->getInt(4)};
  }));
  return out;
}

struct Delta {
  int64_t tickets = 0, resp_met = 0, resp_decided = 0, res_met = 0, res_decided = 0, breaches = 0;
};

absl::Status AddTotals(Connection& c, int period, const std::string& contract_id,
                       const std::string& customer_id, const Delta& d) {
  return Exec(
      c,
      "INSERT INTO rpt_period_totals (period_index, contract_id, customer_id, tickets, resp_met, "
      "resp_decided, res_met, res_decided, breaches) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON "
      "DUPLICATE KEY "
      "UPDATE tickets = tickets + VALUES(tickets), resp_met = resp_met + VALUES(resp_met), "
      "resp_decided = "
      "resp_decided + VALUES(resp_decided), res_met = res_met + VALUES(res_met), res_decided = "
      "res_decided "
      "+ VALUES(res_decided), breaches = breaches + VALUES(breaches)",
      [&](PreparedStatement* st) {
        st->setInt(1, period);
        st->setString(2, contract_id);
        st->setString(3, customer_id);
        st->setInt64(4, d.tickets);
        st->setInt64(5, d.resp_met);
        st->setInt64(6, d.resp_decided);
        st->setInt64(7, d.res_met);
        st->setInt64(8, d.res_decided);
        st->setInt64(9, d.breaches);
      });
}

// Moves a ticket's outcomes from `before` to (resp, res), row and totals together.
absl::Status SetOutcome(Connection& c, const TicketKey& k, const Outcome& before, int resp,
                        int res) {
  if (resp == before.resp && res == before.res) return absl::OkStatus();
  SLA_RETURN_IF_ERROR(
      Exec(c, absl::StrCat("UPDATE rpt_tickets SET resp_state = ?, res_state = ?", kKeyWhere),
           [&](PreparedStatement* st) {
             st->setInt(1, resp);
             st->setInt(2, res);
             BindKey(st, k, 3);
           }));
  Delta d;
  d.resp_met = (resp == kMetOnTime) - (before.resp == kMetOnTime);
  d.resp_decided = (resp != kPending) - (before.resp != kPending);
  d.res_met = (res == kMetOnTime) - (before.res == kMetOnTime);
  d.res_decided = (res != kPending) - (before.res != kPending);
  return AddTotals(c, before.period, before.contract_id, k.customer_id, d);
}

}  // namespace

absl::Status InsertTicket(Connection& c, const OpenedTicket& t) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare("INSERT IGNORE INTO rpt_tickets (customer_id, ticket_id, contract_id, service_id, "
                "priority, period_index, open_time, terms_version, rca_required, pauses) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, '')"));
  int inserted = 0;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    BindKey(st, t.key, 1);
    st->setString(3, t.contract_id);
    st->setString(4, t.service_id);
    st->setInt(5, t.priority);
    st->setInt(6, t.period_index);
    st->setInt64(7, t.open_time);
    st->setString(8, t.terms_version);
    st->setInt(9, t.rca_required ? 1 : 0);
    inserted = st->executeUpdate();
  }));
  if (inserted == 0) return absl::OkStatus();  // replayed
  Delta d;
  d.tickets = 1;
  return AddTotals(c, t.period_index, t.contract_id, t.key.customer_id, d);
}

absl::Status SetPriority(Connection& c, const TicketKey& k, int priority, bool rca_required) {
  return Exec(c, absl::StrCat("UPDATE rpt_tickets SET priority = ?, rca_required = ?", kKeyWhere),
              [&](PreparedStatement* st) {
                st->setInt(1, priority);
                st->setInt(2, rca_required ? 1 : 0);
                BindKey(st, k, 3);
              });
}

absl::Status ClockMet(Connection& c, const TicketKey& k, sla::v1::ClockKind kind, bool on_time,
                      int64_t business, int64_t wall, int64_t at) {
  SLA_ASSIGN_OR_RETURN(std::optional<Outcome> before, LockOutcome(c, k));
  if (!before) return absl::OkStatus();  // opened before reporting-svc followed the stream
  const bool response = kind == sla::v1::CLOCK_FIRST_RESPONSE;
  const char* p = response ? "resp" : "res";
  SLA_RETURN_IF_ERROR(Exec(c,
                           absl::StrCat("UPDATE rpt_tickets SET ", p, "_business = ?, ", p,
                                        "_wall = ?, ", p, "_time = ?", kKeyWhere),
                           [&](PreparedStatement* st) {
                             st->setInt64(1, business);
                             st->setInt64(2, wall);
                             st->setInt64(3, at);
                             BindKey(st, k, 4);
                           }));
  // A breached clock stays breached.
  const int was = response ? before->resp : before->res;
  const int now = was == kBreached ? kBreached : on_time ? kMetOnTime : kBreached;
  return SetOutcome(c, k, *before, response ? now : before->resp, response ? before->res : now);
}

absl::Status AddBreach(Connection& c, const Breach& b) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(
          "INSERT IGNORE INTO rpt_breaches (customer_id, ticket_id, clock, cycle, contract_id, "
          "priority, breach_time, period_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  int inserted = 0;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    BindKey(st, b.key, 1);
    st->setInt(3, b.clock);
    st->setInt(4, b.cycle);
    st->setString(5, b.contract_id);
    st->setInt(6, b.priority);
    st->setInt64(7, b.time);
    st->setInt(8, b.period_index);
    inserted = st->executeUpdate();
  }));
  if (inserted == 0) return absl::OkStatus();  // replayed
  Delta d;
  d.breaches = 1;
  SLA_RETURN_IF_ERROR(AddTotals(c, b.period_index, b.contract_id, b.key.customer_id, d));
  SLA_ASSIGN_OR_RETURN(std::optional<Outcome> before, LockOutcome(c, b.key));
  if (!before) return absl::OkStatus();
  SLA_RETURN_IF_ERROR(
      Exec(c, absl::StrCat("UPDATE rpt_tickets SET breach_count = breach_count + 1", kKeyWhere),
           [&](PreparedStatement* s) { BindKey(s, b.key, 1); }));
  return SetOutcome(c, b.key, *before,
                    b.clock == sla::v1::CLOCK_FIRST_RESPONSE ? kBreached : before->resp,
                    b.clock == sla::v1::CLOCK_RESOLUTION ? kBreached : before->res);
}

absl::Status AddEscalation(Connection& c, const Escalation& e) {
  return Exec(c,
              "INSERT IGNORE INTO rpt_escalations (customer_id, ticket_id, clock, cycle, level, "
              "contract_id, manual, "
              "fire_time, period_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              [&](PreparedStatement* st) {
                BindKey(st, e.key, 1);
                st->setInt(3, e.clock);
                st->setInt(4, e.cycle);
                st->setInt(5, e.level);
                st->setString(6, e.contract_id);
                st->setInt(7, e.manual ? 1 : 0);
                st->setInt64(8, e.time);
                st->setInt(9, e.period_index);
              });
}

absl::Status TicketReopened(Connection& c, const TicketKey& k, int reopen_count) {
  SLA_ASSIGN_OR_RETURN(std::optional<Outcome> before, LockOutcome(c, k));
  if (!before) return absl::OkStatus();
  SLA_RETURN_IF_ERROR(Exec(
      c,
      absl::StrCat("UPDATE rpt_tickets SET reopen_count = GREATEST(reopen_count, ?), closed = 0",
                   kKeyWhere),
      [&](PreparedStatement* st) {
        st->setInt(1, reopen_count);
        BindKey(st, k, 2);
      }));
  // The resolution clock runs again: pending, unless it breached.
  return SetOutcome(c, k, *before, before->resp, before->res == kBreached ? kBreached : kPending);
}

absl::Status TicketClosed(Connection& c, const TicketKey& k, bool rca_recorded) {
  return Exec(c, absl::StrCat("UPDATE rpt_tickets SET closed = 1, rca_recorded = ?", kKeyWhere),
              [&](PreparedStatement* st) {
                st->setInt(1, rca_recorded ? 1 : 0);
                BindKey(st, k, 2);
              });
}

absl::Status RcaRecorded(Connection& c, const TicketKey& k) {
  return Exec(c, absl::StrCat("UPDATE rpt_tickets SET rca_recorded = 1", kKeyWhere),
              [&](PreparedStatement* st) { BindKey(st, k, 1); });
}

absl::Status PauseStarted(Connection& c, const TicketKey& k, int64_t at) {
  return Exec(
      c, absl::StrCat("UPDATE rpt_tickets SET pause_open = COALESCE(pause_open, ?)", kKeyWhere),
      [&](PreparedStatement* st) {
        st->setInt64(1, at);
        BindKey(st, k, 2);
      });
}

absl::Status PauseEnded(Connection& c, const TicketKey& k, int64_t at) {
  return Exec(
      c,
      absl::StrCat(
          "UPDATE rpt_tickets SET pauses = IF(pause_open IS NULL OR pause_open >= ?, pauses, "
          "CONCAT(pauses, IF(pauses = '', '', ','), pause_open, '-', ?)), pause_open = NULL",
          kKeyWhere),
      [&](PreparedStatement* st) {
        st->setInt64(1, at);
        st->setInt64(2, at);
        BindKey(st, k, 3);
      });
}

absl::Status UpsertOutage(Connection& c, const Outage& o) {
  return Exec(c,
              "INSERT INTO rpt_outages (customer_id, outage_id, contract_id, service_id, "
              "start_time, end_time, "
              "planned, exclusion_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
              "start_time = VALUES(start_time), end_time = COALESCE(VALUES(end_time), end_time), "
              "planned = VALUES(planned), exclusion_id = VALUES(exclusion_id)",
              [&](PreparedStatement* st) {
                st->setString(1, o.customer_id);
                st->setString(2, o.outage_id);
                st->setString(3, o.contract_id);
                st->setString(4, o.row.service_id);
                st->setInt64(5, o.row.start);
                if (o.row.end == 0) {
                  st->setNull(6, 0);
                } else {
                  st->setInt64(6, o.row.end);
                }
                st->setInt(7, o.row.planned ? 1 : 0);
                st->setString(8, o.row.exclusion_id);
              });
}

absl::Status UpsertCredit(Connection& c, const Credit& cr) {
  return Exec(
      c,
      "INSERT INTO rpt_credits (customer_id, contract_id, period_index, status, credit_note, "
      "currency, "
      "amount_minor, cap_cut_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
      "status = VALUES(status), credit_note = VALUES(credit_note), currency = VALUES(currency), "
      "amount_minor = VALUES(amount_minor), cap_cut_minor = VALUES(cap_cut_minor)",
      [&](PreparedStatement* st) {
        st->setString(1, cr.customer_id);
        st->setString(2, cr.contract_id);
        st->setInt(3, cr.period_index);
        st->setString(4, cr.status);
        st->setString(5, cr.credit_note);
        st->setString(6, cr.currency);
        st->setInt64(7, cr.amount_minor);
        st->setInt64(8, cr.cap_cut_minor);
      });
}

absl::Status AdjustCredit(Connection& c, const Credit& d, const std::string& note) {
  return Exec(c,
              "INSERT INTO rpt_credits (customer_id, contract_id, period_index, status, "
              "credit_note, currency, "
              "amount_minor, cap_cut_minor, adjustment_notes) VALUES (?, ?, ?, ?, '', ?, ?, 0, ?) "
              "ON DUPLICATE KEY UPDATE amount_minor = amount_minor + VALUES(amount_minor), "
              "adjustment_notes = IF(VALUES(adjustment_notes) = '', adjustment_notes, "
              "TRIM(CONCAT(adjustment_notes, ' ', VALUES(adjustment_notes))))",
              [&](PreparedStatement* st) {
                st->setString(1, d.customer_id);
                st->setString(2, d.contract_id);
                st->setInt(3, d.period_index);
                st->setString(4, d.status);
                st->setString(5, d.currency);
                st->setInt64(6, d.amount_minor);
                st->setString(7, note);
              });
}

absl::Status AddPendingRevision(Connection& c, const PendingRevision& p) {
  return Exec(c,
              "INSERT INTO pending_revisions (customer_id, contract_id, period_index, reason) "
              "VALUES (?, ?, ?, ?) "
              "ON DUPLICATE KEY UPDATE reason = VALUES(reason)",
              [&](PreparedStatement* st) {
                st->setString(1, p.scope.customer_id);
                st->setString(2, p.scope.contract_id);
                st->setInt(3, p.period_index);
                st->setString(4, p.reason.substr(0, 256));
              });
}

absl::StatusOr<std::vector<PendingRevision>> ListPendingRevisions(Connection& c, int limit) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare("SELECT customer_id, contract_id, period_index, reason FROM pending_revisions "
                "ORDER BY customer_id, contract_id, period_index LIMIT ?"));
  std::vector<PendingRevision> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt(1, limit);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next())
      out.push_back({{rs->getString(1), rs->getString(2)}, rs->getInt(3), rs->getString(4)});
  }));
  return out;
}

absl::Status DeletePendingRevision(Connection& c, const Scope& s, int period_index) {
  return Exec(c,
              "DELETE FROM pending_revisions WHERE customer_id = ? AND contract_id = ? AND "
              "period_index = ?",
              [&](PreparedStatement* st) {
                st->setString(1, s.customer_id);
                st->setString(2, s.contract_id);
                st->setInt(3, period_index);
              });
}

absl::StatusOr<std::vector<TicketFigures>> LoadTicketFigures(Connection& c, const QueryScope& s,
                                                             int period) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat(
          "SELECT priority, resp_state, resp_business, resp_wall, res_state, res_business, "
          "res_wall, breach_count, reopen_count, res_time IS NOT NULL, rca_required, "
          "rca_recorded, closed FROM rpt_tickets WHERE ",
          Where(s), " AND period_index = ?")));
  std::vector<TicketFigures> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt(Bind(st, s, 1), period);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    out.reserve(rs->rowsCount());
    while (rs->next()) {
      TicketFigures t;
      t.priority = static_cast<sla::v1::Priority>(rs->getInt(1));
      t.resp_state = rs->getInt(2);
      t.resp_business = rs->isNull(3) ? -1 : rs->getInt64(3);
      t.resp_wall = rs->isNull(4) ? -1 : rs->getInt64(4);
      t.res_state = rs->getInt(5);
      t.res_business = rs->isNull(6) ? -1 : rs->getInt64(6);
      t.res_wall = rs->isNull(7) ? -1 : rs->getInt64(7);
      t.breach_count = rs->getInt(8);
      t.reopen_count = rs->getInt(9);
      t.resolved = rs->getInt(10) != 0;
      t.rca_required = rs->getInt(11) != 0;
      t.rca_recorded = rs->getInt(12) != 0;
      t.closed = rs->getInt(13) != 0;
      out.push_back(t);
    }
  }));
  return out;
}

absl::StatusOr<std::pair<std::vector<v1::BreachEntry>, int64_t>> LoadBreaches(Connection& c,
                                                                              const QueryScope& s,
                                                                              int period,
                                                                              int limit) {
  std::pair<std::vector<v1::BreachEntry>, int64_t> out{{}, 0};
  SLA_ASSIGN_OR_RETURN(PreparedStatement * n,
                       c.Prepare(absl::StrCat("SELECT COUNT(*) FROM rpt_breaches WHERE ", Where(s),
                                              " AND period_index = ?")));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    n->setInt(Bind(n, s, 1), period);
    std::unique_ptr<sql::ResultSet> rs(n->executeQuery());
    if (rs->next()) out.second = rs->getInt64(1);
  }));
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT customer_id, ticket_id, clock, cycle, priority, breach_time "
                             "FROM rpt_breaches WHERE ",
                             Where(s),
                             " AND period_index = ? ORDER BY breach_time, ticket_id, "
                             "clock, cycle LIMIT ?")));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const int i = Bind(st, s, 1);
    st->setInt(i, period);
    st->setInt(i + 1, limit);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      v1::BreachEntry b;
      b.set_ticket(absl::StrCat("customers/", std::string(rs->getString(1)), "/tickets/",
                                std::string(rs->getString(2))));
      b.set_clock(static_cast<sla::v1::ClockKind>(rs->getInt(3)));
      b.set_cycle(rs->getInt(4));
      b.set_priority(static_cast<sla::v1::Priority>(rs->getInt(5)));
      b.mutable_breach_time()->set_seconds(rs->getInt64(6));
      out.first.push_back(std::move(b));
    }
  }));
  return out;
}

absl::StatusOr<std::vector<v1::EscalationCount>> LoadEscalations(Connection& c, const QueryScope& s,
                                                                 int period) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT level, COUNT(*), SUM(manual) FROM rpt_escalations WHERE ",
                             Where(s), " AND period_index = ? GROUP BY level ORDER BY level")));
  std::vector<v1::EscalationCount> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt(Bind(st, s, 1), period);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      v1::EscalationCount e;
      e.set_level(rs->getInt(1));
      e.set_count(rs->getInt64(2));
      e.set_manual(rs->getInt64(3));
      out.push_back(e);
    }
  }));
  return out;
}

absl::StatusOr<std::vector<OutageRow>> LoadOutages(Connection& c, const QueryScope& s,
                                                   int64_t start, int64_t end) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT service_id, start_time, end_time, planned, exclusion_id FROM "
                             "rpt_outages WHERE ",
                             Where(s),
                             " AND start_time < ? AND (end_time IS NULL OR end_time > ?) "
                             "ORDER BY start_time, outage_id")));
  std::vector<OutageRow> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const int i = Bind(st, s, 1);
    st->setInt64(i, end);
    st->setInt64(i + 1, start);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      out.push_back({rs->getString(1), rs->getInt64(2), rs->isNull(3) ? 0 : rs->getInt64(3),
                     rs->getInt(4) != 0, rs->getString(5)});
    }
  }));
  return out;
}

absl::StatusOr<std::vector<v1::CreditFigure>> LoadCredits(Connection& c, const QueryScope& s,
                                                          int period) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT credit_note, currency, amount_minor, cap_cut_minor, status, "
                             "adjustment_notes FROM "
                             "rpt_credits WHERE ",
                             Where(s), " AND period_index = ? ORDER BY customer_id, contract_id")));
  std::vector<v1::CreditFigure> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt(Bind(st, s, 1), period);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      v1::CreditFigure f;
      f.set_credit_note(rs->getString(1));
      f.set_currency(rs->getString(2));
      f.set_amount_minor(rs->getInt64(3));
      f.set_cap_cut_minor(rs->getInt64(4));
      f.set_status(rs->getString(5));
      for (absl::string_view note :
           absl::StrSplit(std::string(rs->getString(6)), ' ', absl::SkipEmpty())) {
        f.add_adjustment_notes(std::string(note));
      }
      out.push_back(std::move(f));
    }
  }));
  return out;
}

absl::StatusOr<std::vector<v1::TrendPoint>> LoadTrend(Connection& c, const QueryScope& s, int first,
                                                      int last) {
  std::map<int, v1::TrendPoint> points;
  for (int p = first; p <= last; ++p) {
    points[p].set_period(PeriodText(p));
    points[p].set_response_met_ppm(1'000'000);
    points[p].set_resolution_met_ppm(1'000'000);
  }
  // The kept totals: a few rows per contract and period, whatever the number of tickets.
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * t,
      c.Prepare(absl::StrCat(
          "SELECT period_index, SUM(tickets), SUM(resp_met), SUM(resp_decided), SUM(res_met), "
          "SUM(res_decided), SUM(breaches) FROM rpt_period_totals WHERE ",
          Where(s), " AND period_index BETWEEN ? AND ? GROUP BY period_index")));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const int i = Bind(t, s, 1);
    t->setInt(i, first);
    t->setInt(i + 1, last);
    std::unique_ptr<sql::ResultSet> rs(t->executeQuery());
    while (rs->next()) {
      v1::TrendPoint& p = points[rs->getInt(1)];
      p.set_ticket_count(rs->getInt64(2));
      p.set_response_met_ppm(SharePpm(rs->getInt64(3), rs->getInt64(4)));
      p.set_resolution_met_ppm(SharePpm(rs->getInt64(5), rs->getInt64(6)));
      p.set_breach_count(rs->getInt64(7));
    }
  }));
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * cr,
      c.Prepare(absl::StrCat("SELECT period_index, SUM(amount_minor) FROM rpt_credits WHERE ",
                             Where(s),
                             " AND status = 'issued' AND period_index BETWEEN ? AND ? "
                             "GROUP BY period_index")));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const int i = Bind(cr, s, 1);
    cr->setInt(i, first);
    cr->setInt(i + 1, last);
    std::unique_ptr<sql::ResultSet> rs(cr->executeQuery());
    while (rs->next()) points[rs->getInt(1)].set_credits_minor(rs->getInt64(2));
  }));
  std::vector<v1::TrendPoint> out;
  for (auto& [p, point] : points) out.push_back(std::move(point));
  return out;
}

absl::StatusOr<std::vector<ReplayTicket>> LoadReplayTickets(Connection& c, const QueryScope& s,
                                                            int first, int last) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT customer_id, ticket_id, service_id, priority, open_time, "
                             "resp_time, res_time, pauses, pause_open FROM rpt_tickets WHERE ",
                             Where(s), " AND period_index BETWEEN ? AND ? ORDER BY open_time")));
  std::vector<ReplayTicket> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const int i = Bind(st, s, 1);
    st->setInt(i, first);
    st->setInt(i + 1, last);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      ReplayTicket t;
      t.ticket = absl::StrCat("customers/", std::string(rs->getString(1)), "/tickets/",
                              std::string(rs->getString(2)));
      t.service_id = rs->getString(3);
      t.priority = static_cast<sla::v1::Priority>(rs->getInt(4));
      t.open_time = rs->getInt64(5);
      t.resp_time = rs->isNull(6) ? 0 : rs->getInt64(6);
      t.res_time = rs->isNull(7) ? 0 : rs->getInt64(7);
      t.pauses = ParsePauses(rs->getString(8), rs->isNull(9) ? 0 : rs->getInt64(9));
      out.push_back(std::move(t));
    }
  }));
  return out;
}

absl::StatusOr<int64_t> CountContracts(Connection& c, const QueryScope& s, int period) {
  SLA_ASSIGN_OR_RETURN(PreparedStatement * st,
                       c.Prepare(absl::StrCat("SELECT COUNT(*) FROM rpt_period_totals WHERE ",
                                              Where(s), " AND period_index = ? AND tickets > 0")));
  int64_t n = 0;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt(Bind(st, s, 1), period);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) n = rs->getInt64(1);
  }));
  return n;
}

absl::StatusOr<std::optional<StoredReport>> LoadReport(Connection& c, const QueryScope& s,
                                                       int period, int revision, bool for_update) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT revision, body FROM reports WHERE ", Where(s),
                             " AND period_index = ?", revision > 0 ? " AND revision = ?" : "",
                             " ORDER BY revision DESC LIMIT 1", for_update ? " FOR UPDATE" : "")));
  std::optional<StoredReport> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const int i = Bind(st, s, 1);
    st->setInt(i, period);
    if (revision > 0) st->setInt(i + 1, revision);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) {
      out = StoredReport{rs->getInt(1), rs->getString(2)};
    }
  }));
  return out;
}

absl::Status InsertReport(Connection& c, const QueryScope& s, int period, int revision,
                          int64_t issue_time, const std::string& body) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare("INSERT INTO reports (customer_id, contract_id, period_index, revision, "
                "issue_time, body) VALUES (?, ?, ?, ?, ?, ?)"));
  return mysql::Guard([&] {
    st->setString(1, s.customer_id());
    st->setString(2, s.contract_id());
    st->setInt(3, period);
    st->setInt(4, revision);
    st->setInt64(5, issue_time);
    st->setString(6, body);
    st->executeUpdate();
  });
}

absl::StatusOr<std::vector<std::string>> ListReports(Connection& c, const QueryScope& s, int offset,
                                                     int limit) {
  SLA_ASSIGN_OR_RETURN(
      PreparedStatement * st,
      c.Prepare(absl::StrCat("SELECT body FROM reports WHERE ", Where(s),
                             " ORDER BY period_index DESC, revision DESC LIMIT ? OFFSET ?")));
  std::vector<std::string> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const int i = Bind(st, s, 1);
    st->setInt(i, limit);
    st->setInt(i + 1, offset);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) {
      out.push_back(rs->getString(1));
    }
  }));
  return out;
}

}  // namespace sla::reporting::storage
