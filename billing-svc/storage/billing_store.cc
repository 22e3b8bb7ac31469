#include "billing-svc/storage/billing_store.h"

#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace sla::billing::storage {

absl::Status InsertBreach(Connection& c, const ContractKey& k, const BreachFact& b, int cycle) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("INSERT IGNORE INTO breach_facts (ticket, clock, cycle, customer_id, "
                                 "contract_id, priority, breach_time) VALUES (?,?,?,?,?,?,?)"));
  return mysql::Guard([&] {
    st->setString(1, b.ticket);
    st->setInt(2, b.clock);
    st->setInt(3, cycle);
    st->setString(4, k.customer_id);
    st->setString(5, k.contract_id);
    st->setInt(6, b.priority);
    st->setInt64(7, b.time);
    st->executeUpdate();
  });
}

absl::StatusOr<std::optional<OutageFact>> UpsertOutage(Connection& c, const ContractKey& k,
                                                       const OutageFact& o) {
  std::optional<OutageFact> before;
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * sel,
                       c.Prepare("SELECT service_id, start_time, end_time, planned, exclusion_id FROM "
                                 "outage_facts WHERE outage = ? FOR UPDATE"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    sel->setString(1, o.outage);
    std::unique_ptr<sql::ResultSet> rs(sel->executeQuery());
    if (rs->next()) {
      before = OutageFact{o.outage, rs->getString(1), rs->getInt64(2), rs->isNull(3) ? 0 : rs->getInt64(3),
                          rs->getInt(4) != 0, rs->getString(5)};
    }
  }));
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("INSERT INTO outage_facts (outage, customer_id, contract_id, service_id, start_time, "
                "end_time, planned, exclusion_id) VALUES (?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE "
                "start_time = VALUES(start_time), end_time = VALUES(end_time), "
                "planned = VALUES(planned), exclusion_id = VALUES(exclusion_id)"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, o.outage);
    st->setString(2, k.customer_id);
    st->setString(3, k.contract_id);
    st->setString(4, o.service_id);
    st->setInt64(5, o.start);
    if (o.end == 0) {
      st->setNull(6, sql::DataType::BIGINT);
    } else {
      st->setInt64(6, o.end);
    }
    st->setInt(7, o.planned ? 1 : 0);
    st->setString(8, o.exclusion_id);
    st->executeUpdate();
  }));
  return before;
}

absl::Status MarkStale(Connection& c, const ContractKey& k, int64_t from, int64_t until) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("UPDATE closed_periods SET stale = 1 WHERE customer_id = ? AND "
                                 "contract_id = ? AND start_time < ? AND end_time > ? AND stale = 0"));
  return mysql::Guard([&] {
    st->setString(1, k.customer_id);
    st->setString(2, k.contract_id);
    st->setInt64(3, until);
    st->setInt64(4, from);
    st->executeUpdate();
  });
}

absl::Status LockFactsShared(Connection& c) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT last_seq FROM consumer_cursor WHERE source = 'ticket-svc' "
                                 "LOCK IN SHARE MODE"));
  return mysql::Guard([&] { std::unique_ptr<sql::ResultSet> rs(st->executeQuery()); });
}

absl::StatusOr<PeriodFacts> LoadFacts(Connection& c, const ContractKey& k, int64_t start, int64_t end) {
  PeriodFacts f;
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * b,
                       c.Prepare("SELECT ticket, clock, priority, breach_time FROM breach_facts WHERE "
                                 "customer_id = ? AND contract_id = ? AND breach_time >= ? AND "
                                 "breach_time < ? ORDER BY breach_time, ticket"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    b->setString(1, k.customer_id);
    b->setString(2, k.contract_id);
    b->setInt64(3, start);
    b->setInt64(4, end);
    std::unique_ptr<sql::ResultSet> rs(b->executeQuery());
    while (rs->next()) {
      f.breaches.push_back({rs->getString(1), static_cast<sla::v1::ClockKind>(rs->getInt(2)),
                            static_cast<sla::v1::Priority>(rs->getInt(3)), rs->getInt64(4)});
    }
  }));
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * o,
                       c.Prepare("SELECT outage, service_id, start_time, end_time, planned, exclusion_id "
                                 "FROM outage_facts WHERE customer_id = ? AND contract_id = ? AND "
                                 "start_time < ? AND (end_time IS NULL OR end_time > ?) ORDER BY outage"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    o->setString(1, k.customer_id);
    o->setString(2, k.contract_id);
    o->setInt64(3, end);
    o->setInt64(4, start);
    std::unique_ptr<sql::ResultSet> rs(o->executeQuery());
    while (rs->next()) {
      f.outages.push_back({rs->getString(1), rs->getString(2), rs->getInt64(3),
                           rs->isNull(4) ? 0 : rs->getInt64(4), rs->getInt(5) != 0, rs->getString(6)});
    }
  }));
  return f;
}

absl::StatusOr<bool> IsClosed(Connection& c, const ContractKey& k, const Period& p) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT 1 FROM closed_periods WHERE customer_id = ? AND contract_id = ? "
                                 "AND year = ? AND month = ?"));
  bool closed = false;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, k.customer_id);
    st->setString(2, k.contract_id);
    st->setInt(3, p.year);
    st->setInt(4, p.month);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    closed = rs->next();
  }));
  return closed;
}

absl::StatusOr<bool> ClaimPeriod(Connection& c, const ContractKey& k, const Period& p,
                                 const PeriodBounds& bounds, const std::string& terms_version, int64_t now) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("INSERT INTO closed_periods (customer_id, contract_id, year, month, "
                                 "terms_version, closed_at, start_time, end_time) VALUES (?,?,?,?,?,?,?,?)"));
  absl::Status s = mysql::Guard([&] {
    st->setString(1, k.customer_id);
    st->setString(2, k.contract_id);
    st->setInt(3, p.year);
    st->setInt(4, p.month);
    st->setString(5, terms_version);
    st->setInt64(6, now);
    st->setInt64(7, bounds.start);
    st->setInt64(8, bounds.end);
    st->executeUpdate();
  });
  if (s.code() == absl::StatusCode::kAlreadyExists) return false;
  SLA_RETURN_IF_ERROR(s);
  return true;
}

absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods(Connection& c) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT customer_id, contract_id, MAX(year * 12 + month - 1) FROM "
                                 "closed_periods GROUP BY customer_id, contract_id"));
  std::map<std::string, int> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out[absl::StrCat(std::string(rs->getString(1)), "/", std::string(rs->getString(2)))] = rs->getInt(3);
  }));
  return out;
}

absl::StatusOr<std::vector<StalePeriod>> StalePeriods(Connection& c, int limit) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT customer_id, contract_id, year, month FROM closed_periods "
                                 "WHERE stale = 1 ORDER BY customer_id, contract_id, year, month LIMIT ?"));
  std::vector<StalePeriod> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt(1, limit);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out.push_back({{rs->getString(1), rs->getString(2)}, {rs->getInt(3), rs->getInt(4)}});
  }));
  return out;
}

absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(Connection& c, const ContractKey& k,
                                                             const Period& p) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT stale, revision, terms_version FROM closed_periods WHERE "
                                 "customer_id = ? AND contract_id = ? AND year = ? AND month = ? FOR UPDATE"));
  std::optional<ClosedPeriod> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, k.customer_id);
    st->setString(2, k.contract_id);
    st->setInt(3, p.year);
    st->setInt(4, p.month);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = ClosedPeriod{rs->getInt(1) != 0, rs->getInt(2), rs->getString(3)};
  }));
  return out;
}

absl::Status FinishRevision(Connection& c, const ContractKey& k, const Period& p, int revision) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("UPDATE closed_periods SET stale = 0, revision = ? WHERE customer_id = ? "
                                 "AND contract_id = ? AND year = ? AND month = ?"));
  return mysql::Guard([&] {
    st->setInt(1, revision);
    st->setString(2, k.customer_id);
    st->setString(3, k.contract_id);
    st->setInt(4, p.year);
    st->setInt(5, p.month);
    st->executeUpdate();
  });
}

absl::Status InsertCredit(Connection& c, const ContractKey& k, const StoredCredit& cr) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("INSERT INTO credits (customer_id, contract_id, year, month, rule_id, "
                                 "subject, amount_minor, currency, status, line, revision) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
  return mysql::Guard([&] {
    st->setString(1, k.customer_id);
    st->setString(2, k.contract_id);
    st->setInt(3, cr.period.year);
    st->setInt(4, cr.period.month);
    st->setString(5, cr.rule_id);
    st->setString(6, cr.subject);
    st->setInt64(7, cr.amount_minor);
    st->setString(8, cr.currency);
    st->setInt(9, static_cast<int>(cr.status));
    st->setString(10, cr.line);
    st->setInt(11, cr.revision);
    st->executeUpdate();
  });
}

absl::StatusOr<std::vector<Period>> RulePeriods(Connection& c, const ContractKey& k,
                                                const std::string& rule_id, const Period& from,
                                                const Period& until) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("SELECT DISTINCT year, month FROM credits WHERE customer_id = ? AND contract_id = ? "
                "AND rule_id = ? AND year * 12 + month BETWEEN ? AND ? ORDER BY year, month"));
  std::vector<Period> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, k.customer_id);
    st->setString(2, k.contract_id);
    st->setString(3, rule_id);
    st->setInt(4, from.year * 12 + from.month);
    st->setInt(5, until.year * 12 + until.month);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out.push_back({rs->getInt(1), rs->getInt(2)});
  }));
  return out;
}

namespace {

constexpr char kCreditColumns[] = "year, month, rule_id, subject, amount_minor, currency, status, line, revision";

StoredCredit ReadCredit(sql::ResultSet& rs) {
  return {{rs.getInt(1), rs.getInt(2)}, rs.getString(3), rs.getString(4), rs.getInt64(5),
          rs.getString(6), static_cast<CreditStatus>(rs.getInt(7)), rs.getString(8), rs.getInt(9)};
}

// Credits of `k` matching `where` (after the contract), with `before`'s period index bound
// to every `?` after the key.
absl::StatusOr<std::vector<StoredCredit>> SelectCredits(Connection& c, const ContractKey& k,
                                                        const std::string& where, const Period& before,
                                                        int bound_indexes) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare(absl::StrCat("SELECT ", kCreditColumns, " FROM credits WHERE customer_id = ? "
                                              "AND contract_id = ? AND ", where,
                                              " ORDER BY year, month, rule_id, subject, revision FOR UPDATE")));
  std::vector<StoredCredit> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, k.customer_id);
    st->setString(2, k.contract_id);
    for (int i = 0; i < bound_indexes; ++i) st->setInt(3 + i, before.year * 12 + before.month - 1);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out.push_back(ReadCredit(*rs));
  }));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(Connection& c, const ContractKey& k, const Period& p) {
  SLA_ASSIGN_OR_RETURN(std::vector<StoredCredit> rows,
                       SelectCredits(c, k, "year * 12 + month - 1 = ? AND rule_id <> 'carried'", p, 1));
  std::vector<RecordedCredit> out;
  for (const StoredCredit& r : rows) out.push_back({r.rule_id, r.subject, r.amount_minor, r.status});
  return out;
}

absl::StatusOr<std::vector<StoredCredit>> LockPendingDeferred(Connection& c, const ContractKey& k,
                                                              const Period& before) {
  return SelectCredits(c, k, "status = 2 AND year * 12 + month - 1 < ?", before, 1);
}

absl::Status ReleaseDeferred(Connection& c, const ContractKey& k, const std::vector<StoredCredit>& credits,
                             const Period& on) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("UPDATE credits SET status = 1, released_year = ?, released_month = ? WHERE "
                                 "customer_id = ? AND contract_id = ? AND year = ? AND month = ? AND "
                                 "rule_id = ? AND subject = ? AND revision = ?"));
  for (const StoredCredit& cr : credits) {
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      st->setInt(1, on.year);
      st->setInt(2, on.month);
      st->setString(3, k.customer_id);
      st->setString(4, k.contract_id);
      st->setInt(5, cr.period.year);
      st->setInt(6, cr.period.month);
      st->setString(7, cr.rule_id);
      st->setString(8, cr.subject);
      st->setInt(9, cr.revision);
      st->executeUpdate();
    }));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredCredit>> LockUnappliedCredits(Connection& c, const ContractKey& k,
                                                               const Period& before) {
  return SelectCredits(c, k,
                       "applied_year IS NULL AND status = 1 AND year * 12 + month - 1 < ? AND "
                       "(released_year IS NULL OR released_year * 12 + released_month - 1 < ?)",
                       before, 2);
}

absl::Status MarkApplied(Connection& c, const ContractKey& k, const std::vector<StoredCredit>& credits,
                         const Period& on) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("UPDATE credits SET applied_year = ?, applied_month = ? WHERE "
                                 "customer_id = ? AND contract_id = ? AND year = ? AND month = ? AND "
                                 "rule_id = ? AND subject = ? AND revision = ?"));
  for (const StoredCredit& cr : credits) {
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      st->setInt(1, on.year);
      st->setInt(2, on.month);
      st->setString(3, k.customer_id);
      st->setString(4, k.contract_id);
      st->setInt(5, cr.period.year);
      st->setInt(6, cr.period.month);
      st->setString(7, cr.rule_id);
      st->setString(8, cr.subject);
      st->setInt(9, cr.revision);
      st->executeUpdate();
    }));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> NextNumber(Connection& c, const std::string& series) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * sel,
                       c.Prepare("SELECT last_number FROM document_series WHERE series = ? FOR UPDATE"));
  int64_t last = -1;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    sel->setString(1, series);
    std::unique_ptr<sql::ResultSet> rs(sel->executeQuery());
    if (rs->next()) last = rs->getInt64(1);
  }));
  if (last < 0) return absl::InternalError(absl::StrCat("no document series ", series));
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * upd,
                       c.Prepare("UPDATE document_series SET last_number = ? WHERE series = ?"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    upd->setInt64(1, last + 1);
    upd->setString(2, series);
    upd->executeUpdate();
  }));
  return last + 1;
}

absl::Status InsertDocument(Connection& c, const std::string& series, int64_t number,
                            const ContractKey& k, const Period& p, const std::string& body,
                            int64_t issue_time, int revision) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("INSERT INTO documents (series, number, customer_id, contract_id, year, "
                                 "month, body, issue_time, revision) VALUES (?,?,?,?,?,?,?,?,?)"));
  return mysql::Guard([&] {
    st->setString(1, series);
    st->setInt64(2, number);
    st->setString(3, k.customer_id);
    st->setString(4, k.contract_id);
    st->setInt(5, p.year);
    st->setInt(6, p.month);
    st->setString(7, body);
    st->setInt64(8, issue_time);
    st->setInt(9, revision);
    st->executeUpdate();
  });
}

absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(Connection& c, const std::string& series,
                                                              const ContractKey& k, const Period& p) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT body FROM documents WHERE series = ? AND customer_id = ? AND "
                                 "contract_id = ? AND year = ? AND month = ? AND revision = 0"));
  std::optional<std::string> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, series);
    st->setString(2, k.customer_id);
    st->setString(3, k.contract_id);
    st->setInt(4, p.year);
    st->setInt(5, p.month);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = rs->getString(1);
  }));
  return out;
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> LoadDocument(
    Connection& c, const std::string& series, int64_t number) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT customer_id, body FROM documents WHERE series = ? AND number = ?"));
  std::optional<std::pair<std::string, std::string>> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, series);
    st->setInt64(2, number);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = std::make_pair(std::string(rs->getString(1)), std::string(rs->getString(2)));
  }));
  return out;
}

absl::StatusOr<std::vector<StoredDocument>> ListDocuments(Connection& c, const DocumentQuery& q) {
  std::string sql = "SELECT number, body FROM documents WHERE series = ? AND number > ?";
  if (!q.customer_id.empty()) sql += " AND customer_id = ?";
  if (q.contract_id) sql += " AND contract_id = ?";
  if (q.period) sql += " AND year = ? AND month = ?";
  sql += " ORDER BY number LIMIT ?";
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
  std::vector<StoredDocument> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    int i = 1;
    st->setString(i++, q.series);
    st->setInt64(i++, q.after_number);
    if (!q.customer_id.empty()) st->setString(i++, q.customer_id);
    if (q.contract_id) st->setString(i++, *q.contract_id);
    if (q.period) {
      st->setInt(i++, q.period->year);
      st->setInt(i++, q.period->month);
    }
    st->setInt(i++, q.limit);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out.push_back({rs->getInt64(1), rs->getString(2)});
  }));
  return out;
}

}  // namespace sla::billing::storage
