#include "billing-svc/app/billing_manager.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "billing-svc/domain/adjustment.h"
#include "billing-svc/domain/settlement.h"
#include "billing-svc/storage/billing_store.h"
#include "common/api/list_request.h"
#include "common/api/resource_name.h"
#include "common/log/log.h"
#include "common/outbox/outbox.h"
#include "common/outbox/payload.h"
#include "common/server/access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::billing {
namespace {

using server::Identity;

constexpr char kTicketSource[] = "ticket-svc";

using server::IsCustomerRole;
using server::ReadsAllCustomers;

absl::Status CanRead(const Identity& who, const std::string& customer, const std::string& name) {
  return server::RequireReadAccess(who, customer, name, "billing documents");
}

absl::StatusOr<core::Period> ValidPeriod(const pb::BillingPeriod& p) {
  if (p.year() < 2000 || p.year() > 9999 || p.month() < 1 || p.month() > 12) {
    return InvalidField("period", "must be a month: year 2000..9999, month 1..12");
  }
  return core::Period{p.year(), p.month()};
}

std::string PeriodText(const core::Period& p) {
  return absl::StrFormat("%04d-%02d", p.year, p.month);
}
std::string DocId(const std::string& series, int64_t number) {
  return absl::StrFormat("%s-%06d", series, number);
}

sla::v1::Money Money(const std::string& currency, int64_t minor) {
  sla::v1::Money m;
  m.set_currency_code(currency);
  m.set_amount_minor(minor);
  return m;
}

pb::DocumentLine ToLine(const core::CreditLine& l, const std::string& currency) {
  pb::DocumentLine d;
  d.set_description(absl::StrCat("SLA credit: ", l.rule_id,
                                 l.service_id.empty() ? "" : " (" + l.service_id + ")"));
  *d.mutable_amount() = Money(currency, l.amount_minor);
  d.set_rule_id(l.rule_id);
  d.set_kind(l.kind);
  for (const std::string& e : l.explanation) d.add_explanation(e);
  return d;
}

// The payload of a billing event, to fill in.
outbox::Row BillingEvent(std::string type, std::string subject, std::string customer_id,
                         int64_t now) {
  return {std::move(type), std::move(subject), std::move(customer_id), now, {}};
}

// A credit event of `contract`'s `period` in `currency`, to fill in with its amounts.
outbox::Row CreditEvent(std::string type, std::string subject, const std::string& customer_id,
                        const std::string& contract, const core::Period& period,
                        const std::string& currency, int64_t now) {
  outbox::Row ev = BillingEvent(std::move(type), std::move(subject), customer_id, now);
  sla::v1::CreditEventPayload& credit = *ev.payload.mutable_credit();
  credit.set_contract(contract);
  credit.set_period(PeriodText(period));
  credit.set_currency(currency);
  return ev;
}

}  // namespace

struct BillingManager::Resolved {
  clients::ResolvedVersion version;  // the version the period is billed under
  core::PeriodBounds bounds;
  int64_t active_from = 0;   // set when the contract starts within the period
  int64_t active_until = 0;  // set when it ends within the period
  int64_t first_from = 0;    // when the earliest version in force in the period took effect
};

struct BillingManager::PendingClose {
  std::string contract;
  storage::ContractKey key;
  pb::BillingPeriod requested;
  core::Period period;
  Resolved r;
};

namespace {

bool Absent(const absl::Status& s) {
  // contract-svc: FAILED_PRECONDITION "no terms in force" / "was terminated"; NOT_FOUND.
  return s.code() == absl::StatusCode::kFailedPrecondition ||
         s.code() == absl::StatusCode::kNotFound;
}

// Marks the closed periods of `k` overlapping [from, until) stale; until 0 is open-ended.
absl::Status Touch(mysql::Connection& c, const storage::ContractKey& k, int64_t from,
                   int64_t until) {
  return storage::MarkStale(c, k, from, until == 0 ? std::numeric_limits<int64_t>::max() : until);
}

// ticket-svc's events become facts: breaches and outages. The follower's transaction holds the
// cursor's lock, which also keeps closes out while a page applies (storage::LockFactsShared).
class TicketEventHandler final : public outbox::Handler {
 public:
  absl::Status Prepare(const outbox::FeedEvent& e, std::any* state) override {
    if (e.type == "clock.breached") {
      SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
      const sla::v1::TicketEventPayload& p = e.payload.ticket();
      SLA_RETURN_IF_ERROR(
          api::ParseCustomerChild(p.contract(), "contracts", "payload.contract").status());
      *state = p;
    } else if (e.type == "outage.opened" || e.type == "outage.closed") {
      SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
      const sla::v1::OutageEventPayload& p = e.payload.outage();
      SLA_RETURN_IF_ERROR(
          api::ParseCustomerChild(p.contract(), "contracts", "payload.contract").status());
      *state = p;
    }
    return absl::OkStatus();
  }

  absl::Status Apply(mysql::Connection& c, const outbox::FeedEvent&,
                     const std::any& state) override {
    if (const auto* p = std::any_cast<sla::v1::TicketEventPayload>(&state)) {
      SLA_ASSIGN_OR_RETURN(auto k,
                           api::ParseCustomerChild(p->contract(), "contracts", "payload.contract"));
      const storage::ContractKey key{k.first, k.second};
      const int64_t t = p->breach_time().seconds();
      SLA_RETURN_IF_ERROR(
          storage::InsertBreach(c, key, {p->ticket(), p->clock(), p->priority(), t}, p->cycle()));
      // A breach in a period already closed: late data, a delta is due.
      return Touch(c, key, t, t + 1);
    }
    if (const auto* p = std::any_cast<sla::v1::OutageEventPayload>(&state)) {
      SLA_ASSIGN_OR_RETURN(auto k,
                           api::ParseCustomerChild(p->contract(), "contracts", "payload.contract"));
      const storage::ContractKey key{k.first, k.second};
      const core::OutageFact now{p->outage(),
                                 p->service_id(),
                                 p->start_time().seconds(),
                                 p->has_end_time() ? p->end_time().seconds() : 0,
                                 p->planned(),
                                 p->exclusion_id()};
      SLA_ASSIGN_OR_RETURN(std::optional<core::OutageFact> before,
                           storage::UpsertOutage(c, key, now));
      // Closed periods the outage covered before or covers now see a change.
      SLA_RETURN_IF_ERROR(Touch(c, key, now.start, now.end));
      if (before) SLA_RETURN_IF_ERROR(Touch(c, key, before->start, before->end));
    }
    return absl::OkStatus();
  }
};

}  // namespace

BillingManager::BillingManager(mysql::ConnectionPool* pool, clients::TermsSource* terms,
                               outbox::Feed* events, BillingOptions options)
    : pool_(pool),
      terms_(terms),
      options_(std::move(options)),
      ticket_handler_(std::make_unique<TicketEventHandler>()) {
  outbox::FollowerOptions follow;
  follow.source = kTicketSource;
  follow.clock = options_.clock;
  follower_ = std::make_unique<outbox::Follower>(pool_, events, ticket_handler_.get(), follow);
}

BillingManager::~BillingManager() = default;

absl::StatusOr<int> BillingManager::ConsumeOnce() {
  SLA_ASSIGN_OR_RETURN(const int applied, follower_->RunOnce());
  // A set-aside event is announced on billing's own stream.
  if (applied > 0) options_.on_events_written();
  return applied;
}

absl::StatusOr<BillingManager::Resolved> BillingManager::Resolve(const std::string& contract,
                                                                 const core::Period& p) {
  // The zone comes from the terms: find a version in force within the month first. These UTC
  // instants lie inside the month in every zone (UTC−12 to UTC+14).
  std::optional<clients::ResolvedVersion> probe;
  for (int day : {15, 2, 28, 8, 22}) {
    absl::StatusOr<clients::ResolvedVersion> v = terms_->Resolve(
        contract, absl::FromCivil(absl::CivilDay(p.year, p.month, day), absl::UTCTimeZone()));
    if (v.ok()) {
      probe = *std::move(v);
      break;
    }
    if (!Absent(v.status())) return v.status();
  }
  if (!probe) {
    // No version in force in the month: the contract has no such billing period.
    return absl::NotFoundError(
        absl::StrCat("`", contract, "` has no terms in force in ", PeriodText(p)));
  }
  Resolved r;
  SLA_ASSIGN_OR_RETURN(r.bounds, core::Bounds(p, probe->terms.pricing().billing_time_zone()));
  // Billed under the version in force at the period's last second, or, for a contract that
  // ends within the period, the last one in force.
  r.version = *probe;
  while (r.version.effective_until < absl::FromUnixSeconds(r.bounds.end)) {
    absl::StatusOr<clients::ResolvedVersion> next =
        terms_->Resolve(contract, r.version.effective_until);
    if (next.ok()) {
      r.version = *std::move(next);
      continue;
    }
    if (!Absent(next.status())) return next.status();
    r.active_until = absl::ToUnixSeconds(r.version.effective_until);  // terminated
    break;
  }
  // And in force since the period's start, or since a version that began within it.
  absl::Time first_from = probe->effective_from;
  while (first_from > absl::FromUnixSeconds(r.bounds.start)) {
    absl::StatusOr<clients::ResolvedVersion> prev =
        terms_->Resolve(contract, first_from - absl::Seconds(1));
    if (prev.ok()) {
      first_from = prev->effective_from;
      continue;
    }
    if (!Absent(prev.status())) return prev.status();
    r.active_from = absl::ToUnixSeconds(first_from);  // started within the period
    break;
  }
  r.first_from = absl::ToUnixSeconds(first_from);
  return r;
}

absl::StatusOr<pb::PreviewCreditsResponse> BillingManager::Preview(
    const Identity& who, const pb::PreviewCreditsRequest& req) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(req.contract(), "contracts", "contract"));
  SLA_RETURN_IF_ERROR(CanRead(who, k.first, req.contract()));
  SLA_ASSIGN_OR_RETURN(const core::Period period, ValidPeriod(req.period()));
  // Read-your-writes: the facts are read after the cursor, so they reflect at least it.
  outbox::CursorState reflects;
  if (!req.min_event_position().empty()) {
    SLA_ASSIGN_OR_RETURN(const outbox::Position p,
                         outbox::ParsePosition(req.min_event_position(), "min_event_position"));
    if (p.stream != kTicketSource) {
      return InvalidField("min_event_position", "must be a position in ticket-svc's event stream");
    }
    SLA_ASSIGN_OR_RETURN(reflects, follower_->CatchUp(p.epoch, p.sequence, absl::Seconds(5)));
  } else {
    SLA_ASSIGN_OR_RETURN(reflects, follower_->Current());
  }
  SLA_ASSIGN_OR_RETURN(Resolved r, Resolve(req.contract(), period));
  core::PeriodFacts facts;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(facts,
                         storage::LoadFacts(c, {k.first, k.second}, r.bounds.start, r.bounds.end));
    return absl::OkStatus();
  }));
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  SLA_ASSIGN_OR_RETURN(core::PeriodComputation pc,
                       core::ComputePeriod(r.version.terms, r.version.name, period, r.active_from,
                                           r.active_until, facts, now));
  pb::PreviewCreditsResponse out;
  out.set_event_position(
      outbox::FormatPosition({kTicketSource, reflects.epoch, reflects.sequence}));
  if (reflects.last_event_time > 0) out.mutable_event_time()->set_seconds(reflects.last_event_time);
  for (const core::CreditLine& l : pc.credits.lines)
    *out.add_credits() = ToLine(l, pc.credits.currency);
  *out.mutable_total() = Money(pc.credits.currency, pc.credits.total_minor);
  for (const core::ServiceFigure& f : pc.availability) {
    pb::ServiceAvailability* a = out.add_availability();
    a->set_service_id(f.service_id);
    a->set_period_minutes(f.availability.period_minutes);
    a->set_maintenance_minutes(f.availability.maintenance_minutes);
    a->set_eligible_minutes(f.availability.eligible_minutes);
    a->set_downtime_minutes(f.availability.downtime_minutes);
    a->set_availability_ppm(
        static_cast<int64_t>((f.availability.ratio() * core::Rational(1'000'000)).Floor()));
    a->set_target_ppm(f.target_ppm);
    a->set_met(f.availability.Meets(f.target_ppm));
  }
  for (const std::string& n : pc.credits.notes) out.add_notes(n);
  out.set_terms_version(r.version.name);
  return out;
}

absl::StatusOr<pb::ClosePeriodResponse> BillingManager::Close(const Identity& who,
                                                              const pb::ClosePeriodRequest& req) {
  if (!who.HasAnyRole({"msp_admin", "billing_system"})) {
    return PermissionDenied("only msp_admin or billing_system may close billing periods");
  }
  // Facts first: a period closes on everything ticket-svc has said until now.
  SLA_RETURN_IF_ERROR(ConsumeOnce().status());
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  SLA_ASSIGN_OR_RETURN(PendingClose p,
                       PrepareClose(req.contract(), req.period(), /*respect_grace=*/false, now));
  pb::ClosePeriodResponse out;
  std::vector<outbox::Row> events;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
    out.Clear();
    events.clear();
    SLA_RETURN_IF_ERROR(storage::LockFactsShared(c));
    std::vector<pb::ClosePeriodResponse> outs;
    SLA_RETURN_IF_ERROR(IssueCloses(c, {p}, now, &outs, &events));
    out = std::move(outs.front());
    return outbox::Insert(c, events);
  }));
  if (!events.empty()) options_.on_events_written();
  return out;
}

absl::StatusOr<int> BillingManager::CloseDuePeriods(clients::ContractDirectory& contracts) {
  // Never close on stale facts: catch up with ticket-svc first, or close nothing this pass.
  absl::MutexLock lock(&scheduler_mu_);
  SLA_RETURN_IF_ERROR(ConsumeOnce().status());
  const absl::Time clock = options_.clock();
  const int64_t now = absl::ToUnixSeconds(clock);
  const absl::CivilMonth this_month =
      absl::CivilMonth(absl::ToCivilSecond(clock, absl::UTCTimeZone()));
  const absl::CivilMonth oldest = this_month - kCatchUpMonths;
  SLA_ASSIGN_OR_RETURN(std::vector<Candidate> candidates,
                       CloseCandidates(contracts, this_month, oldest));
  std::map<std::string, int> newest;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(newest, storage::NewestClosedPeriods(c));
    return absl::OkStatus();
  }));
  std::vector<std::vector<PendingClose>> due;  // per contract, oldest first
  for (const Candidate& cand : candidates) {
    absl::StatusOr<std::pair<std::string, std::string>> parsed =
        api::ParseCustomerChild(cand.name, "contracts", "contract");
    if (!parsed.ok()) continue;
    absl::CivilMonth first = oldest;
    if (auto it = newest.find(absl::StrCat(parsed->first, "/", parsed->second));
        it != newest.end()) {
      first = std::max(first, absl::CivilMonth(it->second / 12, it->second % 12 + 1) + 1);
    }
    if (auto it = before_start_.find(cand.name); it != before_start_.end())
      first = std::max(first, it->second + 1);
    std::vector<PendingClose> mine = DueOf(cand, first, now);
    if (!mine.empty()) due.push_back(std::move(mine));
  }
  const int closed = CloseInRounds(due, now);
  SLA_RETURN_IF_ERROR(ReviseStalePeriods().status());
  return closed;
}

absl::StatusOr<std::vector<BillingManager::Candidate>> BillingManager::CloseCandidates(
    clients::ContractDirectory& contracts, absl::CivilMonth this_month, absl::CivilMonth oldest) {
  std::vector<Candidate> candidates;
  SLA_ASSIGN_OR_RETURN(std::vector<std::string> active, contracts.ActiveContracts());
  for (std::string& n : active) candidates.push_back({std::move(n), this_month - 1, false});
  SLA_ASSIGN_OR_RETURN(auto ended,
                       contracts.TerminatedContracts(absl::FromCivil(oldest, absl::UTCTimeZone())));
  for (auto& t : ended) {
    // The local month holding the last second in force may be the UTC month after.
    const absl::CivilMonth m(
        absl::ToCivilSecond(t.termination_time - absl::Seconds(1), absl::UTCTimeZone()));
    candidates.push_back({std::move(t.name), std::min(this_month - 1, m + 1), true});
  }
  return candidates;
}

std::vector<BillingManager::PendingClose> BillingManager::DueOf(const Candidate& cand,
                                                                absl::CivilMonth first,
                                                                int64_t now) {
  // Newest first, back to the first month without terms (before the contract began), so
  // that a closed-up contract costs nothing and a new one a single miss (remembered, so a
  // contract that began this month is not asked about last month again every pass).
  std::vector<PendingClose> mine;
  for (absl::CivilMonth m = cand.last; m >= first; --m) {
    pb::BillingPeriod p;
    p.set_year(static_cast<int>(m.year()));
    p.set_month(m.month());
    absl::StatusOr<PendingClose> r = PrepareClose(cand.name, p, /*respect_grace=*/true, now);
    if (r.ok()) {
      mine.push_back(*std::move(r));
      continue;
    }
    if (r.status().code() == absl::StatusCode::kFailedPrecondition) continue;  // not yet due
    if (r.status().code() == absl::StatusCode::kNotFound) {
      if (cand.terminated && m == cand.last && mine.empty()) continue;  // after its end
      before_start_[cand.name] = m;                                     // before its start
      break;
    }
    // Later periods must not close before this one: none of this contract's this pass.
    log::Warning("period close failed",
                 {{"contract", cand.name}, {"error", r.status().ToString()}});
    return {};
  }
  // Oldest first, so that each credit lands on the next period's invoice.
  std::reverse(mine.begin(), mine.end());
  return mine;
}

int BillingManager::CloseInRounds(std::vector<std::vector<PendingClose>>& due, int64_t now) {
  // In rounds: every contract's oldest due period, then the next ones, so that a batch holds a
  // contract at most once and a period closes after the one before it.
  // The batches of a round are independent: they run on close_workers connections, which
  // overlap one batch's reads with another's commit (the document series rows serialise only
  // the numbering at each batch's end).
  std::atomic<int> closed{0};
  const size_t batch_size = static_cast<size_t>(std::max(1, options_.close_batch));
  for (size_t round = 0;; ++round) {
    std::vector<std::vector<PendingClose>> batches(1);
    for (std::vector<PendingClose>& periods : due) {
      if (round >= periods.size()) continue;
      if (batches.back().size() == batch_size) batches.emplace_back();
      batches.back().push_back(std::move(periods[round]));
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t b; (b = next++) < batches.size();) {
        if (!batches[b].empty()) closed += CloseBatch(batches[b], now);
      }
    };
    std::vector<std::thread> helpers;
    const size_t workers = std::min<size_t>(std::max(1, options_.close_workers), batches.size());
    for (size_t i = 1; i < workers; ++i) helpers.emplace_back(work);
    work();
    for (std::thread& t : helpers) t.join();
    const bool more =
        std::any_of(due.begin(), due.end(), [&](const auto& d) { return d.size() > round + 1; });
    if (!more) break;
  }
  return closed.load();
}

int BillingManager::CloseBatch(const std::vector<PendingClose>& batch, int64_t now) {
  int closed = 0;
  std::vector<outbox::Row> events;
  const absl::Status together =
      mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
        closed = 0;
        events.clear();
        SLA_RETURN_IF_ERROR(storage::LockFactsShared(c));
        std::vector<pb::ClosePeriodResponse> outs;
        SLA_RETURN_IF_ERROR(IssueCloses(c, batch, now, &outs, &events));
        for (const pb::ClosePeriodResponse& out : outs) closed += out.newly_closed() ? 1 : 0;
        return outbox::Insert(c, events);
      });
  if (together.ok()) {
    if (!events.empty()) options_.on_events_written();
    return closed;
  }
  // One of them failed: close the others each on their own (a contract whose earlier period
  // failed fails its later ones too: periods close in order).
  closed = 0;
  for (const PendingClose& p : batch) {
    pb::ClosePeriodResponse out;
    std::vector<outbox::Row> own;
    const absl::Status s =
        mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
          out.Clear();
          own.clear();
          SLA_RETURN_IF_ERROR(storage::LockFactsShared(c));
          std::vector<pb::ClosePeriodResponse> outs;
          SLA_RETURN_IF_ERROR(IssueCloses(c, {p}, now, &outs, &own));
          out = std::move(outs.front());
          return outbox::Insert(c, own);
        });
    if (!s.ok()) {
      log::Warning(
          "period close failed",
          {{"contract", p.contract}, {"period", PeriodText(p.period)}, {"error", s.ToString()}});
      continue;
    }
    if (!own.empty()) options_.on_events_written();
    closed += out.newly_closed() ? 1 : 0;
  }
  return closed;
}

absl::StatusOr<BillingManager::PendingClose> BillingManager::PrepareClose(
    const std::string& contract, const pb::BillingPeriod& requested, bool respect_grace,
    int64_t now) {
  PendingClose p;
  p.contract = contract;
  p.requested = requested;
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(contract, "contracts", "contract"));
  p.key = {parsed.first, parsed.second};
  SLA_ASSIGN_OR_RETURN(p.period, ValidPeriod(requested));
  SLA_ASSIGN_OR_RETURN(p.r, Resolve(contract, p.period));
  if (now < p.r.bounds.end) {
    return WrongState(contract, absl::StrCat("period ", PeriodText(p.period), " ends at ",
                                             absl::FormatTime(absl::RFC3339_sec,
                                                              absl::FromUnixSeconds(p.r.bounds.end),
                                                              absl::UTCTimeZone()),
                                             "; it cannot close before"));
  }
  const int64_t grace = int64_t{3600} * p.r.version.terms.credit_schedule().close_grace_hours();
  if (respect_grace && now < p.r.bounds.end + grace) {
    return WrongState(contract, "the period is within its grace time");
  }
  return p;
}

namespace {

core::Period Previous(const core::Period& p) {
  const absl::CivilMonth m = absl::CivilMonth(p.year, p.month) - 1;
  return {static_cast<int>(m.year()), m.month()};
}

}  // namespace

// One period's close, decided before anything is written.
struct BillingManager::CloseWork {
  size_t index = 0;  // in the batch
  core::PeriodComputation pc;
  core::CreditStatus status = core::CreditStatus::kIssued;
  std::vector<storage::StoredCredit> deferred;  // earlier deferred credits paid out now
  int64_t waiting_minor = 0;                    // earlier deferred credits, paid out now or not
  int64_t released_minor = 0;                   // the part of it paid out now
  int64_t note_total = 0;
  int64_t cap_cut = 0;
  std::vector<storage::StoredCredit> earlier;  // deducted (or charged) by this invoice
  core::InvoiceDraft draft;
  std::vector<outbox::Row> chronic;  // termination rights accrued
};

absl::Status BillingManager::IssueCloses(mysql::Connection& c,
                                         const std::vector<PendingClose>& batch, int64_t now,
                                         std::vector<pb::ClosePeriodResponse>* outs,
                                         std::vector<outbox::Row>* events) {
  // Every read and write below covers the whole batch in one statement each (a contract at
  // most once per batch): round trips, not arithmetic, are what closing many periods costs.
  outs->assign(batch.size(), pb::ClosePeriodResponse());
  auto load_existing = [&](size_t i) -> absl::Status {
    // Closed before (by a retry, the scheduler or another replica): the same documents.
    const PendingClose& p = batch[i];
    SLA_ASSIGN_OR_RETURN(auto inv, storage::LoadPeriodDocument(c, "INV", p.key, p.period));
    SLA_ASSIGN_OR_RETURN(auto cn, storage::LoadPeriodDocument(c, "CN", p.key, p.period));
    if (inv) (*outs)[i].mutable_invoice()->ParseFromString(*inv);
    if (cn) (*outs)[i].mutable_credit_note()->ParseFromString(*cn);
    (*outs)[i].set_newly_closed(false);
    return absl::OkStatus();
  };
  std::vector<storage::PeriodKey> probe;
  for (const PendingClose& p : batch) {
    probe.push_back({p.key, p.period});
    if (p.r.first_from < p.r.bounds.start) probe.push_back({p.key, Previous(p.period)});
  }
  SLA_ASSIGN_OR_RETURN(const std::set<std::string> closed, storage::ClosedAmong(c, probe));
  std::vector<size_t> fresh;
  for (size_t i = 0; i < batch.size(); ++i) {
    const PendingClose& p = batch[i];
    if (closed.count(storage::ClosedText({p.key, p.period})) > 0) {
      SLA_RETURN_IF_ERROR(load_existing(i));
      continue;
    }
    // Periods close in order, so that each one's credits reach the next invoice.
    if (p.r.first_from < p.r.bounds.start &&
        closed.count(storage::ClosedText({p.key, Previous(p.period)})) == 0) {
      return WrongState(p.contract, absl::StrCat("period ", PeriodText(Previous(p.period)),
                                                 " is not closed yet; periods close in order"));
    }
    fresh.push_back(i);
  }
  if (fresh.empty()) return absl::OkStatus();
  std::vector<storage::Claim> claims;
  std::vector<storage::PeriodKey> keys;
  std::vector<storage::FactsQuery> queries;
  int window = 0;
  for (size_t i : fresh) {
    const PendingClose& p = batch[i];
    claims.push_back({{p.key, p.period}, p.r.bounds, p.r.version.name, now});
    keys.push_back({p.key, p.period});
    queries.push_back({p.key, p.r.bounds.start, p.r.bounds.end});
    const auto& chronic = p.r.version.terms.credit_schedule().chronic_breach();
    if (chronic.breached_periods() > 0) window = std::max(window, chronic.window_periods());
  }
  if (absl::Status s = storage::ClaimPeriods(c, claims); !s.ok()) {
    // Claimed by another replica since we looked: alone, answer with its documents; in a
    // batch, give up so that the caller closes the others one by one.
    if (s.code() == absl::StatusCode::kAlreadyExists && batch.size() == 1) return load_existing(0);
    return s;
  }
  SLA_ASSIGN_OR_RETURN(std::vector<core::PeriodFacts> facts, storage::LoadFactsMany(c, queries));
  SLA_ASSIGN_OR_RETURN(storage::CreditsByContract deferred, storage::LockPendingDeferred(c, keys));
  SLA_ASSIGN_OR_RETURN(storage::CreditsByContract unapplied,
                       storage::LockUnappliedCredits(c, keys));
  storage::CreditsByContract recent;
  if (window > 0) {
    SLA_ASSIGN_OR_RETURN(recent, storage::RecentCredits(c, keys, window));
  }

  std::vector<CloseWork> work;
  int notes = 0;
  for (size_t f = 0; f < fresh.size(); ++f) {
    const PendingClose& p = batch[fresh[f]];
    const std::string key = storage::KeyText(p.key);
    SLA_ASSIGN_OR_RETURN(CloseWork w,
                         PlanClose(p, facts[f], deferred[key], unapplied[key], recent[key], now));
    w.index = fresh[f];
    if (w.note_total > 0 && w.status == core::CreditStatus::kIssued) ++notes;
    work.push_back(std::move(w));
  }
  SLA_RETURN_IF_ERROR(WriteCredits(c, batch, work));
  return IssueDocuments(c, batch, work, notes, now, outs, events);
}

absl::StatusOr<BillingManager::CloseWork> BillingManager::PlanClose(
    const PendingClose& p, const core::PeriodFacts& facts,
    std::vector<storage::StoredCredit> pending, std::vector<storage::StoredCredit> earlier,
    const std::vector<storage::StoredCredit>& recent, int64_t now) {
  const Resolved& r = p.r;
  CloseWork w;
  SLA_ASSIGN_OR_RETURN(w.pc, core::ComputePeriod(r.version.terms, r.version.name, p.period,
                                                 r.active_from, r.active_until, facts, now));
  const core::CreditResult& cr = w.pc.credits;
  const auto& cs = r.version.terms.credit_schedule();
  for (const storage::StoredCredit& d : pending) w.waiting_minor += d.amount_minor;
  const Settlement settled =
      SettleCredit(cr, cs, w.waiting_minor, /*last_period=*/r.active_until != 0);
  w.status = settled.status;
  w.cap_cut = settled.cap_cut_minor;
  w.released_minor = settled.released_minor;
  w.note_total = settled.note_total_minor;
  if (settled.releases_deferred) w.deferred = std::move(pending);
  std::vector<PastCredit> past;
  for (const storage::StoredCredit& h : recent)
    past.push_back({h.rule_id, h.period.year * 12 + h.period.month - 1});
  for (const TerminationRight& t : AccruedTerminationRights(
           cr, cs.chronic_breach(), p.period.year * 12 + p.period.month - 1, r.bounds.end, past)) {
    outbox::Row& ev = w.chronic.emplace_back(
        BillingEvent("termination_right.accrued", p.contract, p.key.customer_id, now));
    sla::v1::TerminationRightEventPayload& right = *ev.payload.mutable_termination_right();
    right.set_contract(p.contract);
    right.set_rule_id(t.rule_id);
    right.set_period(PeriodText(p.period));
    right.set_breached_periods(t.breached_periods);
    right.set_window_periods(t.window_periods);
    right.mutable_exercise_by()->set_seconds(t.exercise_by);
  }
  // The invoice of this period deducts the credits earned before it (and charges the debits).
  w.earlier = std::move(earlier);
  std::vector<core::Line> credit_lines;
  for (const storage::StoredCredit& e : w.earlier) {
    const std::string what =
        e.revision == 0 ? "SLA credit " : (e.amount_minor < 0 ? "SLA debit " : "SLA credit delta ");
    credit_lines.push_back({"credit", absl::StrCat(what, PeriodText(e.period), ": ", e.rule_id),
                            e.amount_minor, e.rule_id});
  }
  SLA_ASSIGN_OR_RETURN(w.draft, core::BuildInvoice(r.version.terms.pricing(), w.pc.bounds,
                                                   w.pc.active_days, credit_lines));
  return w;
}

absl::Status BillingManager::WriteCredits(mysql::Connection& c,
                                          const std::vector<PendingClose>& batch,
                                          const std::vector<CloseWork>& work) {
  // The credit rows first; the document numbers last, because the series rows they are taken
  // from stay locked until the commit and other closers wait for them.
  std::vector<storage::ContractCredit> credit_rows;
  std::vector<std::pair<storage::ContractCredit, core::Period>> applied, released;
  for (const CloseWork& w : work) {
    const PendingClose& p = batch[w.index];
    const std::string currency = p.r.version.terms.pricing().monthly_fee().currency_code();
    for (const core::CreditLine& l : w.pc.credits.lines) {
      credit_rows.push_back({p.key,
                             {p.period, l.rule_id, l.service_id, l.amount_minor, currency, w.status,
                              ToLine(l, currency).SerializeAsString()}});
    }
    for (const storage::StoredCredit& d : w.deferred) released.push_back({{p.key, d}, p.period});
    for (const storage::StoredCredit& e : w.earlier) applied.push_back({{p.key, e}, p.period});
    if (w.draft.credit_carried_minor > 0) {
      // What this invoice could not absorb waits for the next one, as a credit of this period.
      pb::DocumentLine carried;
      carried.set_description("SLA credit carried from an earlier invoice");
      *carried.mutable_amount() = Money(currency, w.draft.credit_carried_minor);
      carried.set_kind("carried");
      credit_rows.push_back({p.key,
                             {p.period, "carried", "", w.draft.credit_carried_minor, currency,
                              core::CreditStatus::kIssued, carried.SerializeAsString()}});
    }
  }
  SLA_RETURN_IF_ERROR(storage::InsertCredits(c, credit_rows));
  SLA_RETURN_IF_ERROR(storage::MarkApplied(c, applied));
  return storage::ReleaseDeferred(c, released);
}

absl::Status BillingManager::IssueDocuments(mysql::Connection& c,
                                            const std::vector<PendingClose>& batch,
                                            std::vector<CloseWork>& work, int notes, int64_t now,
                                            std::vector<pb::ClosePeriodResponse>* outs,
                                            std::vector<outbox::Row>* events) {
  // Numbers for the whole batch at once.
  int64_t next_cn = 0;
  if (notes > 0) {
    SLA_ASSIGN_OR_RETURN(next_cn, storage::ReserveNumbers(c, "CN", notes));
  }
  SLA_ASSIGN_OR_RETURN(int64_t next_inv,
                       storage::ReserveNumbers(c, "INV", static_cast<int>(work.size())));
  std::vector<storage::DocumentRow> documents;
  for (CloseWork& w : work) {
    const PendingClose& p = batch[w.index];
    pb::ClosePeriodResponse& out = (*outs)[w.index];
    if (w.note_total > 0 && w.status == core::CreditStatus::kIssued) {
      SLA_RETURN_IF_ERROR(
          IssueCreditNote(p, w, next_cn++, now, out.mutable_credit_note(), &documents, events));
    } else if (w.status != core::CreditStatus::kIssued) {
      events->push_back(HeldCreditEvent(p, w, now));
    }
    events->insert(events->end(), w.chronic.begin(), w.chronic.end());
    IssueInvoice(p, w, next_inv++, now, out.mutable_invoice(), &documents, events);
    out.set_newly_closed(true);
  }
  return storage::InsertDocuments(c, documents);
}

absl::Status BillingManager::IssueCreditNote(const PendingClose& p, const CloseWork& w, int64_t n,
                                             int64_t now, pb::CreditNote* note,
                                             std::vector<storage::DocumentRow>* documents,
                                             std::vector<outbox::Row>* events) {
  const storage::ContractKey& k = p.key;
  const std::string currency = p.r.version.terms.pricing().monthly_fee().currency_code();
  note->set_name(absl::StrCat("customers/", k.customer_id, "/creditNotes/", DocId("CN", n)));
  note->set_number(DocId("CN", n));
  note->set_contract(p.contract);
  *note->mutable_period() = p.requested;
  for (const core::CreditLine& l : w.pc.credits.lines) *note->add_lines() = ToLine(l, currency);
  for (const storage::StoredCredit& d : w.deferred) {
    pb::DocumentLine* line = note->add_lines();
    if (!line->ParseFromString(d.line)) return absl::DataLossError("unreadable deferred credit");
    line->set_description(
        absl::StrCat(line->description(), ", deferred from ", PeriodText(d.period)));
    *line->mutable_amount() = Money(currency, d.amount_minor);
  }
  *note->mutable_total() = Money(currency, w.note_total);
  note->mutable_issue_time()->set_seconds(now);
  note->set_terms_version(p.r.version.name);
  documents->push_back({"CN", n, k, p.period, note->SerializeAsString(), now});
  sla::v1::CreditEventPayload& credit =
      *events
           ->emplace_back(CreditEvent("credit_note.issued", note->name(), k.customer_id, p.contract,
                                      p.period, currency, now))
           .payload.mutable_credit();
  credit.set_credit_note(note->name());
  credit.set_total_minor(w.note_total);
  credit.set_released_deferred_minor(w.released_minor);
  credit.set_cap_cut_minor(w.cap_cut);
  return absl::OkStatus();
}

outbox::Row BillingManager::HeldCreditEvent(const PendingClose& p, const CloseWork& w,
                                            int64_t now) {
  const bool held = w.status == core::CreditStatus::kDeferred;
  outbox::Row ev = CreditEvent(held ? "credit.deferred" : "credit.dropped", p.contract,
                               p.key.customer_id, p.contract, p.period,
                               p.r.version.terms.pricing().monthly_fee().currency_code(), now);
  sla::v1::CreditEventPayload& credit = *ev.payload.mutable_credit();
  credit.set_total_minor(w.pc.credits.total_minor);
  credit.set_deferred_before_minor(held ? w.waiting_minor : 0);
  credit.set_cap_cut_minor(w.cap_cut);
  return ev;
}

void BillingManager::IssueInvoice(const PendingClose& p, const CloseWork& w, int64_t n, int64_t now,
                                  pb::Invoice* inv, std::vector<storage::DocumentRow>* documents,
                                  std::vector<outbox::Row>* events) {
  const storage::ContractKey& k = p.key;
  const std::string currency = p.r.version.terms.pricing().monthly_fee().currency_code();
  inv->set_name(absl::StrCat("customers/", k.customer_id, "/invoices/", DocId("INV", n)));
  inv->set_number(DocId("INV", n));
  inv->set_contract(p.contract);
  *inv->mutable_period() = p.requested;
  for (const core::Line& l : w.draft.lines) {
    pb::DocumentLine* d = inv->add_lines();
    d->set_description(l.description);
    *d->mutable_amount() = Money(currency, l.amount_minor);
    d->set_rule_id(l.rule_id);
    d->set_kind(l.kind);
  }
  *inv->mutable_total() = Money(currency, w.draft.total_minor);
  *inv->mutable_credit_carried() = Money(currency, w.draft.credit_carried_minor);
  inv->mutable_issue_time()->set_seconds(now);
  inv->set_terms_version(p.r.version.name);
  documents->push_back({"INV", n, k, p.period, inv->SerializeAsString(), now});
  sla::v1::InvoiceEventPayload& invoice =
      *events->emplace_back(BillingEvent("invoice.issued", inv->name(), k.customer_id, now))
           .payload.mutable_invoice();
  invoice.set_invoice(inv->name());
  invoice.set_contract(p.contract);
  invoice.set_period(PeriodText(p.period));
  invoice.set_currency(currency);
  invoice.set_total_minor(w.draft.total_minor);
}

absl::StatusOr<int> BillingManager::ReviseStalePeriods() {
  int changed = 0;
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  std::vector<storage::StalePeriod> stale;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(stale, storage::StalePeriods(c, 1000));
    return absl::OkStatus();
  }));
  for (const storage::StalePeriod& s : stale) {
    absl::StatusOr<bool> r = Revise(s.key, s.period, now);
    if (!r.ok()) {
      log::Warning("period revision failed",
                   {{"contract", absl::StrCat("customers/", s.key.customer_id, "/contracts/",
                                              s.key.contract_id)},
                    {"period", PeriodText(s.period)},
                    {"error", r.status().ToString()}});
      continue;
    }
    changed += *r ? 1 : 0;
  }
  return changed;
}

namespace {

// The credit rows of revision `revision` of `period` (the signed changes) and the lines of its
// note (as the customer reads them: a debit note shows what is owed back as positive).
std::vector<storage::ContractCredit> RevisionRows(const storage::ContractKey& k,
                                                  const core::Period& period,
                                                  const std::string& currency, const Adjustment& a,
                                                  int revision, pb::CreditNote* note) {
  const bool debit = a.total_minor < 0;
  std::vector<storage::ContractCredit> rows;
  for (const DeltaLine& d : a.lines) {
    pb::DocumentLine line;
    line.set_description(absl::StrCat(
        "SLA credit ", d.amount_minor < 0 ? "reduced" : "increased", ": ", d.rule_id,
        d.subject.empty() ? "" : " (" + d.subject + ")", " (late data, revision ", revision, ")"));
    *line.mutable_amount() = Money(currency, debit ? -d.amount_minor : d.amount_minor);
    line.set_rule_id(d.rule_id);
    line.set_kind(d.kind);
    for (const std::string& e : d.explanation) line.add_explanation(e);
    *note->add_lines() = line;
    // The row holds the signed change; the invoice after it applies it.
    *line.mutable_amount() = Money(currency, d.amount_minor);
    storage::StoredCredit row{
        period, d.rule_id, d.subject, d.amount_minor, currency, a.status, line.SerializeAsString()};
    row.revision = revision;
    rows.push_back({k, std::move(row)});
  }
  return rows;
}

// The event of a revision whose credits stay deferred or dropped (no document).
outbox::Row RevisedCreditEvent(const storage::ContractKey& k, const std::string& contract,
                               const core::Period& period, const std::string& currency,
                               const Adjustment& a, int revision, int64_t now) {
  outbox::Row ev =
      CreditEvent("credit.revised", contract, k.customer_id, contract, period, currency, now);
  sla::v1::CreditEventPayload& credit = *ev.payload.mutable_credit();
  credit.set_delta_minor(a.total_minor);
  credit.set_status(a.status == core::CreditStatus::kDeferred ? "deferred" : "dropped");
  credit.set_revision(revision);
  return ev;
}

// Numbers and writes the credit (or debit) note of an issued revision, with its event.
absl::Status IssueRevisionNote(mysql::Connection& c, const storage::ContractKey& k,
                               const std::string& contract, const core::Period& period,
                               const std::string& currency, const std::string& terms_version,
                               const Adjustment& a, int revision, int64_t now, pb::CreditNote& note,
                               std::vector<outbox::Row>& events) {
  const bool debit = a.total_minor < 0;
  const std::string series = debit ? "DN" : "CN";
  SLA_ASSIGN_OR_RETURN(const int64_t n, storage::ReserveNumbers(c, series, 1));
  note.set_name(absl::StrCat("customers/", k.customer_id, "/creditNotes/", DocId(series, n)));
  note.set_number(DocId(series, n));
  note.set_contract(contract);
  note.mutable_period()->set_year(period.year);
  note.mutable_period()->set_month(period.month);
  *note.mutable_total() = Money(currency, debit ? -a.total_minor : a.total_minor);
  note.mutable_issue_time()->set_seconds(now);
  note.set_terms_version(terms_version);
  note.set_revision(revision);
  note.set_debit(debit);
  SLA_RETURN_IF_ERROR(storage::InsertDocuments(
      c, {{series, n, k, period, note.SerializeAsString(), now, revision}}));
  sla::v1::CreditEventPayload& credit =
      *events
           .emplace_back(CreditEvent(debit ? "debit_note.issued" : "credit_note.issued",
                                     note.name(), k.customer_id, contract, period, currency, now))
           .payload.mutable_credit();
  (debit ? credit.mutable_debit_note() : credit.mutable_credit_note())->assign(note.name());
  credit.set_total_minor(note.total().amount_minor());
  credit.set_revision(revision);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> BillingManager::Revise(const storage::ContractKey& k,
                                            const core::Period& period, int64_t now) {
  const std::string contract =
      absl::StrCat("customers/", k.customer_id, "/contracts/", k.contract_id);
  // A past instant's version never changes (amendments take effect later), so this is the
  // version the period closed under.
  SLA_ASSIGN_OR_RETURN(Resolved r, Resolve(contract, period));
  const std::string currency = r.version.terms.pricing().monthly_fee().currency_code();
  bool changed = false;
  std::vector<outbox::Row> events;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
    changed = false;
    events.clear();
    SLA_RETURN_IF_ERROR(storage::LockFactsShared(c));
    SLA_ASSIGN_OR_RETURN(std::optional<storage::ClosedPeriod> closed,
                         storage::LockClosedPeriod(c, k, period));
    if (!closed || !closed->stale) return absl::OkStatus();  // another replica did it
    SLA_ASSIGN_OR_RETURN(core::PeriodFacts facts,
                         storage::LoadFacts(c, k, r.bounds.start, r.bounds.end));
    SLA_ASSIGN_OR_RETURN(core::PeriodComputation pc,
                         core::ComputePeriod(r.version.terms, r.version.name, period, r.active_from,
                                             r.active_until, facts, now));
    SLA_ASSIGN_OR_RETURN(std::vector<RecordedCredit> recorded,
                         storage::RecordedCredits(c, k, period));
    const Adjustment a = ComputeAdjustment(pc.credits, recorded);
    if (a.lines.empty()) return storage::FinishRevision(c, k, period, closed->revision);
    const int revision = closed->revision + 1;
    pb::CreditNote note;
    SLA_RETURN_IF_ERROR(
        storage::InsertCredits(c, RevisionRows(k, period, currency, a, revision, &note)));
    changed = true;
    if (a.status == core::CreditStatus::kIssued) {
      SLA_RETURN_IF_ERROR(IssueRevisionNote(c, k, contract, period, currency, r.version.name, a,
                                            revision, now, note, events));
    } else {
      events.push_back(RevisedCreditEvent(k, contract, period, currency, a, revision, now));
    }
    SLA_RETURN_IF_ERROR(storage::FinishRevision(c, k, period, revision));
    return outbox::Insert(c, events);
  }));
  if (!events.empty()) options_.on_events_written();
  return changed;
}

}  // namespace sla::billing
