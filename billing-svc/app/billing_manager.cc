#include "billing-svc/app/billing_manager.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "billing-svc/storage/billing_store.h"
#include "common/api/list_request.h"
#include "common/api/resource_name.h"
#include "common/outbox/consumer_cursor.h"
#include "common/server/access.h"
#include "common/log/json.h"
#include "common/outbox/outbox.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace sla::billing {
namespace {

using server::Identity;
namespace tpb = sla::ticket::v1;

constexpr char kTicketSource[] = "ticket-svc";

using server::IsCustomerRole;
using server::ReadsAllCustomers;

absl::Status CanRead(const Identity& who, const std::string& customer, const std::string& name) {
  return server::RequireReadAccess(who, customer, name, "billing documents");
}

absl::StatusOr<Period> ValidPeriod(const pb::BillingPeriod& p) {
  if (p.year() < 2000 || p.year() > 9999 || p.month() < 1 || p.month() > 12) {
    return InvalidField("period", "must be a month: year 2000..9999, month 1..12");
  }
  return Period{p.year(), p.month()};
}

std::string PeriodText(const Period& p) { return absl::StrFormat("%04d-%02d", p.year, p.month); }
std::string DocId(const std::string& series, int64_t number) {
  return absl::StrFormat("%s-%06d", series, number);
}

absl::StatusOr<std::pair<std::string, int64_t>> ParseDocId(absl::string_view id) {
  const size_t dash = id.find('-');
  int64_t n = 0;
  if (dash == absl::string_view::npos || !absl::SimpleAtoi(id.substr(dash + 1), &n) || n <= 0) {
    return InvalidField("name", "has no document number");
  }
  return std::make_pair(std::string(id.substr(0, dash)), n);
}

sla::v1::Money Money(const std::string& currency, int64_t minor) {
  sla::v1::Money m;
  m.set_currency_code(currency);
  m.set_amount_minor(minor);
  return m;
}

pb::DocumentLine ToLine(const CreditLine& l, const std::string& currency) {
  pb::DocumentLine d;
  d.set_description(absl::StrCat("SLA credit: ", l.rule_id, l.service_id.empty() ? "" : " (" + l.service_id + ")"));
  *d.mutable_amount() = Money(currency, l.amount_minor);
  d.set_rule_id(l.rule_id);
  d.set_kind(l.kind);
  for (const std::string& e : l.explanation) d.add_explanation(e);
  return d;
}

std::string Json(std::initializer_list<std::pair<const char*, std::string>> fields) {
  log::JsonObject out;
  for (const auto& [k, v] : fields) out.Str(k, v);
  return out.Done();
}

}  // namespace

struct BillingManager::Resolved {
  clients::ResolvedVersion version;
  PeriodBounds bounds;
  int64_t active_from = 0;
};

BillingManager::BillingManager(mysql::ConnectionPool* pool, clients::TermsSource* terms,
                               EventSource* events, BillingOptions options)
    : pool_(pool), terms_(terms), events_(events), options_(std::move(options)) {}

absl::StatusOr<int> BillingManager::ConsumeOnce() {
  int applied = 0;
  google::protobuf::util::JsonParseOptions json;
  json.ignore_unknown_fields = true;
  for (;;) {
    int64_t cursor = 0;
    SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(cursor, outbox::GetCursor(c, kTicketSource, false));
      return absl::OkStatus();
    }));
    SLA_ASSIGN_OR_RETURN(std::vector<tpb::Event> events, events_->List(cursor, 500));
    if (events.empty()) return applied;
    int batch = 0;
    SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
      batch = 0;
      // Another replica may have applied some of them meanwhile: the locked cursor decides.
      SLA_ASSIGN_OR_RETURN(const int64_t locked, outbox::GetCursor(c, kTicketSource, true));
      int64_t last = locked;
      for (const tpb::Event& e : events) {
        if (e.sequence() <= last) continue;
        if (e.type() == "clock.breached") {
          tpb::ClockBreachedPayload p;
          if (!google::protobuf::util::JsonStringToMessage(e.payload_json(), &p, json).ok()) {
            return absl::DataLossError(absl::StrCat("event ", e.sequence(), ": unreadable payload"));
          }
          SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(p.contract(), "contracts", "contract"));
          SLA_RETURN_IF_ERROR(storage::InsertBreach(
              c, {k.first, k.second}, {p.ticket(), p.clock(), p.priority(), p.breach_time().seconds()},
              p.cycle()));
        } else if (e.type() == "outage.opened" || e.type() == "outage.closed") {
          tpb::OutagePayload p;
          if (!google::protobuf::util::JsonStringToMessage(e.payload_json(), &p, json).ok()) {
            return absl::DataLossError(absl::StrCat("event ", e.sequence(), ": unreadable payload"));
          }
          SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(p.contract(), "contracts", "contract"));
          SLA_RETURN_IF_ERROR(storage::UpsertOutage(
              c, {k.first, k.second},
              {p.outage(), p.service_id(), p.start_time().seconds(),
               p.has_end_time() ? p.end_time().seconds() : 0, p.planned(), p.exclusion_id()}));
        }
        last = e.sequence();
        ++batch;
      }
      return outbox::SetCursor(c, kTicketSource, last);
    }));
    applied += batch;
  }
}

absl::StatusOr<BillingManager::Resolved> BillingManager::Resolve(const std::string& contract,
                                                                 const Period& p) {
  // The zone comes from the terms: resolve mid-month (UTC) to learn it, then at the period's
  // last second for the version the period is billed under.
  Resolved r;
  const absl::Time mid = absl::FromCivil(absl::CivilDay(p.year, p.month, 15), absl::UTCTimeZone());
  absl::StatusOr<clients::ResolvedVersion> probe = terms_->Resolve(contract, mid);
  if (!probe.ok()) {
    // Not in force mid-month (started late in it): try the month's end.
    probe = terms_->Resolve(contract, absl::FromCivil(absl::CivilDay(p.year, p.month, 1) + 31, absl::UTCTimeZone()) -
                                          absl::Hours(24 * 3));
  }
  if (!probe.ok()) {
    if (probe.status().code() == absl::StatusCode::kFailedPrecondition ||
        probe.status().code() == absl::StatusCode::kNotFound) {
      // No version in force in the month: the contract has no such billing period.
      return absl::NotFoundError(absl::StrCat("`", contract, "` has no terms in force in ", PeriodText(p)));
    }
    return probe.status();
  }
  SLA_ASSIGN_OR_RETURN(r.bounds, Bounds(p, probe->terms.pricing().billing_time_zone()));
  SLA_ASSIGN_OR_RETURN(r.version, terms_->Resolve(contract, absl::FromUnixSeconds(r.bounds.end - 1)));
  absl::StatusOr<clients::ResolvedVersion> at_start =
      terms_->Resolve(contract, absl::FromUnixSeconds(r.bounds.start));
  if (!at_start.ok()) {
    // contract-svc answers FAILED_PRECONDITION ("no terms in force") before the start.
    if (at_start.status().code() != absl::StatusCode::kFailedPrecondition &&
        at_start.status().code() != absl::StatusCode::kNotFound) {
      return at_start.status();
    }
    r.active_from = absl::ToUnixSeconds(r.version.effective_from);  // started within the period
  }
  return r;
}

absl::StatusOr<pb::PreviewCreditsResponse> BillingManager::Preview(const Identity& who,
                                                                   const pb::PreviewCreditsRequest& req) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(req.contract(), "contracts", "contract"));
  SLA_RETURN_IF_ERROR(CanRead(who, k.first, req.contract()));
  SLA_ASSIGN_OR_RETURN(const Period period, ValidPeriod(req.period()));
  SLA_ASSIGN_OR_RETURN(Resolved r, Resolve(req.contract(), period));
  PeriodFacts facts;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(facts, storage::LoadFacts(c, {k.first, k.second}, r.bounds.start, r.bounds.end));
    return absl::OkStatus();
  }));
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  SLA_ASSIGN_OR_RETURN(PeriodComputation pc, ComputePeriod(r.version.terms, r.version.name, period,
                                                           r.active_from, 0, facts, now));
  pb::PreviewCreditsResponse out;
  for (const CreditLine& l : pc.credits.lines) *out.add_credits() = ToLine(l, pc.credits.currency);
  *out.mutable_total() = Money(pc.credits.currency, pc.credits.total_minor);
  for (const ServiceFigure& f : pc.availability) {
    pb::ServiceAvailability* a = out.add_availability();
    a->set_service_id(f.service_id);
    a->set_period_minutes(f.availability.period_minutes);
    a->set_maintenance_minutes(f.availability.maintenance_minutes);
    a->set_eligible_minutes(f.availability.eligible_minutes);
    a->set_downtime_minutes(f.availability.downtime_minutes);
    a->set_availability_ppm(
        static_cast<int64_t>((f.availability.ratio() * Rational(1'000'000)).Floor()));
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
  return CloseContractPeriod(req.contract(), req.period(), /*respect_grace=*/false);
}

absl::StatusOr<int> BillingManager::CloseDuePeriods(clients::ContractDirectory& contracts) {
  // Never close on stale facts: catch up with ticket-svc first, or close nothing this pass.
  absl::MutexLock lock(&scheduler_mu_);
  SLA_RETURN_IF_ERROR(ConsumeOnce().status());
  SLA_ASSIGN_OR_RETURN(std::vector<std::string> names, contracts.ActiveContracts());
  const absl::CivilMonth this_month =
      absl::CivilMonth(absl::ToCivilSecond(options_.clock(), absl::UTCTimeZone()));
  int closed = 0;
  for (const std::string& name : names) {
    // Months before this one (in UTC; the zone and grace are checked by the close itself),
    // oldest first so that each credit lands on the next period's invoice, and as far back as
    // kCatchUpMonths, so that a billing-svc that was down for months closes them all. A closed
    // month costs one indexed read; months before the contract's first terms are remembered.
    absl::CivilMonth oldest = this_month - kCatchUpMonths;
    if (auto known = months_without_terms_.find(name); known != months_without_terms_.end()) {
      oldest = std::max(oldest, known->second + 1);
    }
    for (absl::CivilMonth m = oldest; m < this_month; ++m) {
      pb::BillingPeriod p;
      p.set_year(static_cast<int>(m.year()));
      p.set_month(m.month());
      absl::StatusOr<pb::ClosePeriodResponse> r = CloseContractPeriod(name, p, /*respect_grace=*/true);
      if (r.ok()) {
        closed += r->newly_closed() ? 1 : 0;
      } else if (r.status().code() == absl::StatusCode::kNotFound) {
        months_without_terms_[name] = m;  // no terms in force: nothing to bill up to here
      } else if (r.status().code() != absl::StatusCode::kFailedPrecondition) {
        log::Warning("period close failed", {{"contract", name}, {"error", r.status().ToString()}});
      }
    }
  }
  return closed;
}

absl::StatusOr<pb::ClosePeriodResponse> BillingManager::CloseContractPeriod(
    const std::string& contract, const pb::BillingPeriod& requested, bool respect_grace) {
  pb::ClosePeriodRequest req;
  req.set_contract(contract);
  *req.mutable_period() = requested;
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(req.contract(), "contracts", "contract"));
  const storage::ContractKey k{parsed.first, parsed.second};
  SLA_ASSIGN_OR_RETURN(const Period period, ValidPeriod(req.period()));
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  if (respect_grace) {
    // The scheduler asks again and again: a closed period costs one indexed read, not a call
    // to contract-svc.
    bool closed = false;
    SLA_RETURN_IF_ERROR(mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(closed, storage::IsClosed(c, k, period));
      return absl::OkStatus();
    }));
    if (closed) return pb::ClosePeriodResponse();
  }
  SLA_ASSIGN_OR_RETURN(Resolved r, Resolve(req.contract(), period));
  if (now < r.bounds.end) {
    return WrongState(req.contract(), absl::StrCat("period ", PeriodText(period), " ends at ",
                                                   absl::FormatTime(absl::RFC3339_sec,
                                                                    absl::FromUnixSeconds(r.bounds.end),
                                                                    absl::UTCTimeZone()),
                                                   "; it cannot close before"));
  }
  const int64_t grace = int64_t{3600} * r.version.terms.credit_schedule().close_grace_hours();
  if (respect_grace && now < r.bounds.end + grace) {
    return WrongState(req.contract(), "the period is within its grace time");
  }
  const std::string currency = r.version.terms.pricing().monthly_fee().currency_code();
  pb::ClosePeriodResponse out;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
    out.Clear();
    SLA_ASSIGN_OR_RETURN(const bool claimed, storage::ClaimPeriod(c, k, period, r.version.name, now));
    if (!claimed) {
      // Closed before (by a retry, the scheduler or another replica): the same documents.
      SLA_ASSIGN_OR_RETURN(auto inv, storage::LoadPeriodDocument(c, "INV", k, period));
      SLA_ASSIGN_OR_RETURN(auto cn, storage::LoadPeriodDocument(c, "CN", k, period));
      if (inv) out.mutable_invoice()->ParseFromString(*inv);
      if (cn) out.mutable_credit_note()->ParseFromString(*cn);
      out.set_newly_closed(false);
      return absl::OkStatus();
    }
    SLA_ASSIGN_OR_RETURN(PeriodFacts facts, storage::LoadFacts(c, k, r.bounds.start, r.bounds.end));
    SLA_ASSIGN_OR_RETURN(PeriodComputation pc, ComputePeriod(r.version.terms, r.version.name, period,
                                                             r.active_from, 0, facts, now));
    std::vector<outbox::Row> events;
    const CreditResult& cr = pc.credits;
    // What the caps took away, for reports: the exact credit before caps, rounded once, less
    // the credit computed.
    Rational exact_total;
    for (const CreditLine& l : cr.lines) exact_total = exact_total + l.exact;
    const int64_t cap_cut = std::max<int64_t>(0, exact_total.Round(money::Rounding::kHalfUp) - cr.total_minor);
    const storage::CreditStatus status = !cr.below_minimum ? storage::CreditStatus::kIssued
                                         : cr.deferred     ? storage::CreditStatus::kDeferred
                                                           : storage::CreditStatus::kDropped;
    for (const CreditLine& l : cr.lines) {
      SLA_RETURN_IF_ERROR(storage::InsertCredit(
          c, k, {period, l.rule_id, l.service_id, l.amount_minor, currency, status,
                 ToLine(l, currency).SerializeAsString()}));
    }
    if (cr.total_minor > 0 && status == storage::CreditStatus::kIssued) {
      SLA_ASSIGN_OR_RETURN(const int64_t n, storage::NextNumber(c, "CN"));
      pb::CreditNote* note = out.mutable_credit_note();
      note->set_name(absl::StrCat("customers/", k.customer_id, "/creditNotes/", DocId("CN", n)));
      note->set_number(DocId("CN", n));
      note->set_contract(req.contract());
      *note->mutable_period() = req.period();
      for (const CreditLine& l : cr.lines) *note->add_lines() = ToLine(l, currency);
      *note->mutable_total() = Money(currency, cr.total_minor);
      note->mutable_issue_time()->set_seconds(now);
      note->set_terms_version(r.version.name);
      SLA_RETURN_IF_ERROR(storage::InsertDocument(c, "CN", n, k, period, note->SerializeAsString(), now));
      events.push_back({"credit_note.issued", note->name(), k.customer_id, now,
                        Json({{"credit_note", note->name()}, {"contract", req.contract()},
                              {"period", PeriodText(period)}, {"currency", currency},
                              {"total_minor", absl::StrCat(cr.total_minor)},
                              {"cap_cut_minor", absl::StrCat(cap_cut)}})});
    } else if (cr.below_minimum) {
      events.push_back({cr.deferred ? "credit.deferred" : "credit.dropped", req.contract(), k.customer_id,
                        now, Json({{"contract", req.contract()}, {"period", PeriodText(period)},
                                   {"currency", currency}, {"total_minor", absl::StrCat(cr.total_minor)},
                                   {"cap_cut_minor", absl::StrCat(cap_cut)}})});
    }
    // Chronic breach: the same rule missed in k of the last M periods (this one included).
    const auto& chronic = r.version.terms.credit_schedule().chronic_breach();
    if (chronic.breached_periods() > 0 && chronic.window_periods() > 0) {
      std::set<std::string> rules;
      for (const CreditLine& l : cr.lines) rules.insert(l.rule_id);
      const int index = period.year * 12 + period.month - 1;
      const int first = index - chronic.window_periods() + 1;
      for (const std::string& rule : rules) {
        SLA_ASSIGN_OR_RETURN(std::vector<Period> hits,
                             storage::RulePeriods(c, k, rule, {first / 12, first % 12 + 1}, period));
        std::vector<bool> flags(chronic.window_periods(), false);
        for (const Period& h : hits) flags[h.year * 12 + h.month - 1 - first] = true;
        if (!ChronicBreachAccrued(flags, chronic)) continue;
        const int64_t deadline = r.bounds.end + int64_t{86400} * chronic.exercise_within_days();
        events.push_back({"termination_right.accrued", req.contract(), k.customer_id, now,
                          Json({{"contract", req.contract()}, {"rule_id", rule},
                                {"period", PeriodText(period)},
                                {"breached_periods", absl::StrCat(hits.size())},
                                {"window_periods", absl::StrCat(chronic.window_periods())},
                                {"exercise_by", absl::FormatTime(absl::RFC3339_sec,
                                                                 absl::FromUnixSeconds(deadline),
                                                                 absl::UTCTimeZone())}})});
      }
    }
    // The invoice of this period deducts the credits earned before it.
    SLA_ASSIGN_OR_RETURN(std::vector<storage::StoredCredit> earlier, storage::LockUnappliedCredits(c, k, period));
    std::vector<Line> credit_lines;
    for (const storage::StoredCredit& e : earlier) {
      credit_lines.push_back({"credit", absl::StrCat("SLA credit ", PeriodText(e.period), ": ", e.rule_id),
                              e.amount_minor, e.rule_id});
    }
    SLA_ASSIGN_OR_RETURN(InvoiceDraft draft, BuildInvoice(r.version.terms.pricing(), pc.bounds,
                                                          pc.active_days, credit_lines));
    SLA_RETURN_IF_ERROR(storage::MarkApplied(c, k, earlier, period));
    if (draft.credit_carried_minor > 0) {
      // What this invoice could not absorb waits for the next one, as a credit of this period.
      pb::DocumentLine carried;
      carried.set_description("SLA credit carried from an earlier invoice");
      *carried.mutable_amount() = Money(currency, draft.credit_carried_minor);
      carried.set_kind("carried");
      SLA_RETURN_IF_ERROR(storage::InsertCredit(
          c, k, {period, "carried", "", draft.credit_carried_minor, currency, storage::CreditStatus::kIssued,
                 carried.SerializeAsString()}));
    }
    SLA_ASSIGN_OR_RETURN(const int64_t n, storage::NextNumber(c, "INV"));
    pb::Invoice* inv = out.mutable_invoice();
    inv->set_name(absl::StrCat("customers/", k.customer_id, "/invoices/", DocId("INV", n)));
    inv->set_number(DocId("INV", n));
    inv->set_contract(req.contract());
    *inv->mutable_period() = req.period();
    for (const Line& l : draft.lines) {
      pb::DocumentLine* d = inv->add_lines();
      d->set_description(l.description);
      *d->mutable_amount() = Money(currency, l.amount_minor);
      d->set_rule_id(l.rule_id);
      d->set_kind(l.kind);
    }
    *inv->mutable_total() = Money(currency, draft.total_minor);
    *inv->mutable_credit_carried() = Money(currency, draft.credit_carried_minor);
    inv->mutable_issue_time()->set_seconds(now);
    inv->set_terms_version(r.version.name);
    SLA_RETURN_IF_ERROR(storage::InsertDocument(c, "INV", n, k, period, inv->SerializeAsString(), now));
    events.push_back({"invoice.issued", inv->name(), k.customer_id, now,
                      Json({{"invoice", inv->name()}, {"contract", req.contract()},
                            {"period", PeriodText(period)}, {"currency", currency},
                            {"total_minor", absl::StrCat(draft.total_minor)}})});
    out.set_newly_closed(true);
    return outbox::Insert(c, events);
  }));
  if (out.newly_closed()) options_.on_events_written();
  return out;
}

namespace {

template <typename Doc>
absl::StatusOr<Doc> GetDoc(mysql::ConnectionPool& pool, const Identity& who, const std::string& name,
                           const char* collection, const char* series) {
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(name, collection, "name"));
  SLA_RETURN_IF_ERROR(CanRead(who, parsed.first, name));
  SLA_ASSIGN_OR_RETURN(auto id, ParseDocId(parsed.second));
  if (id.first != series) return NotFound(name);
  std::optional<std::pair<std::string, std::string>> row;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(row, storage::LoadDocument(c, series, id.second));
    return absl::OkStatus();
  }));
  if (!row || row->first != parsed.first) return NotFound(name);
  Doc out;
  if (!out.ParseFromString(row->second)) return absl::DataLossError("unreadable document");
  return out;
}

template <typename Doc, typename Response>
absl::Status ListDocs(mysql::ConnectionPool& pool, const Identity& who, const std::string& parent,
                      int page_size_in, const std::string& token, const std::string& filter,
                      const char* series, google::protobuf::RepeatedPtrField<Doc>* docs, Response* out) {
  SLA_ASSIGN_OR_RETURN(std::string customer, api::ParseCustomerParent(parent, /*allow_all=*/true));
  if (!ReadsAllCustomers(who)) {
    if (!IsCustomerRole(who)) return PermissionDenied("no role that reads billing documents");
    if (!customer.empty() && customer != who.tenant) return NotFound(parent);
    customer = who.tenant;
  }
  SLA_ASSIGN_OR_RETURN(const int page_size, api::PageSize(page_size_in));
  SLA_ASSIGN_OR_RETURN(std::vector<api::Restriction> restrictions, api::ParseFilter(filter));
  SLA_ASSIGN_OR_RETURN(const std::string after, api::DecodePageToken(token, filter));
  storage::DocumentQuery q;
  q.series = series;
  q.customer_id = customer;
  q.limit = page_size + 1;
  if (!after.empty() && !absl::SimpleAtoi(after, &q.after_number)) return InvalidField("page_token", "is malformed");
  for (const api::Restriction& r : restrictions) {
    const std::string field = absl::StrCat("filter.", r.field);
    if (r.op != '=') return InvalidField(field, "supports only `=`");
    if (r.field == "contract") {
      SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(r.value, "contracts", field));
      q.contract_id = k.second;
    } else if (r.field == "period") {
      int y = 0, m = 0;
      std::vector<absl::string_view> ym = absl::StrSplit(r.value, '-');
      if (ym.size() != 2 || !absl::SimpleAtoi(ym[0], &y) || !absl::SimpleAtoi(ym[1], &m) || m < 1 || m > 12) {
        return InvalidField(field, "must be YYYY-MM");
      }
      q.period = Period{y, m};
    } else {
      return InvalidField(field, "unknown field (contract, period)");
    }
  }
  std::vector<storage::StoredDocument> rows;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(rows, storage::ListDocuments(c, q));
    return absl::OkStatus();
  }));
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < page_size; ++i) {
    if (!docs->Add()->ParseFromString(rows[i].body)) return absl::DataLossError("unreadable document");
  }
  if (static_cast<int>(rows.size()) > page_size) {
    out->set_next_page_token(api::EncodePageToken(absl::StrCat(rows[page_size - 1].number), filter));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<pb::Invoice> BillingManager::GetInvoice(const Identity& who, const std::string& name) {
  return GetDoc<pb::Invoice>(*pool_, who, name, "invoices", "INV");
}

absl::StatusOr<pb::CreditNote> BillingManager::GetCreditNote(const Identity& who, const std::string& name) {
  return GetDoc<pb::CreditNote>(*pool_, who, name, "creditNotes", "CN");
}

absl::StatusOr<pb::ListInvoicesResponse> BillingManager::ListInvoices(const Identity& who,
                                                                      const pb::ListInvoicesRequest& req) {
  pb::ListInvoicesResponse out;
  SLA_RETURN_IF_ERROR(ListDocs(*pool_, who, req.parent(), req.page_size(), req.page_token(), req.filter(),
                               "INV", out.mutable_invoices(), &out));
  return out;
}

absl::StatusOr<pb::ListCreditNotesResponse> BillingManager::ListCreditNotes(
    const Identity& who, const pb::ListCreditNotesRequest& req) {
  pb::ListCreditNotesResponse out;
  SLA_RETURN_IF_ERROR(ListDocs(*pool_, who, req.parent(), req.page_size(), req.page_token(), req.filter(),
                               "CN", out.mutable_credit_notes(), &out));
  return out;
}

}  // namespace sla::billing
