#include "reporting-svc/app/fake_reporting_repository.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "common/outbox/payload.h"
#include "common/status/status_macros.h"

namespace sla::reporting::testing {
namespace {

using State = FakeReportingState;

bool In(const QueryScope& s, const State::Where& w) {
  if (!s.customer_id().empty() && w.customer_id != s.customer_id()) return false;
  return s.contract_id().empty() || w.contract_id == s.contract_id();
}

bool Decided(int outcome) { return outcome != kPending; }

class FakeTx final : public ReportingTx {
 public:
  FakeTx(State& s, test::ArmedFailures& failures) : s_(s), failures_(failures) {}

  absl::StatusOr<std::vector<TicketFigures>> LoadTicketFigures(const QueryScope& s,
                                                               int period) override {
    SLA_RETURN_IF_ERROR(Injected("LoadTicketFigures"));
    std::vector<TicketFigures> out;
    for (const State::Ticket& t : s_.tickets) {
      if (In(s, t.at) && t.at.period == period) out.push_back(t.figures);
    }
    return out;
  }

  absl::StatusOr<std::pair<std::vector<v1::BreachEntry>, int64_t>> LoadBreaches(
      const QueryScope& s, int period, int limit) override {
    SLA_RETURN_IF_ERROR(Injected("LoadBreaches"));
    std::vector<v1::BreachEntry> all;
    for (const State::Breach& b : s_.breaches) {
      if (In(s, b.at) && b.at.period == period) all.push_back(b.entry);
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::make_tuple(a.breach_time().seconds(), a.ticket()) <
             std::make_tuple(b.breach_time().seconds(), b.ticket());
    });
    const int64_t total = static_cast<int64_t>(all.size());
    if (all.size() > static_cast<size_t>(limit)) all.resize(limit);
    return std::make_pair(std::move(all), total);
  }

  absl::StatusOr<std::vector<v1::EscalationCount>> LoadEscalations(const QueryScope& s,
                                                                   int period) override {
    SLA_RETURN_IF_ERROR(Injected("LoadEscalations"));
    std::map<int, v1::EscalationCount> by_level;
    for (const State::Escalation& e : s_.escalations) {
      if (!In(s, e.at) || e.at.period != period) continue;
      v1::EscalationCount& c = by_level[e.level];
      c.set_level(e.level);
      c.set_count(c.count() + 1);
      c.set_manual(c.manual() + (e.manual ? 1 : 0));
    }
    std::vector<v1::EscalationCount> out;
    for (auto& [level, c] : by_level) out.push_back(std::move(c));
    return out;
  }

  absl::StatusOr<std::vector<OutageRow>> LoadOutages(const QueryScope& s, int64_t start,
                                                     int64_t end) override {
    SLA_RETURN_IF_ERROR(Injected("LoadOutages"));
    std::vector<OutageRow> out;
    for (const State::Outage& o : s_.outages) {
      if (In(s, o.at) && o.row.start < end && (o.row.end == 0 || o.row.end > start))
        out.push_back(o.row);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.start < b.start; });
    return out;
  }

  absl::StatusOr<std::vector<v1::CreditFigure>> LoadCredits(const QueryScope& s,
                                                            int period) override {
    SLA_RETURN_IF_ERROR(Injected("LoadCredits"));
    std::vector<const State::Credit*> rows;
    for (const State::Credit& c : s_.credits) {
      if (In(s, c.at) && c.at.period == period) rows.push_back(&c);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
      return std::tie(a->at.customer_id, a->at.contract_id) <
             std::tie(b->at.customer_id, b->at.contract_id);
    });
    std::vector<v1::CreditFigure> out;
    for (const State::Credit* c : rows) out.push_back(c->figure);
    return out;
  }

  absl::StatusOr<std::vector<v1::TrendPoint>> LoadTrend(const QueryScope& s, int first,
                                                        int last) override {
    SLA_RETURN_IF_ERROR(Injected("LoadTrend"));
    struct Totals {
      int64_t tickets = 0, resp_met = 0, resp_decided = 0, res_met = 0, res_decided = 0;
      int64_t breaches = 0, credits = 0;
    };
    std::map<int, Totals> totals;
    for (const State::Ticket& t : s_.tickets) {
      if (!In(s, t.at) || t.at.period < first || t.at.period > last) continue;
      Totals& x = totals[t.at.period];
      ++x.tickets;
      x.resp_met += t.figures.resp_state == kMetOnTime ? 1 : 0;
      x.resp_decided += Decided(t.figures.resp_state) ? 1 : 0;
      x.res_met += t.figures.res_state == kMetOnTime ? 1 : 0;
      x.res_decided += Decided(t.figures.res_state) ? 1 : 0;
      x.breaches += t.figures.breach_count;
    }
    for (const State::Credit& c : s_.credits) {
      if (In(s, c.at) && c.at.period >= first && c.at.period <= last &&
          c.figure.status() == "issued")
        totals[c.at.period].credits += c.figure.amount_minor();
    }
    std::vector<v1::TrendPoint> out;
    for (int p = first; p <= last; ++p) {
      const Totals& x = totals[p];
      v1::TrendPoint& point = out.emplace_back();
      point.set_period(PeriodText(p));
      point.set_ticket_count(x.tickets);
      point.set_response_met_ppm(SharePpm(x.resp_met, x.resp_decided));
      point.set_resolution_met_ppm(SharePpm(x.res_met, x.res_decided));
      point.set_breach_count(x.breaches);
      point.set_credits_minor(x.credits);
    }
    return out;
  }

  absl::StatusOr<std::vector<ReplayTicket>> LoadReplayTickets(const QueryScope& s, int first,
                                                              int last) override {
    SLA_RETURN_IF_ERROR(Injected("LoadReplayTickets"));
    std::vector<ReplayTicket> out;
    for (const State::Ticket& t : s_.tickets) {
      if (In(s, t.at) && t.at.period >= first && t.at.period <= last) out.push_back(t.replay);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.open_time < b.open_time; });
    return out;
  }

  absl::StatusOr<int64_t> CountContracts(const QueryScope& s, int period) override {
    SLA_RETURN_IF_ERROR(Injected("CountContracts"));
    std::set<std::pair<std::string, std::string>> contracts;
    for (const State::Ticket& t : s_.tickets) {
      if (In(s, t.at) && t.at.period == period)
        contracts.insert({t.at.customer_id, t.at.contract_id});
    }
    return static_cast<int64_t>(contracts.size());
  }

  absl::StatusOr<std::optional<StoredReport>> LoadReport(const QueryScope& s, int period,
                                                         int revision, bool) override {
    SLA_RETURN_IF_ERROR(Injected("LoadReport"));
    const State::Report* found = nullptr;
    for (const State::Report& r : s_.reports) {
      if (!In(s, r.at) || r.at.period != period) continue;
      if (revision > 0 ? r.revision == revision
                       : (found == nullptr || r.revision > found->revision)) {
        found = &r;
      }
    }
    if (found == nullptr) return std::nullopt;
    return StoredReport{found->revision, found->body};
  }

  absl::Status InsertReport(const QueryScope& s, int period, int revision, int64_t issue_time,
                            const std::string& body) override {
    SLA_RETURN_IF_ERROR(Injected("InsertReport"));
    const State::Where at{s.customer_id(), s.contract_id(), period};
    for (const State::Report& r : s_.reports) {
      if (In(s, r.at) && r.at.period == period && r.revision == revision)
        return absl::AlreadyExistsError("duplicate key");
    }
    s_.reports.push_back({at, revision, issue_time, body});
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> ListReports(const QueryScope& s, int offset,
                                                       int limit) override {
    SLA_RETURN_IF_ERROR(Injected("ListReports"));
    std::vector<const State::Report*> rows;
    for (const State::Report& r : s_.reports) {
      if (In(s, r.at)) rows.push_back(&r);
    }
    std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
      return std::make_tuple(a->at.period, a->revision) >
             std::make_tuple(b->at.period, b->revision);
    });
    std::vector<std::string> out;
    for (size_t i = offset; i < rows.size() && out.size() < static_cast<size_t>(limit); ++i)
      out.push_back(rows[i]->body);
    return out;
  }

  absl::StatusOr<std::vector<PendingRevision>> ListPendingRevisions(int limit) override {
    SLA_RETURN_IF_ERROR(Injected("ListPendingRevisions"));
    std::vector<PendingRevision> out(
        s_.pending.begin(), s_.pending.begin() + std::min<size_t>(limit, s_.pending.size()));
    return out;
  }

  absl::Status DeletePendingRevision(const Scope& s, int period_index) override {
    SLA_RETURN_IF_ERROR(Injected("DeletePendingRevision"));
    s_.pending.erase(std::remove_if(s_.pending.begin(), s_.pending.end(),
                                    [&](const PendingRevision& p) {
                                      return p.scope.customer_id == s.customer_id &&
                                             p.scope.contract_id == s.contract_id &&
                                             p.period_index == period_index;
                                    }),
                     s_.pending.end());
    return absl::OkStatus();
  }

  absl::Status Publish(absl::Span<const outbox::Row> events) override {
    SLA_RETURN_IF_ERROR(Injected("Publish"));
    for (const outbox::Row& e : events) SLA_RETURN_IF_ERROR(outbox::CheckFamily(e.type, e.payload));
    s_.events.insert(s_.events.end(), events.begin(), events.end());
    return absl::OkStatus();
  }

 private:
  absl::Status Injected(const std::string& method) { return failures_.Take(method); }

  State& s_;
  test::ArmedFailures& failures_;
};

}  // namespace

absl::Status FakeReportingRepository::Transact(absl::FunctionRef<absl::Status(ReportingTx&)> fn) {
  return store_.Transact([&](State& s, test::ArmedFailures& failures) {
    FakeTx tx(s, failures);
    return fn(tx);
  });
}

absl::Status FakeReportingRepository::Read(absl::FunctionRef<absl::Status(ReportingTx&)> fn) {
  return store_.Read([&](State& s, test::ArmedFailures& failures) {
    FakeTx tx(s, failures);
    return fn(tx);
  });
}

}  // namespace sla::reporting::testing
