#include "reporting-svc/app/report_manager.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/core/invoice.h"
#include "common/core/terms_validation.h"
#include "common/log/log.h"
#include "common/outbox/outbox.h"
#include "common/outbox/payload.h"
#include "common/server/access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/domain/credit_event.h"
#include "reporting-svc/domain/render.h"

namespace sla::reporting {
namespace {

using server::Identity;

constexpr char kTicketSource[] = "ticket-svc";
constexpr char kBillingSource[] = "billing-svc";

absl::Time Now(const ReportingOptions& o) { return o.clock(); }

bool IsMsp(const Identity& who) { return who.HasAnyRole({"msp_admin", "msp_agent", "service"}); }

int64_t MidMonth(int period) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(period / 12, period % 12 + 1, 15), absl::UTCTimeZone()));
}

absl::StatusOr<storage::TicketKey> TicketKeyOf(const std::string& ticket) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(ticket, "tickets", "payload.ticket"));
  return storage::TicketKey{k.first, k.second};
}

// The figures of a report without its issue metadata, for "did anything change?".
v1::Report Figures(v1::Report r) {
  r.clear_name();
  r.clear_revision();
  r.clear_issue_time();
  r.clear_revision_note();
  return r;
}

// The access check and the rows `who` reads for `s` (named by `name`) in one: NOT_FOUND for
// another customer's, PERMISSION_DENIED without a role that reads reports; the customer comes
// from the caller's scope (server::CustomerScope), never from the name alone.
absl::StatusOr<storage::QueryScope> ScopeFor(const Identity& who, const Scope& s,
                                             const std::string& name) {
  SLA_ASSIGN_OR_RETURN(server::CustomerScope customers,
                       server::CustomerScope::ForCaller(who, s.customer_id, name, "reports"));
  if (s.contract_id.empty()) return storage::QueryScope::Customers(std::move(customers));
  return storage::QueryScope::Contract(std::move(customers), s.contract_id);
}

}  // namespace

// ticket-svc's events into the read model. The terms (zone, RCA rule) are resolved in Prepare,
// outside the transaction: no network call while rows are locked.
class ReportManager::TicketHandler final : public outbox::Handler {
 public:
  explicit TicketHandler(ReportManager* m) : m_(m) {}
  using State = std::shared_ptr<const TermsInfo>;
  absl::Status Prepare(const outbox::FeedEvent& e, std::any* state) override {
    SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
    State terms;
    if (e.payload.has_ticket() && !e.payload.ticket().contract().empty()) {
      const sla::v1::TicketEventPayload& t = e.payload.ticket();
      SLA_ASSIGN_OR_RETURN(terms, m_->TermsOf(t.contract(), t.terms_version(), e.event_time));
    }
    *state = std::move(terms);
    return absl::OkStatus();
  }
  absl::Status Apply(mysql::Connection& c, const outbox::FeedEvent& e,
                     const std::any& state) override {
    return m_->ApplyTicketEvent(c, e, std::any_cast<const State&>(state).get());
  }

 private:
  ReportManager* m_;
};

class ReportManager::BillingHandler final : public outbox::Handler {
 public:
  explicit BillingHandler(ReportManager* m) : m_(m) {}
  absl::Status Prepare(const outbox::FeedEvent&, std::any*) override { return absl::OkStatus(); }
  absl::Status Apply(mysql::Connection& c, const outbox::FeedEvent& e, const std::any&) override {
    return m_->ApplyBillingEvent(c, e);
  }

 private:
  ReportManager* m_;
};

ReportManager::ReportManager(mysql::ConnectionPool* pool, clients::TermsSource* terms,
                             outbox::Feed* tickets, outbox::Feed* billing, ReportingOptions options)
    : pool_(pool),
      terms_(terms),
      options_(std::move(options)),
      ticket_handler_(std::make_unique<TicketHandler>(this)),
      billing_handler_(std::make_unique<BillingHandler>(this)) {
  outbox::FollowerOptions follow;
  follow.clock = options_.clock;
  follow.source = kTicketSource;
  ticket_follower_ =
      std::make_unique<outbox::Follower>(pool_, tickets, ticket_handler_.get(), follow);
  follow.source = kBillingSource;
  billing_follower_ =
      std::make_unique<outbox::Follower>(pool_, billing, billing_handler_.get(), follow);
}

ReportManager::~ReportManager() = default;

absl::StatusOr<std::shared_ptr<const ReportManager::TermsInfo>> ReportManager::TermsOf(
    const std::string& contract, const std::string& version, int64_t at) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = terms_cache_.find(version); !version.empty() && it != terms_cache_.end())
      return it->second;
  }
  // A named version is fetched by its name: the version in force at the event's time may be a
  // later one (an amendment), or none at all (a ticket closed after its contract ended).
  SLA_ASSIGN_OR_RETURN(clients::ResolvedVersion v,
                       version.empty() ? terms_->Resolve(contract, absl::FromUnixSeconds(at))
                                       : terms_->ResolveVersion(contract, version));
  if (!version.empty() && v.name != version) {
    return absl::FailedPreconditionError(
        absl::StrCat("contract-svc answered `", v.name, "` for `", version, "`"));
  }
  auto info = std::make_shared<TermsInfo>(TermsInfo{v.name, std::move(v.terms)});
  absl::MutexLock lock(&mu_);
  terms_cache_[info->version] = info;  // versions are immutable
  return std::shared_ptr<const TermsInfo>(info);
}

absl::StatusOr<std::shared_ptr<const ReportManager::TermsInfo>> ReportManager::TermsForPeriod(
    const std::string& contract, int period) {
  absl::StatusOr<std::shared_ptr<const TermsInfo>> mid = TermsOf(contract, "", MidMonth(period));
  if (mid.ok() || !absl::IsFailedPrecondition(mid.status())) return mid;
  // Not in force on the 15th: began or ended within the month. A version's window (unlike its
  // terms) changes when the contract is amended or ended, so it is asked for, not cached.
  std::optional<clients::ResolvedVersion> best;
  for (int n = 1; n <= 1000; ++n) {
    absl::StatusOr<clients::ResolvedVersion> v =
        terms_->ResolveVersion(contract, absl::StrCat(contract, "/versions/", n));
    if (absl::IsNotFound(v.status())) break;  // past the latest version
    if (!v.ok()) return v.status();
    SLA_ASSIGN_OR_RETURN(
        core::PeriodBounds b,
        core::Bounds({period / 12, period % 12 + 1}, v->terms.pricing().billing_time_zone()));
    if (v->effective_from >= absl::FromUnixSeconds(b.end)) break;
    if (v->effective_until > absl::FromUnixSeconds(b.start) &&
        v->effective_until > v->effective_from)
      best = *v;
    if (v->effective_until == absl::InfiniteFuture()) break;
  }
  if (!best) return WrongState(contract, absl::StrCat("was not in force in ", PeriodText(period)));
  return TermsOf(contract, best->name, 0);
}

absl::StatusOr<std::vector<int>> ReportManager::DuePeriods(const std::string& contract,
                                                           absl::Time until, int64_t now) {
  SLA_ASSIGN_OR_RETURN(clients::ResolvedVersion first,
                       terms_->ResolveVersion(contract, absl::StrCat(contract, "/versions/1")));
  const std::string& zone = first.terms.pricing().billing_time_zone();
  SLA_ASSIGN_OR_RETURN(core::Period begins,
                       core::PeriodOf(absl::ToUnixSeconds(first.effective_from), zone));
  SLA_ASSIGN_OR_RETURN(core::Period today, core::PeriodOf(now, zone));
  const int current = today.year * 12 + today.month - 1;
  int last = current - 1;  // the last ended period
  int final_period = -1;   // the month the contract ended in, if it did
  if (until != absl::InfiniteFuture()) {
    SLA_ASSIGN_OR_RETURN(core::Period ends, core::PeriodOf(absl::ToUnixSeconds(until) - 1, zone));
    final_period = ends.year * 12 + ends.month - 1;
    last = std::min(last, final_period);
  }
  std::vector<int> due;
  for (int p = std::max(begins.year * 12 + begins.month - 1, current - 12); p <= last; ++p) {
    absl::StatusOr<std::shared_ptr<const TermsInfo>> terms = TermsForPeriod(contract, p);
    if (absl::IsFailedPrecondition(terms.status())) continue;  // a gap between versions
    if (!terms.ok()) return terms.status();
    // The schedule: monthly by default; quarterly and yearly ones at their last month, and
    // every schedule at the month the contract ended.
    const sla::v1::Frequency f = (*terms)->terms.reporting().frequency();
    const int month = p % 12 + 1;
    const bool on_schedule = !(f == sla::v1::FREQUENCY_QUARTERLY && month % 3 != 0) &&
                             !(f == sla::v1::FREQUENCY_YEARLY && month != 12);
    if (on_schedule || p == final_period) due.push_back(p);
  }
  return due;
}

absl::StatusOr<int> ReportManager::PeriodIndexOf(const TermsInfo& t, int64_t at) const {
  SLA_ASSIGN_OR_RETURN(core::Period p, core::PeriodOf(at, t.terms.pricing().billing_time_zone()));
  return p.year * 12 + p.month - 1;
}

absl::StatusOr<std::vector<outbox::DeadLetterRow>> ReportManager::DeadLetters(int limit) {
  return outbox::ListDeadLetters(*pool_, "dead", limit);
}

absl::Status ReportManager::ApplyTicketEvent(mysql::Connection& c, const outbox::FeedEvent& e,
                                             const TermsInfo* terms) {
  const sla::v1::TicketEventPayload& t = e.payload.ticket();
  const sla::v1::OutageEventPayload& o = e.payload.outage();
  if (e.payload.has_outage()) {
    SLA_ASSIGN_OR_RETURN(auto k,
                         api::ParseCustomerChild(o.contract(), "contracts", "payload.contract"));
    SLA_ASSIGN_OR_RETURN(auto id, api::ParseCustomerChild(o.outage(), "outages", "payload.outage"));
    return storage::UpsertOutage(
        c, {k.first,
            id.second,
            k.second,
            {o.service_id(), o.start_time().seconds(),
             o.has_end_time() ? o.end_time().seconds() : 0, o.planned(), o.exclusion_id()}});
  }
  if (t.ticket().empty() || terms == nullptr) return absl::OkStatus();  // not a ticket event
  SLA_ASSIGN_OR_RETURN(const storage::TicketKey key, TicketKeyOf(t.ticket()));
  SLA_ASSIGN_OR_RETURN(auto contract,
                       api::ParseCustomerChild(t.contract(), "contracts", "payload.contract"));
  const auto& rca = terms->terms.problem_management().rca_required_for();
  const bool rca_required =
      rca.empty() ? (t.priority() == sla::v1::PRIORITY_P1 || t.priority() == sla::v1::PRIORITY_P2)
                  : std::find(rca.begin(), rca.end(), t.priority()) != rca.end();
  if (e.type == "ticket.opened") {
    const int64_t opened = t.has_open_time() ? t.open_time().seconds() : e.event_time;
    SLA_ASSIGN_OR_RETURN(const int period, PeriodIndexOf(*terms, opened));
    return storage::InsertTicket(c, {key, contract.second, t.service_id(), t.priority(), period,
                                     opened, t.terms_version(), rca_required});
  }
  if (e.type == "clock.met") {
    if (t.clock() == sla::v1::CLOCK_FIRST_RESPONSE || t.clock() == sla::v1::CLOCK_RESOLUTION) {
      return storage::ClockMet(c, key, t.clock(), !t.breached(), t.consumed_seconds(),
                               t.elapsed_seconds(), t.met_time().seconds());
    }
    return absl::OkStatus();
  }
  if (e.type == "clock.breached") {
    SLA_ASSIGN_OR_RETURN(const int period, PeriodIndexOf(*terms, t.breach_time().seconds()));
    return storage::AddBreach(c, {key, contract.second, t.clock(), t.cycle(), t.priority(),
                                  t.breach_time().seconds(), period});
  }
  if (e.type == "escalation.fired") {
    SLA_ASSIGN_OR_RETURN(const int period, PeriodIndexOf(*terms, t.fire_time().seconds()));
    return storage::AddEscalation(c, {key, contract.second, t.clock(), t.cycle(), t.level(),
                                      t.manual(), t.fire_time().seconds(), period});
  }
  if (e.type == "ticket.priority_changed")
    return storage::SetPriority(c, key, t.priority(), rca_required);
  if (e.type == "ticket.reopened") return storage::TicketReopened(c, key, t.reopen_count());
  if (e.type == "ticket.closed") return storage::TicketClosed(c, key, t.rca_recorded());
  if (e.type == "ticket.rca_recorded") return storage::RcaRecorded(c, key);
  if (e.type == "ticket.paused" ||
      (e.type == "ticket.status_changed" && t.to_status() == "WAITING_ON_CUSTOMER")) {
    return storage::PauseStarted(c, key, e.event_time);
  }
  if (e.type == "ticket.resumed" || e.type == "ticket.resolved" ||
      (e.type == "ticket.status_changed" && t.from_status() == "WAITING_ON_CUSTOMER")) {
    return storage::PauseEnded(c, key, e.event_time);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ReportManager::ConsumeTicketEvents() {
  SLA_ASSIGN_OR_RETURN(const int applied, ticket_follower_->RunOnce());
  if (applied > 0) options_.on_events_written();  // set-aside events are announced
  return applied;
}

absl::StatusOr<int> ReportManager::ConsumeBillingEvents() {
  // Revisions left pending by an earlier pass (contract-svc was unavailable) come first.
  SLA_RETURN_IF_ERROR(IssuePendingRevisions());
  SLA_ASSIGN_OR_RETURN(const int applied, billing_follower_->RunOnce());
  if (applied == 0) return 0;
  options_.on_events_written();
  // Credits decided after a report was issued: the report gets a new revision.
  SLA_RETURN_IF_ERROR(IssuePendingRevisions());
  return applied;
}

absl::Status ReportManager::ApplyBillingEvent(mysql::Connection& c, const outbox::FeedEvent& e) {
  if (outbox::FamilyOf(e.type) != sla::v1::EventPayload::kCredit) return absl::OkStatus();
  SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
  SLA_ASSIGN_OR_RETURN(std::optional<CreditEvent> credit,
                       ReadCreditEvent(e.type, e.payload.credit()));
  if (!credit) return absl::OkStatus();
  const storage::Credit row{credit->contract.customer_id,
                            credit->contract.contract_id,
                            credit->period,
                            credit->status,
                            credit->kind == CreditEvent::Kind::kSet ? credit->note : "",
                            credit->currency,
                            credit->amount_minor,
                            credit->cap_cut_minor};
  SLA_RETURN_IF_ERROR(credit->kind == CreditEvent::Kind::kSet
                          ? storage::UpsertCredit(c, row)
                          : storage::AdjustCredit(c, row, credit->note));
  SLA_ASSIGN_OR_RETURN(const storage::QueryScope scope,
                       storage::QueryScope::ForSystemWork(credit->contract));
  SLA_ASSIGN_OR_RETURN(auto report, storage::LoadReport(c, scope, credit->period, 0, false));
  if (!report) return absl::OkStatus();
  return storage::AddPendingRevision(
      c, {credit->contract, credit->period,
          "late data: credits decided by billing-svc after the last revision"});
}

absl::Status ReportManager::IssuePendingRevisions() {
  for (;;) {
    std::vector<storage::PendingRevision> pending;
    SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(pending, storage::ListPendingRevisions(c, 100));
      return absl::OkStatus();
    }));
    if (pending.empty()) return absl::OkStatus();
    for (const storage::PendingRevision& p : pending) {
      const std::string name =
          absl::StrCat("customers/", p.scope.customer_id, "/contracts/", p.scope.contract_id,
                       "/reports/", PeriodText(p.period_index));
      SLA_ASSIGN_OR_RETURN(ReportName n, ParseReportName(name, "name"));
      absl::StatusOr<storage::QueryScope> scope = storage::QueryScope::ForSystemWork(n.scope);
      absl::Status issued = scope.ok() ? IssueNow(n, *scope, p.reason).status() : scope.status();
      // Kept for the next pass unless issued, or unless it can never be (then it is logged).
      if (!issued.ok() && !outbox::PermanentError(issued)) return issued;
      if (!issued.ok()) {
        log::Warning("pending report revision dropped",
                     {{"report", name}, {"reason", std::string(issued.message())}});
      }
      SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) {
        return storage::DeletePendingRevision(c, p.scope, p.period_index);
      }));
    }
  }
}

absl::StatusOr<v1::Report> ReportManager::Compute(const ReportName& n,
                                                  const storage::QueryScope& scope) {
  const int64_t now = absl::ToUnixSeconds(Now(options_));
  v1::Report r;
  r.set_name(n.name);
  r.set_period(PeriodText(n.period));
  r.mutable_issue_time()->set_seconds(now);
  std::shared_ptr<const TermsInfo> terms;
  core::PeriodBounds bounds;
  if (n.contract()) {
    const std::string contract =
        absl::StrCat("customers/", n.scope.customer_id, "/contracts/", n.scope.contract_id);
    SLA_ASSIGN_OR_RETURN(terms, TermsForPeriod(contract, n.period));
    r.set_terms_version(terms->version);
    r.set_time_zone(terms->terms.pricing().billing_time_zone());
    SLA_ASSIGN_OR_RETURN(bounds, core::Bounds({n.period / 12, n.period % 12 + 1}, r.time_zone()));
    r.mutable_period_start()->set_seconds(bounds.start);
    r.mutable_period_end()->set_seconds(bounds.end);
  }
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(std::vector<TicketFigures> rows,
                         storage::LoadTicketFigures(c, scope, n.period));
    Aggregate(rows, r.mutable_priorities(), r.mutable_total());
    SLA_ASSIGN_OR_RETURN(auto breaches,
                         storage::LoadBreaches(c, scope, n.period, options_.breaches_listed));
    for (auto& b : breaches.first) *r.add_breaches() = std::move(b);
    r.set_breaches_not_listed(breaches.second - r.breaches_size());
    SLA_ASSIGN_OR_RETURN(auto escalations, storage::LoadEscalations(c, scope, n.period));
    for (auto& e : escalations) *r.add_escalations() = std::move(e);
    SLA_ASSIGN_OR_RETURN(auto credits, storage::LoadCredits(c, scope, n.period));
    for (auto& cr : credits) *r.add_credits() = std::move(cr);
    SLA_ASSIGN_OR_RETURN(auto trend, storage::LoadTrend(c, scope, n.period - 11, n.period));
    for (auto& t : trend) *r.add_trend() = std::move(t);
    if (n.contract()) {
      r.set_contract_count(1);
      SLA_ASSIGN_OR_RETURN(std::vector<OutageRow> outages,
                           storage::LoadOutages(c, scope, bounds.start, bounds.end));
      SLA_ASSIGN_OR_RETURN(auto availability,
                           AvailabilityFigures(terms->terms, terms->version, n.period / 12,
                                               n.period % 12 + 1, outages, now));
      for (auto& a : availability) *r.add_availability() = std::move(a);
      // Availability of each trend period, on this report's targets (outages are few).
      for (v1::TrendPoint& point : *r.mutable_trend()) {
        SLA_ASSIGN_OR_RETURN(const int p, ParsePeriod(point.period(), "trend.period"));
        SLA_ASSIGN_OR_RETURN(core::PeriodBounds b,
                             core::Bounds({p / 12, p % 12 + 1}, r.time_zone()));
        SLA_ASSIGN_OR_RETURN(std::vector<OutageRow> past,
                             storage::LoadOutages(c, scope, b.start, b.end));
        SLA_ASSIGN_OR_RETURN(auto figures,
                             AvailabilityFigures(terms->terms, terms->version, p / 12, p % 12 + 1,
                                                 past, std::min(now, b.end)));
        if (figures.empty()) continue;
        point.set_availability_ppm(1'000'000);
        point.set_availability_met(true);
        for (const auto& f : figures) {
          point.set_availability_ppm(std::min(point.availability_ppm(), f.actual_ppm()));
          point.set_availability_met(point.availability_met() && f.met());
        }
      }
    } else {
      SLA_ASSIGN_OR_RETURN(const int64_t contracts, storage::CountContracts(c, scope, n.period));
      r.set_contract_count(contracts);
    }
    return absl::OkStatus();
  }));
  if (terms != nullptr) AddTargetWording(terms->terms, r.mutable_priorities());
  return r;
}

absl::StatusOr<v1::Report> ReportManager::IssueNow(const ReportName& n,
                                                   const storage::QueryScope& scope,
                                                   const std::string& why) {
  SLA_ASSIGN_OR_RETURN(v1::Report r, Compute(n, scope));
  const int64_t now = absl::ToUnixSeconds(Now(options_));
  if (now < r.period_end().seconds()) {
    return WrongState(n.name, absl::StrCat("the period ", r.period(), " has not ended"));
  }
  bool written = false;
  absl::Status s = mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
    written = false;
    SLA_ASSIGN_OR_RETURN(auto latest, storage::LoadReport(c, scope, n.period, 0, true));
    if (latest) {
      v1::Report before;
      if (!before.ParseFromString(latest->body))
        return absl::DataLossError("an issued report is unreadable");
      if (google::protobuf::util::MessageDifferencer::Equals(Figures(before), Figures(r))) {
        r = std::move(before);  // nothing changed: no new revision
        return absl::OkStatus();
      }
    }
    const int revision = latest ? latest->revision + 1 : 1;
    r.set_revision(revision);
    r.set_revision_note(revision == 1 ? why
                                      : absl::StrCat("revision ", revision, " replaces revision ",
                                                     revision - 1, ": ", why));
    SLA_RETURN_IF_ERROR(
        storage::InsertReport(c, scope, n.period, revision, now, r.SerializeAsString()));
    written = true;
    outbox::Row issued{"report.issued", n.name, n.scope.customer_id, now, {}};
    sla::v1::ReportEventPayload& payload = *issued.payload.mutable_report();
    payload.set_report(n.name);
    payload.set_period(r.period());
    payload.set_revision(revision);
    payload.set_note(r.revision_note());
    return outbox::Insert(c, {&issued, 1});
  });
  if (absl::IsAlreadyExists(s)) {
    // Another replica issued the same revision at the same moment: that one stands.
    SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(auto latest, storage::LoadReport(c, scope, n.period, 0, false));
      if (!latest || !r.ParseFromString(latest->body))
        return absl::InternalError("issued report vanished");
      return absl::OkStatus();
    }));
    return r;
  }
  SLA_RETURN_IF_ERROR(s);
  if (written) options_.on_events_written();
  return r;
}

absl::StatusOr<v1::Report> ReportManager::Get(const Identity& who,
                                              const v1::GetReportRequest& req) {
  SLA_ASSIGN_OR_RETURN(ReportName n, ParseReportName(req.name(), "name"));
  if (n.scope.customer_id.empty() && !server::ReadsAllCustomers(who)) {
    return PermissionDenied("MSP-wide reports are for the MSP's staff");
  }
  SLA_ASSIGN_OR_RETURN(const storage::QueryScope scope, ScopeFor(who, n.scope, req.name()));
  if (req.revision() < 0) return InvalidField("revision", "must not be negative");
  if (n.contract()) {
    std::optional<storage::StoredReport> stored;
    SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(stored, storage::LoadReport(c, scope, n.period, req.revision(), false));
      return absl::OkStatus();
    }));
    if (stored) {
      v1::Report r;
      if (!r.ParseFromString(stored->body))
        return absl::DataLossError("an issued report is unreadable");
      return r;
    }
    if (req.revision() > 0) return NotFound(absl::StrCat(req.name(), " revision ", req.revision()));
  } else if (req.revision() > 0) {
    return InvalidField("revision", "only contract reports are issued in revisions");
  }
  // Read-your-writes, then the positions the figures reflect (read before them: a lower bound).
  if (!req.min_event_position().empty()) {
    SLA_ASSIGN_OR_RETURN(const outbox::Position p,
                         outbox::ParsePosition(req.min_event_position(), "min_event_position"));
    outbox::Follower* f = p.stream == kTicketSource    ? ticket_follower_.get()
                          : p.stream == kBillingSource ? billing_follower_.get()
                                                       : nullptr;
    if (f == nullptr) {
      return InvalidField("min_event_position",
                          "must be a position in ticket-svc's or billing-svc's stream");
    }
    SLA_RETURN_IF_ERROR(f->CatchUp(p.epoch, p.sequence, absl::Seconds(5)).status());
  }
  std::vector<std::string> positions;
  for (outbox::Follower* f : {ticket_follower_.get(), billing_follower_.get()}) {
    SLA_ASSIGN_OR_RETURN(const outbox::CursorState c, f->Current());
    positions.push_back(outbox::FormatPosition({f->source(), c.epoch, c.sequence}));
  }
  SLA_ASSIGN_OR_RETURN(v1::Report report, Compute(n, scope));
  for (std::string& p : positions) report.add_event_positions(std::move(p));
  return report;
}

absl::StatusOr<v1::Report> ReportManager::Issue(const Identity& who, const std::string& name) {
  SLA_ASSIGN_OR_RETURN(ReportName n, ParseReportName(name, "name"));
  if (!n.contract()) return InvalidField("name", "only a contract's report is issued");
  SLA_ASSIGN_OR_RETURN(const storage::QueryScope scope, ScopeFor(who, n.scope, name));
  if (!IsMsp(who)) return PermissionDenied("issuing reports is for the MSP's staff and systems");
  return IssueNow(n, scope, "issued on request");
}

absl::StatusOr<v1::ListReportsResponse> ReportManager::List(const Identity& who,
                                                            const v1::ListReportsRequest& req) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(req.parent(), "contracts", "parent"));
  SLA_ASSIGN_OR_RETURN(const storage::QueryScope scope,
                       ScopeFor(who, {k.first, k.second}, req.parent()));
  const int size = req.page_size() == 0 ? 100 : req.page_size();
  if (size < 1 || size > 1000) return InvalidField("page_size", "must be within 1..1000");
  int offset = 0;
  if (!req.page_token().empty() && (!absl::SimpleAtoi(req.page_token(), &offset) || offset < 0)) {
    return InvalidField("page_token", "is not a token this service returned");
  }
  std::vector<std::string> bodies;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(bodies, storage::ListReports(c, scope, offset, size + 1));
    return absl::OkStatus();
  }));
  v1::ListReportsResponse out;
  for (size_t i = 0; i < bodies.size() && static_cast<int>(i) < size; ++i) {
    v1::Report full;
    if (!full.ParseFromString(bodies[i]))
      return absl::DataLossError("an issued report is unreadable");
    v1::Report* r = out.add_reports();
    r->set_name(full.name());
    r->set_revision(full.revision());
    *r->mutable_issue_time() = full.issue_time();
    r->set_period(full.period());
    r->set_revision_note(full.revision_note());
    *r->mutable_total() = full.total();
  }
  if (static_cast<int>(bodies.size()) > size) out.set_next_page_token(absl::StrCat(offset + size));
  return out;
}

absl::StatusOr<v1::ExportReportResponse> ReportManager::Export(const Identity& who,
                                                               const v1::ExportReportRequest& req) {
  v1::GetReportRequest get;
  get.set_name(req.name());
  get.set_revision(req.revision());
  if (req.format() == v1::REPORT_FORMAT_UNSPECIFIED || !v1::ReportFormat_IsValid(req.format())) {
    return InvalidField("format",
                        "is required: REPORT_FORMAT_JSON, REPORT_FORMAT_CSV or REPORT_FORMAT_HTML");
  }
  SLA_ASSIGN_OR_RETURN(v1::Report r, Get(who, get));
  v1::ExportReportResponse out;
  std::string base = absl::StrReplaceAll(
      r.name(), {{"customers/", ""}, {"/contracts/", "-"}, {"/reports/", "-"}, {"/", "-"}});
  absl::StrAppend(&base, "-r", r.revision());
  switch (req.format()) {
    case v1::REPORT_FORMAT_JSON:
      out.set_content_type("application/json; charset=utf-8");
      out.set_content(RenderJson(r));
      out.set_file_name(base + ".json");
      break;
    case v1::REPORT_FORMAT_CSV:
      out.set_content_type("text/csv; charset=utf-8");
      out.set_content(RenderCsv(r));
      out.set_file_name(base + ".csv");
      break;
    default:
      out.set_content_type("text/html; charset=utf-8");
      out.set_content(RenderHtml(r));
      out.set_file_name(base + ".html");
  }
  return out;
}

absl::StatusOr<v1::SimulateTermsResponse> ReportManager::Simulate(
    const Identity& who, const v1::SimulateTermsRequest& req) {
  Scope subject;
  if (auto k = api::ParseCustomerChild(req.subject(), "contracts", "subject"); k.ok()) {
    subject = {k->first, k->second};
  } else {
    SLA_ASSIGN_OR_RETURN(subject.customer_id, api::ParseCustomerParent(req.subject(), false));
  }
  SLA_ASSIGN_OR_RETURN(const storage::QueryScope scope, ScopeFor(who, subject, req.subject()));
  // `service`: contract-svc's lint replays a contract's terms for the MSP's staff.
  if (!who.HasAnyRole({"msp_admin", "msp_agent", "service"})) {
    return PermissionDenied("what-if simulation is for the MSP's staff");
  }
  if (req.lookback_periods() < 1 || req.lookback_periods() > 36) {
    return InvalidField("lookback_periods", "must be within 1..36");
  }
  if (!req.has_proposed_terms()) return InvalidField("proposed_terms", "is required");
  sla::v1::SlaTerms proposed = req.proposed_terms();
  std::set<std::string> calendars;
  for (const auto& c : proposed.calendars()) calendars.insert(c.name());
  // Proposed terms as a person writes them name calendars without their contents (the snapshot
  // in `calendars` is output only): a calendar the proposal names but does not carry is taken
  // from the contract's terms in force now, as the contract would use it. contract-svc's lint
  // always carries them, so its history check never calls contract-svc back (no cycle).
  std::set<std::string> missing;
  (void)core::ValidateTerms(
      proposed,
      [&](absl::string_view name) {
        if (calendars.count(std::string(name)) == 0) missing.insert(std::string(name));
        return true;
      },
      "proposed_terms");
  if (!missing.empty() && !subject.contract_id.empty()) {
    absl::StatusOr<std::shared_ptr<const TermsInfo>> current =
        TermsOf(req.subject(), "", absl::ToUnixSeconds(Now(options_)));
    if (current.ok()) {
      for (const auto& c : (*current)->terms.calendars()) {
        if (calendars.insert(c.name()).second) *proposed.add_calendars() = c;
      }
    } else if (!outbox::PermanentError(current.status())) {
      return current.status();
    }
  }
  SLA_RETURN_IF_ERROR(core::ValidateTerms(
      proposed, [&](absl::string_view name) { return calendars.count(std::string(name)) > 0; },
      "proposed_terms"));
  const int64_t now = absl::ToUnixSeconds(Now(options_));
  SLA_ASSIGN_OR_RETURN(core::Period current,
                       core::PeriodOf(now, proposed.pricing().billing_time_zone()));
  const int last = current.year * 12 + current.month - 1 - 1;
  const int first = last - req.lookback_periods() + 1;
  SLA_ASSIGN_OR_RETURN(core::PeriodBounds b0, core::Bounds({first / 12, first % 12 + 1},
                                                           proposed.pricing().billing_time_zone()));
  SLA_ASSIGN_OR_RETURN(core::PeriodBounds b1, core::Bounds({last / 12, last % 12 + 1},
                                                           proposed.pricing().billing_time_zone()));
  SimulationInput in;
  in.now = now;
  for (int p = first; p <= last; ++p) in.periods.push_back(p);
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(in.tickets, storage::LoadReplayTickets(c, scope, first, last));
    SLA_ASSIGN_OR_RETURN(in.outages, storage::LoadOutages(c, scope, b0.start, b1.end));
    return absl::OkStatus();
  }));
  // The proposed calendars cover the lookback, with room for clocks that run past its end.
  SLA_ASSIGN_OR_RETURN(
      std::shared_ptr<const core::TermsContext> ctx,
      core::TermsContext::Build("proposed", proposed, absl::FromUnixSeconds(b0.start - 86400 * 7),
                                absl::FromUnixSeconds(std::max(now, b1.end) + 86400 * 400)));
  in.proposed = ctx.get();
  return reporting::Simulate(in);
}

absl::StatusOr<int> ReportManager::IssueDueReports(clients::ContractDirectory& contracts) {
  const int64_t now = absl::ToUnixSeconds(Now(options_));
  // Contracts in force, and those ended within the last 13 months: their notice and final
  // months are reported too.
  std::map<std::string, absl::Time> until;
  SLA_ASSIGN_OR_RETURN(std::vector<std::string> active, contracts.ActiveContracts());
  for (const std::string& c : active) until[c] = absl::InfiniteFuture();
  SLA_ASSIGN_OR_RETURN(
      std::vector<clients::ContractDirectory::Terminated> ended,
      contracts.TerminatedContracts(absl::FromUnixSeconds(now) - absl::Hours(24 * 400)));
  for (const auto& t : ended) until[t.name] = t.termination_time;
  int issued = 0;
  for (const auto& [contract, end] : until) {
    SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(contract, "contracts", "contract"));
    SLA_ASSIGN_OR_RETURN(const storage::QueryScope scope,
                         storage::QueryScope::ForSystemWork({k.first, k.second}));
    absl::StatusOr<std::vector<int>> due = DuePeriods(contract, end, now);
    if (!due.ok()) {
      if (absl::IsNotFound(due.status()) || absl::IsFailedPrecondition(due.status())) continue;
      return due.status();  // contract-svc unavailable: the next pass retries
    }
    // Every due period not issued yet, oldest first: a pass after downtime catches up.
    for (const int period : *due) {
      std::optional<storage::StoredReport> existing;
      SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(existing, storage::LoadReport(c, scope, period, 0, false));
        return absl::OkStatus();
      }));
      if (existing) continue;
      SLA_ASSIGN_OR_RETURN(
          ReportName n,
          ParseReportName(absl::StrCat(contract, "/reports/", PeriodText(period)), "name"));
      absl::StatusOr<v1::Report> r =
          IssueNow(n, scope, "issued on schedule at the end of the period");
      if (r.ok()) {
        ++issued;
      } else if (!absl::IsNotFound(r.status()) && !absl::IsFailedPrecondition(r.status())) {
        return r.status();
      }
    }
  }
  return issued;
}

}  // namespace sla::reporting
