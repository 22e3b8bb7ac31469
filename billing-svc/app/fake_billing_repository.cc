#include "billing-svc/app/fake_billing_repository.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/outbox/payload.h"
#include "common/status/status_macros.h"

namespace sla::billing::testing {
namespace {

using State = FakeBillingState;

bool Same(const ContractKey& a, const ContractKey& b) {
  return a.customer_id == b.customer_id && a.contract_id == b.contract_id;
}

// The credits table's primary key.
auto CreditKey(const ContractCredit& c) {
  return std::make_tuple(c.key.customer_id, c.key.contract_id, MonthIndex(c.credit.period),
                         c.credit.rule_id, c.credit.subject, c.credit.revision);
}

class FakeTx final : public BillingTx {
 public:
  FakeTx(State& s, test::ArmedFailures& failures) : s_(s), failures_(failures) {}

  absl::Status LockFactsShared() override { return Injected("LockFactsShared"); }

  absl::StatusOr<std::vector<core::PeriodFacts>> LoadFacts(
      const std::vector<FactsQuery>& queries) override {
    SLA_RETURN_IF_ERROR(Injected("LoadFacts"));
    std::vector<core::PeriodFacts> out(queries.size());
    for (size_t i = 0; i < queries.size(); ++i) {
      const FactsQuery& q = queries[i];
      for (const State::Breach& b : s_.breaches) {
        if (Same(b.key, q.key) && b.fact.time >= q.start && b.fact.time < q.end)
          out[i].breaches.push_back(b.fact);
      }
      std::sort(out[i].breaches.begin(), out[i].breaches.end(), [](const auto& a, const auto& b) {
        return std::tie(a.time, a.ticket) < std::tie(b.time, b.ticket);
      });
      for (const State::Outage& o : s_.outages) {
        if (Same(o.key, q.key) && (o.fact.end == 0 || o.fact.end > q.start) && o.fact.start < q.end)
          out[i].outages.push_back(o.fact);
      }
      std::sort(out[i].outages.begin(), out[i].outages.end(),
                [](const auto& a, const auto& b) { return a.outage < b.outage; });
    }
    return out;
  }

  absl::StatusOr<std::set<std::string>> ClosedAmong(
      const std::vector<PeriodKey>& periods) override {
    SLA_RETURN_IF_ERROR(Injected("ClosedAmong"));
    std::set<std::string> out;
    for (const PeriodKey& p : periods) {
      if (s_.closed.count(ClosedText(p)) > 0) out.insert(ClosedText(p));
    }
    return out;
  }

  absl::Status ClaimPeriods(const std::vector<Claim>& claims) override {
    SLA_RETURN_IF_ERROR(Injected("ClaimPeriods"));
    for (const Claim& c : claims) {
      if (s_.closed.count(ClosedText(c.at)) > 0) return absl::AlreadyExistsError("duplicate key");
    }
    for (const Claim& c : claims) {
      s_.closed[ClosedText(c.at)] = {c.at, c.bounds, c.terms_version, c.closed_at};
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods() override {
    SLA_RETURN_IF_ERROR(Injected("NewestClosedPeriods"));
    std::map<std::string, int> out;
    for (const auto& [text, row] : s_.closed) {
      int& newest = out.try_emplace(KeyText(row.at.key), MonthIndex(row.at.period)).first->second;
      newest = std::max(newest, MonthIndex(row.at.period));
    }
    return out;
  }

  absl::StatusOr<std::vector<StalePeriod>> StalePeriods(int limit) override {
    SLA_RETURN_IF_ERROR(Injected("StalePeriods"));
    std::vector<StalePeriod> out;
    for (const auto& [text, row] : s_.closed) {
      if (row.stale) out.push_back({row.at.key, row.at.period});
    }
    std::sort(out.begin(), out.end(), [](const StalePeriod& a, const StalePeriod& b) {
      return std::make_tuple(a.key.customer_id, a.key.contract_id, MonthIndex(a.period)) <
             std::make_tuple(b.key.customer_id, b.key.contract_id, MonthIndex(b.period));
    });
    if (out.size() > static_cast<size_t>(limit)) out.resize(limit);
    return out;
  }

  absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(const ContractKey& k,
                                                               const core::Period& p) override {
    SLA_RETURN_IF_ERROR(Injected("LockClosedPeriod"));
    auto it = s_.closed.find(ClosedText({k, p}));
    if (it == s_.closed.end()) return std::nullopt;
    return ClosedPeriod{it->second.stale, it->second.revision, it->second.terms_version};
  }

  absl::Status FinishRevision(const ContractKey& k, const core::Period& p, int revision) override {
    SLA_RETURN_IF_ERROR(Injected("FinishRevision"));
    auto it = s_.closed.find(ClosedText({k, p}));
    if (it == s_.closed.end()) return absl::OkStatus();  // an UPDATE of no row
    it->second.stale = false;
    it->second.revision = revision;
    return absl::OkStatus();
  }

  absl::Status InsertCredits(const std::vector<ContractCredit>& credits) override {
    SLA_RETURN_IF_ERROR(Injected("InsertCredits"));
    for (const ContractCredit& c : credits) {
      if (Find(c) != nullptr) return absl::AlreadyExistsError("duplicate key");
      s_.credits.push_back({c, std::nullopt, std::nullopt});
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(const ContractKey& k,
                                                              const core::Period& p) override {
    SLA_RETURN_IF_ERROR(Injected("RecordedCredits"));
    std::vector<RecordedCredit> out;
    for (const StoredCredit& c : Select(k, [&](const State::CreditRow& r) {
           return MonthIndex(r.credit.credit.period) == MonthIndex(p) &&
                  r.credit.credit.rule_id != "carried";
         })) {
      out.push_back({c.rule_id, c.subject, c.amount_minor, c.status});
    }
    return out;
  }

  absl::StatusOr<CreditsByContract> LockPendingDeferred(
      const std::vector<PeriodKey>& before) override {
    SLA_RETURN_IF_ERROR(Injected("LockPendingDeferred"));
    return PerPeriod(before, [](const State::CreditRow& r, int at) {
      return r.credit.credit.status == core::CreditStatus::kDeferred &&
             MonthIndex(r.credit.credit.period) < at;
    });
  }

  absl::StatusOr<CreditsByContract> LockUnappliedCredits(
      const std::vector<PeriodKey>& before) override {
    SLA_RETURN_IF_ERROR(Injected("LockUnappliedCredits"));
    return PerPeriod(before, [](const State::CreditRow& r, int at) {
      return !r.applied_on && r.credit.credit.status == core::CreditStatus::kIssued &&
             MonthIndex(r.credit.credit.period) < at && (!r.released_on || *r.released_on < at);
    });
  }

  absl::StatusOr<CreditsByContract> RecentCredits(const std::vector<PeriodKey>& until,
                                                  int window) override {
    SLA_RETURN_IF_ERROR(Injected("RecentCredits"));
    return PerPeriod(until, [window](const State::CreditRow& r, int at) {
      const int m = MonthIndex(r.credit.credit.period);
      return m >= at - window + 1 && m <= at;
    });
  }

  absl::Status MarkApplied(const std::vector<CreditOn>& rows) override {
    SLA_RETURN_IF_ERROR(Injected("MarkApplied"));
    for (const auto& [c, on] : rows) {
      if (State::CreditRow* r = Find(c)) r->applied_on = MonthIndex(on);
    }
    return absl::OkStatus();
  }

  absl::Status ReleaseDeferred(const std::vector<CreditOn>& rows) override {
    SLA_RETURN_IF_ERROR(Injected("ReleaseDeferred"));
    for (const auto& [c, on] : rows) {
      if (State::CreditRow* r = Find(c)) {
        r->credit.credit.status = core::CreditStatus::kIssued;
        r->released_on = MonthIndex(on);
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> ReserveNumbers(const std::string& series, int count) override {
    SLA_RETURN_IF_ERROR(Injected("ReserveNumbers"));
    int64_t& last = s_.last_number[series];
    const int64_t first = last + 1;
    last += count;
    return first;
  }

  absl::Status InsertDocuments(const std::vector<DocumentRow>& docs) override {
    SLA_RETURN_IF_ERROR(Injected("InsertDocuments"));
    for (const DocumentRow& d : docs) {
      for (const DocumentRow& e : s_.documents) {
        if (e.series == d.series && e.number == d.number)
          return absl::AlreadyExistsError("duplicate key");
      }
      s_.documents.push_back(d);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(const std::string& series,
                                                                const ContractKey& k,
                                                                const core::Period& p) override {
    SLA_RETURN_IF_ERROR(Injected("LoadPeriodDocument"));
    for (const DocumentRow& d : s_.documents) {
      if (d.series == series && Same(d.key, k) && MonthIndex(d.period) == MonthIndex(p) &&
          d.revision == 0)
        return d.body;
    }
    return std::nullopt;
  }

  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> LoadDocument(
      const std::string& series, int64_t number) override {
    SLA_RETURN_IF_ERROR(Injected("LoadDocument"));
    for (const DocumentRow& d : s_.documents) {
      if (d.series == series && d.number == number)
        return std::make_pair(d.key.customer_id, d.body);
    }
    return std::nullopt;
  }

  absl::StatusOr<std::vector<StoredDocument>> ListDocuments(const DocumentQuery& q) override {
    SLA_RETURN_IF_ERROR(Injected("ListDocuments"));
    std::vector<StoredDocument> out;
    for (const DocumentRow& d : s_.documents) {
      if (d.series != q.series) continue;
      if (q.newest_first ? d.number >= q.after_number : d.number <= q.after_number) continue;
      if (!q.scope.all() && d.key.customer_id != q.scope.customer_id()) continue;
      if (q.contract_id && d.key.contract_id != *q.contract_id) continue;
      if (q.period && MonthIndex(d.period) != MonthIndex(*q.period)) continue;
      out.push_back({d.number, d.body});
    }
    std::sort(out.begin(), out.end(), [&](const StoredDocument& a, const StoredDocument& b) {
      return q.newest_first ? a.number > b.number : a.number < b.number;
    });
    if (out.size() > static_cast<size_t>(q.limit)) out.resize(q.limit);
    return out;
  }

  absl::Status Publish(absl::Span<const outbox::Row> events) override {
    SLA_RETURN_IF_ERROR(Injected("Publish"));
    for (const outbox::Row& e : events) SLA_RETURN_IF_ERROR(outbox::CheckFamily(e.type, e.payload));
    s_.events.insert(s_.events.end(), events.begin(), events.end());
    return absl::OkStatus();
  }

 private:
  absl::Status Injected(const std::string& method) { return failures_.Take(method); }

  State::CreditRow* Find(const ContractCredit& c) {
    for (State::CreditRow& r : s_.credits) {
      if (CreditKey(r.credit) == CreditKey(c)) return &r;
    }
    return nullptr;
  }

  // The contract's credit rows matching `keep`, in the table's key order.
  template <typename Keep>
  std::vector<StoredCredit> Select(const ContractKey& k, Keep keep) {
    std::vector<const State::CreditRow*> rows;
    for (const State::CreditRow& r : s_.credits) {
      if (Same(r.credit.key, k) && keep(r)) rows.push_back(&r);
    }
    std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
      return CreditKey(a->credit) < CreditKey(b->credit);
    });
    std::vector<StoredCredit> out;
    for (const State::CreditRow* r : rows) out.push_back(r->credit.credit);
    return out;
  }

  template <typename Keep>
  CreditsByContract PerPeriod(const std::vector<PeriodKey>& periods, Keep keep) {
    CreditsByContract out;
    for (const PeriodKey& p : periods) {
      std::vector<StoredCredit> rows =
          Select(p.key, [&](const State::CreditRow& r) { return keep(r, MonthIndex(p.period)); });
      if (!rows.empty()) out[KeyText(p.key)] = std::move(rows);
    }
    return out;
  }

  State& s_;
  test::ArmedFailures& failures_;
};

}  // namespace

absl::Status FakeBillingRepository::Transact(absl::FunctionRef<absl::Status(BillingTx&)> fn) {
  return store_.Transact([&](State& s, test::ArmedFailures& failures) {
    FakeTx tx(s, failures);
    return fn(tx);
  });
}

absl::Status FakeBillingRepository::Read(absl::FunctionRef<absl::Status(BillingTx&)> fn) {
  return store_.Read([&](State& s, test::ArmedFailures& failures) {
    FakeTx tx(s, failures);
    return fn(tx);
  });
}

}  // namespace sla::billing::testing
