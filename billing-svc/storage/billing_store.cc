#include "billing-svc/storage/billing_store.h"

#include <cppconn/resultset.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "common/mysql/batch.h"
#include "common/status/status_macros.h"

namespace sla::billing::storage {

absl::Status InsertBreach(Connection& c, const ContractKey& k, const core::BreachFact& b,
                          int cycle) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
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

absl::StatusOr<std::optional<core::OutageFact>> UpsertOutage(Connection& c, const ContractKey& k,
                                                             const core::OutageFact& o) {
  std::optional<core::OutageFact> before;
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * sel,
      c.Prepare("SELECT service_id, start_time, end_time, planned, exclusion_id FROM "
                "outage_facts WHERE outage = ? FOR UPDATE"));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    sel->setString(1, o.outage);
    std::unique_ptr<sql::ResultSet> rs(sel->executeQuery());
    if (rs->next()) {
      before = core::OutageFact{o.outage,           rs->getString(1),
                                rs->getInt64(2),    rs->isNull(3) ? 0 : rs->getInt64(3),
                                rs->getInt(4) != 0, rs->getString(5)};
    }
  }));
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare(
          "INSERT INTO outage_facts (outage, customer_id, contract_id, service_id, start_time, "
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
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
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

absl::StatusOr<std::vector<core::PeriodFacts>> LoadFactsMany(
    Connection& c, const std::vector<FactsQuery>& queries) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < queries.size(); ++i) index[KeyText(queries[i].key)] = i;
  std::vector<core::PeriodFacts> out(queries.size());
  auto slot = [&](sql::ResultSet& rs) -> core::PeriodFacts* {
    auto it =
        index.find(absl::StrCat(std::string(rs.getString(1)), "/", std::string(rs.getString(2))));
    return it == index.end() ? nullptr : &out[it->second];
  };
  auto bind = [&](sql::PreparedStatement& st, size_t i, int p) {
    st.setString(p, queries[i].key.customer_id);
    st.setString(p + 1, queries[i].key.contract_id);
    st.setInt64(p + 2, queries[i].start);
    st.setInt64(p + 3, queries[i].end);
  };
  SLA_RETURN_IF_ERROR(mysql::QueryRows(
      c,
      "SELECT customer_id, contract_id, ticket, clock, priority, breach_time FROM breach_facts "
      "WHERE ",
      "(customer_id = ? AND contract_id = ? AND breach_time >= ? AND breach_time < ?)", " OR ",
      " ORDER BY customer_id, contract_id, breach_time, ticket", queries.size(), 4, bind,
      [&](sql::ResultSet& rs) {
        if (core::PeriodFacts* f = slot(rs)) {
          f->breaches.push_back({rs.getString(3), static_cast<sla::v1::ClockKind>(rs.getInt(4)),
                                 static_cast<sla::v1::Priority>(rs.getInt(5)), rs.getInt64(6)});
        }
      }));
  // Outages overlapping the period: start < end and (open or ending after start).
  SLA_RETURN_IF_ERROR(mysql::QueryRows(
      c,
      "SELECT customer_id, contract_id, outage, service_id, start_time, end_time, planned, "
      "exclusion_id "
      "FROM outage_facts WHERE ",
      "(customer_id = ? AND contract_id = ? AND (end_time IS NULL OR end_time > ?) AND start_time "
      "< ?)",
      " OR ", " ORDER BY customer_id, contract_id, outage", queries.size(), 4,
      [&](sql::PreparedStatement& st, size_t i, int p) {
        st.setString(p, queries[i].key.customer_id);
        st.setString(p + 1, queries[i].key.contract_id);
        st.setInt64(p + 2, queries[i].start);
        st.setInt64(p + 3, queries[i].end);
      },
      [&](sql::ResultSet& rs) {
        if (core::PeriodFacts* f = slot(rs)) {
          f->outages.push_back({rs.getString(3), rs.getString(4), rs.getInt64(5),
                                rs.isNull(6) ? 0 : rs.getInt64(6), rs.getInt(7) != 0,
                                rs.getString(8)});
        }
      }));
  return out;
}

absl::StatusOr<std::set<std::string>> ClosedAmong(Connection& c,
                                                  const std::vector<PeriodKey>& periods) {
  std::set<std::string> out;
  SLA_RETURN_IF_ERROR(mysql::QueryRows(
      c, "SELECT customer_id, contract_id, year, month FROM closed_periods WHERE ",
      "(customer_id = ? AND contract_id = ? AND year = ? AND month = ?)", " OR ", "",
      periods.size(), 4,
      [&](sql::PreparedStatement& st, size_t i, int p) {
        st.setString(p, periods[i].key.customer_id);
        st.setString(p + 1, periods[i].key.contract_id);
        st.setInt(p + 2, periods[i].period.year);
        st.setInt(p + 3, periods[i].period.month);
      },
      [&](sql::ResultSet& rs) {
        out.insert(ClosedText({{rs.getString(1), rs.getString(2)}, {rs.getInt(3), rs.getInt(4)}}));
      }));
  return out;
}

absl::Status ClaimPeriods(Connection& c, const std::vector<Claim>& claims) {
  return mysql::ExecuteRows(c,
                            "INSERT INTO closed_periods (customer_id, contract_id, year, month, "
                            "terms_version, closed_at, "
                            "start_time, end_time) VALUES ",
                            "(?,?,?,?,?,?,?,?)", "", claims.size(), 8,
                            [&](sql::PreparedStatement& st, size_t i, int p) {
                              const Claim& cl = claims[i];
                              st.setString(p, cl.at.key.customer_id);
                              st.setString(p + 1, cl.at.key.contract_id);
                              st.setInt(p + 2, cl.at.period.year);
                              st.setInt(p + 3, cl.at.period.month);
                              st.setString(p + 4, cl.terms_version);
                              st.setInt64(p + 5, cl.closed_at);
                              st.setInt64(p + 6, cl.bounds.start);
                              st.setInt64(p + 7, cl.bounds.end);
                            });
}

absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods(Connection& c) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("SELECT customer_id, contract_id, MAX(year * 12 + month - 1) FROM "
                                 "closed_periods GROUP BY customer_id, contract_id"));
  std::map<std::string, int> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next())
      out[absl::StrCat(std::string(rs->getString(1)), "/", std::string(rs->getString(2)))] =
          rs->getInt(3);
  }));
  return out;
}

absl::StatusOr<std::vector<StalePeriod>> StalePeriods(Connection& c, int limit) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("SELECT customer_id, contract_id, year, month FROM closed_periods "
                "WHERE stale = 1 ORDER BY customer_id, contract_id, year, month LIMIT ?"));
  std::vector<StalePeriod> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setInt(1, limit);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next())
      out.push_back({{rs->getString(1), rs->getString(2)}, {rs->getInt(3), rs->getInt(4)}});
  }));
  return out;
}

absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(Connection& c, const ContractKey& k,
                                                             const core::Period& p) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
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

absl::Status FinishRevision(Connection& c, const ContractKey& k, const core::Period& p,
                            int revision) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
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

absl::Status InsertCredits(Connection& c, const std::vector<ContractCredit>& credits) {
  return mysql::ExecuteRows(c,
                            "INSERT INTO credits (customer_id, contract_id, year, month, rule_id, "
                            "subject, amount_minor, currency, "
                            "status, line, revision) VALUES ",
                            "(?,?,?,?,?,?,?,?,?,?,?)", "", credits.size(), 11,
                            [&](sql::PreparedStatement& st, size_t i, int p) {
                              const ContractKey& k = credits[i].key;
                              const StoredCredit& cr = credits[i].credit;
                              st.setString(p, k.customer_id);
                              st.setString(p + 1, k.contract_id);
                              st.setInt(p + 2, cr.period.year);
                              st.setInt(p + 3, cr.period.month);
                              st.setString(p + 4, cr.rule_id);
                              st.setString(p + 5, cr.subject);
                              st.setInt64(p + 6, cr.amount_minor);
                              st.setString(p + 7, cr.currency);
                              st.setInt(p + 8, static_cast<int>(cr.status));
                              st.setString(p + 9, cr.line);
                              st.setInt(p + 10, cr.revision);
                            });
}

namespace {

constexpr char kCreditColumns[] =
    "SELECT customer_id, contract_id, year, month, rule_id, subject, amount_minor, currency, "
    "status, line, "
    "revision FROM credits WHERE ";

StoredCredit ReadCredit(sql::ResultSet& rs) {
  return {{rs.getInt(3), rs.getInt(4)},
          rs.getString(5),
          rs.getString(6),
          rs.getInt64(7),
          rs.getString(8),
          static_cast<core::CreditStatus>(rs.getInt(9)),
          rs.getString(10),
          rs.getInt(11)};
}

// Credits of each period's contract matching `condition`, whose `ints` placeholders (after the
// contract's two) take `values(period)`.
absl::StatusOr<CreditsByContract> SelectCredits(
    Connection& c, const std::vector<PeriodKey>& periods, const std::string& condition, int ints,
    const std::function<std::vector<int>(const core::Period&)>& values, bool lock) {
  CreditsByContract out;
  SLA_RETURN_IF_ERROR(mysql::QueryRows(
      c, kCreditColumns, absl::StrCat("(customer_id = ? AND contract_id = ? AND ", condition, ")"),
      " OR ",
      absl::StrCat(" ORDER BY customer_id, contract_id, year, month, rule_id, subject, revision",
                   lock ? " FOR UPDATE" : ""),
      periods.size(), 2 + ints,
      [&](sql::PreparedStatement& st, size_t i, int p) {
        st.setString(p, periods[i].key.customer_id);
        st.setString(p + 1, periods[i].key.contract_id);
        const std::vector<int> v = values(periods[i].period);
        for (int j = 0; j < ints; ++j) st.setInt(p + 2 + j, v[j]);
      },
      [&](sql::ResultSet& rs) {
        out[absl::StrCat(std::string(rs.getString(1)), "/", std::string(rs.getString(2)))]
            .push_back(ReadCredit(rs));
      }));
  return out;
}

// One UPDATE per distinct period `on` (the rows carry their own), keyed by primary key.
absl::Status UpdateCredits(Connection& c, const std::vector<CreditOn>& rows,
                           const std::string& also_set, const std::string& column) {
  std::map<int, std::vector<const ContractCredit*>> by_on;
  for (const auto& [cc, on] : rows) by_on[MonthIndex(on)].push_back(&cc);
  for (const auto& [on, group] : by_on) {
    SLA_RETURN_IF_ERROR(mysql::ExecuteRowsJoined(
        c,
        absl::StrCat("UPDATE credits SET ", also_set, column, "_year = ", on / 12, ", ", column,
                     "_month = ", on % 12 + 1, " WHERE "),
        "(customer_id = ? AND contract_id = ? AND year = ? AND month = ? AND rule_id = ? AND "
        "subject = ? AND "
        "revision = ?)",
        " OR ", "", group.size(), 7, [&](sql::PreparedStatement& st, size_t i, int p) {
          const ContractCredit& cc = *group[i];
          st.setString(p, cc.key.customer_id);
          st.setString(p + 1, cc.key.contract_id);
          st.setInt(p + 2, cc.credit.period.year);
          st.setInt(p + 3, cc.credit.period.month);
          st.setString(p + 4, cc.credit.rule_id);
          st.setString(p + 5, cc.credit.subject);
          st.setInt(p + 6, cc.credit.revision);
        }));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(Connection& c, const ContractKey& k,
                                                            const core::Period& p) {
  SLA_ASSIGN_OR_RETURN(
      CreditsByContract rows,
      SelectCredits(
          c, {{k, p}}, "year * 12 + month - 1 = ? AND rule_id <> 'carried'", 1,
          [](const core::Period& q) { return std::vector<int>{MonthIndex(q)}; }, /*lock=*/true));
  std::vector<RecordedCredit> out;
  for (const StoredCredit& r : rows[KeyText(k)])
    out.push_back({r.rule_id, r.subject, r.amount_minor, r.status});
  return out;
}

absl::StatusOr<CreditsByContract> LockPendingDeferred(Connection& c,
                                                      const std::vector<PeriodKey>& before) {
  return SelectCredits(
      c, before, "status = 2 AND year * 12 + month - 1 < ?", 1,
      [](const core::Period& q) { return std::vector<int>{MonthIndex(q)}; }, /*lock=*/true);
}

absl::StatusOr<CreditsByContract> LockUnappliedCredits(Connection& c,
                                                       const std::vector<PeriodKey>& before) {
  return SelectCredits(
      c, before,
      "applied_year IS NULL AND status = 1 AND year * 12 + month - 1 < ? AND "
      "(released_year IS NULL OR released_year * 12 + released_month - 1 < ?)",
      2,
      [](const core::Period& q) {
        return std::vector<int>{MonthIndex(q), MonthIndex(q)};
      },
      /*lock=*/true);
}

absl::StatusOr<CreditsByContract> RecentCredits(Connection& c, const std::vector<PeriodKey>& until,
                                                int window) {
  return SelectCredits(
      c, until, "year * 12 + month - 1 BETWEEN ? AND ?", 2,
      [window](const core::Period& q) {
        return std::vector<int>{MonthIndex(q) - window + 1, MonthIndex(q)};
      },
      /*lock=*/false);
}

absl::Status MarkApplied(Connection& c, const std::vector<CreditOn>& rows) {
  return UpdateCredits(c, rows, "", "applied");
}

absl::Status ReleaseDeferred(Connection& c, const std::vector<CreditOn>& rows) {
  return UpdateCredits(c, rows, "status = 1, ", "released");
}

absl::StatusOr<int64_t> ReserveNumbers(Connection& c, const std::string& series, int count) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * sel,
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
    upd->setInt64(1, last + count);
    upd->setString(2, series);
    upd->executeUpdate();
  }));
  return last + 1;
}

absl::Status InsertDocuments(Connection& c, const std::vector<DocumentRow>& docs) {
  return mysql::ExecuteRows(c,
                            "INSERT INTO documents (series, number, customer_id, contract_id, "
                            "year, month, body, issue_time, "
                            "revision) VALUES ",
                            "(?,?,?,?,?,?,?,?,?)", "", docs.size(), 9,
                            [&](sql::PreparedStatement& st, size_t i, int p) {
                              const DocumentRow& d = docs[i];
                              st.setString(p, d.series);
                              st.setInt64(p + 1, d.number);
                              st.setString(p + 2, d.key.customer_id);
                              st.setString(p + 3, d.key.contract_id);
                              st.setInt(p + 4, d.period.year);
                              st.setInt(p + 5, d.period.month);
                              st.setString(p + 6, d.body);
                              st.setInt64(p + 7, d.issue_time);
                              st.setInt(p + 8, d.revision);
                            });
}

absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(Connection& c,
                                                              const std::string& series,
                                                              const ContractKey& k,
                                                              const core::Period& p) {
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
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
  SLA_ASSIGN_OR_RETURN(
      sql::PreparedStatement * st,
      c.Prepare("SELECT customer_id, body FROM documents WHERE series = ? AND number = ?"));
  std::optional<std::pair<std::string, std::string>> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, series);
    st->setInt64(2, number);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next())
      out = std::make_pair(std::string(rs->getString(1)), std::string(rs->getString(2)));
  }));
  return out;
}

absl::StatusOr<std::vector<StoredDocument>> ListDocuments(Connection& c, const DocumentQuery& q) {
  std::string sql = absl::StrCat("SELECT number, body FROM documents WHERE series = ? AND number ",
                                 q.newest_first ? "<" : ">", " ?");
  if (!q.scope.all()) sql += " AND customer_id = ?";
  if (q.contract_id) sql += " AND contract_id = ?";
  if (q.period) sql += " AND year = ? AND month = ?";
  sql += q.newest_first ? " ORDER BY number DESC LIMIT ?" : " ORDER BY number LIMIT ?";
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
  std::vector<StoredDocument> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    int i = 1;
    st->setString(i++, q.series);
    st->setInt64(i++, q.after_number);
    if (!q.scope.all()) st->setString(i++, q.scope.customer_id());
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
