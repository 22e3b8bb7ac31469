#include "reporting-svc/app/report_manager.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/api/resource_name.h"
#include "common/core/period.h"
#include "common/log/log.h"
#include "common/outbox/permanent.h"
#include "common/outbox/position.h"
#include "common/server/access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/app/report_schedule.h"
#include "reporting-svc/app/what_if.h"
#include "reporting-svc/domain/render.h"

namespace sla::reporting {
namespace {

using server::Identity;

bool IsMsp(const Identity& who) { return who.HasAnyRole({"msp_admin", "msp_agent", "service"}); }

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
absl::StatusOr<QueryScope> ScopeFor(const Identity& who, const Scope& s, const std::string& name) {
  SLA_ASSIGN_OR_RETURN(server::CustomerScope customers,
                       server::CustomerScope::ForCaller(who, s.customer_id, name, "reports"));
  if (s.contract_id.empty()) return QueryScope::Customers(std::move(customers));
  return QueryScope::Contract(std::move(customers), s.contract_id);
}

// A contract report's availability, this period's and along its trend, on this report's
// targets (outages are few).
absl::Status AddAvailability(ReportingTx& tx, const QueryScope& scope, const TermsInfo& terms,
                             int period, const core::PeriodBounds& bounds, int64_t now,
                             v1::Report& r) {
  SLA_ASSIGN_OR_RETURN(std::vector<OutageRow> outages,
                       tx.LoadOutages(scope, bounds.start, bounds.end));
  SLA_ASSIGN_OR_RETURN(
      auto availability,
      AvailabilityFigures(terms.terms, terms.version, period / 12, period % 12 + 1, outages, now));
  for (auto& a : availability) *r.add_availability() = std::move(a);
  for (v1::TrendPoint& point : *r.mutable_trend()) {
    SLA_ASSIGN_OR_RETURN(const int p, ParsePeriod(point.period(), "trend.period"));
    SLA_ASSIGN_OR_RETURN(core::PeriodBounds b, core::Bounds({p / 12, p % 12 + 1}, r.time_zone()));
    SLA_ASSIGN_OR_RETURN(std::vector<OutageRow> past, tx.LoadOutages(scope, b.start, b.end));
    SLA_ASSIGN_OR_RETURN(auto figures, AvailabilityFigures(terms.terms, terms.version, p / 12,
                                                           p % 12 + 1, past, std::min(now, b.end)));
    if (figures.empty()) continue;
    point.set_availability_ppm(1'000'000);
    point.set_availability_met(true);
    for (const auto& f : figures) {
      point.set_availability_ppm(std::min(point.availability_ppm(), f.actual_ppm()));
      point.set_availability_met(point.availability_met() && f.met());
    }
  }
  return absl::OkStatus();
}

// The period's figures of every report: tickets by priority, breaches, escalations, credits and
// the trend of the twelve periods up to it.
absl::Status AddFigures(ReportingTx& tx, const QueryScope& scope, int period, int breaches_listed,
                        v1::Report& r) {
  SLA_ASSIGN_OR_RETURN(std::vector<TicketFigures> rows, tx.LoadTicketFigures(scope, period));
  Aggregate(rows, r.mutable_priorities(), r.mutable_total());
  SLA_ASSIGN_OR_RETURN(auto breaches, tx.LoadBreaches(scope, period, breaches_listed));
  for (auto& b : breaches.first) *r.add_breaches() = std::move(b);
  r.set_breaches_not_listed(breaches.second - r.breaches_size());
  SLA_ASSIGN_OR_RETURN(auto escalations, tx.LoadEscalations(scope, period));
  for (auto& e : escalations) *r.add_escalations() = std::move(e);
  SLA_ASSIGN_OR_RETURN(auto credits, tx.LoadCredits(scope, period));
  for (auto& cr : credits) *r.add_credits() = std::move(cr);
  SLA_ASSIGN_OR_RETURN(auto trend, tx.LoadTrend(scope, period - 11, period));
  for (auto& t : trend) *r.add_trend() = std::move(t);
  return absl::OkStatus();
}

}  // namespace

ReportManager::ReportManager(ReportingRepository* repo, ReportTerms* terms, ReportStreams* streams,
                             ReportingOptions options)
    : repo_(repo), terms_(terms), streams_(streams), options_(std::move(options)) {}

absl::StatusOr<int> ReportManager::ConsumeTicketEvents() {
  SLA_ASSIGN_OR_RETURN(const int applied, streams_->ApplyTicketEvents());
  if (applied > 0) options_.on_events_written();  // set-aside events are announced
  return applied;
}

absl::StatusOr<int> ReportManager::ConsumeBillingEvents() {
  // Revisions left pending by an earlier pass (contract-svc was unavailable) come first.
  SLA_RETURN_IF_ERROR(IssuePendingRevisions());
  SLA_ASSIGN_OR_RETURN(const int applied, streams_->ApplyBillingEvents());
  if (applied == 0) return 0;
  options_.on_events_written();
  // Credits decided after a report was issued: the report gets a new revision.
  SLA_RETURN_IF_ERROR(IssuePendingRevisions());
  return applied;
}

absl::Status ReportManager::IssuePendingRevisions() {
  for (;;) {
    std::vector<PendingRevision> pending;
    SLA_RETURN_IF_ERROR(repo_->Read([&](ReportingTx& tx) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(pending, tx.ListPendingRevisions(100));
      return absl::OkStatus();
    }));
    if (pending.empty()) return absl::OkStatus();
    for (const PendingRevision& p : pending) {
      const std::string name =
          absl::StrCat("customers/", p.scope.customer_id, "/contracts/", p.scope.contract_id,
                       "/reports/", PeriodText(p.period_index));
      SLA_ASSIGN_OR_RETURN(ReportName n, ParseReportName(name, "name"));
      absl::StatusOr<QueryScope> scope = QueryScope::ForSystemWork(n.scope);
      absl::Status issued = scope.ok() ? IssueNow(n, *scope, p.reason).status() : scope.status();
      // Kept for the next pass unless issued, or unless it can never be (then it is logged).
      if (!issued.ok() && !outbox::PermanentError(issued)) return issued;
      if (!issued.ok()) {
        log::Warning("pending report revision dropped",
                     {{"report", name}, {"reason", std::string(issued.message())}});
      }
      SLA_RETURN_IF_ERROR(repo_->Transact(
          [&](ReportingTx& tx) { return tx.DeletePendingRevision(p.scope, p.period_index); }));
    }
  }
}

absl::StatusOr<v1::Report> ReportManager::Compute(const ReportName& n, const QueryScope& scope) {
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  v1::Report r;
  r.set_name(n.name);
  r.set_period(PeriodText(n.period));
  r.mutable_issue_time()->set_seconds(now);
  std::shared_ptr<const TermsInfo> terms;
  core::PeriodBounds bounds;
  if (n.contract()) {
    const std::string contract =
        absl::StrCat("customers/", n.scope.customer_id, "/contracts/", n.scope.contract_id);
    SLA_ASSIGN_OR_RETURN(terms, terms_->ForPeriod(contract, n.period));
    r.set_terms_version(terms->version);
    r.set_time_zone(terms->terms.pricing().billing_time_zone());
    SLA_ASSIGN_OR_RETURN(bounds, core::Bounds({n.period / 12, n.period % 12 + 1}, r.time_zone()));
    r.mutable_period_start()->set_seconds(bounds.start);
    r.mutable_period_end()->set_seconds(bounds.end);
  }
  SLA_RETURN_IF_ERROR(repo_->Read([&](ReportingTx& tx) -> absl::Status {
    SLA_RETURN_IF_ERROR(AddFigures(tx, scope, n.period, options_.breaches_listed, r));
    if (n.contract()) {
      r.set_contract_count(1);
      return AddAvailability(tx, scope, *terms, n.period, bounds, now, r);
    }
    SLA_ASSIGN_OR_RETURN(const int64_t contracts, tx.CountContracts(scope, n.period));
    r.set_contract_count(contracts);
    return absl::OkStatus();
  }));
  if (terms != nullptr) AddTargetWording(terms->terms, r.mutable_priorities());
  return r;
}

absl::StatusOr<v1::Report> ReportManager::IssueNow(const ReportName& n, const QueryScope& scope,
                                                   const std::string& why) {
  SLA_ASSIGN_OR_RETURN(v1::Report r, Compute(n, scope));
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  if (now < r.period_end().seconds()) {
    return WrongState(n.name, absl::StrCat("the period ", r.period(), " has not ended"));
  }
  bool written = false;
  absl::Status s = repo_->Transact([&](ReportingTx& tx) -> absl::Status {
    written = false;
    SLA_ASSIGN_OR_RETURN(auto latest, tx.LoadReport(scope, n.period, 0, true));
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
    SLA_RETURN_IF_ERROR(tx.InsertReport(scope, n.period, revision, now, r.SerializeAsString()));
    written = true;
    outbox::Row issued{"report.issued", n.name, n.scope.customer_id, now, {}};
    sla::v1::ReportEventPayload& payload = *issued.payload.mutable_report();
    payload.set_report(n.name);
    payload.set_period(r.period());
    payload.set_revision(revision);
    payload.set_note(r.revision_note());
    return tx.Publish({&issued, 1});
  });
  if (absl::IsAlreadyExists(s)) {
    // Another replica issued the same revision at the same moment: that one stands.
    SLA_ASSIGN_OR_RETURN(std::optional<v1::Report> latest, Stored(scope, n.period, 0));
    if (!latest) return absl::InternalError("issued report vanished");
    return *std::move(latest);
  }
  SLA_RETURN_IF_ERROR(s);
  if (written) options_.on_events_written();
  return r;
}

absl::StatusOr<std::optional<v1::Report>> ReportManager::Stored(const QueryScope& scope, int period,
                                                                int revision) {
  std::optional<StoredReport> stored;
  SLA_RETURN_IF_ERROR(repo_->Read([&](ReportingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(stored, tx.LoadReport(scope, period, revision, false));
    return absl::OkStatus();
  }));
  if (!stored) return std::nullopt;
  v1::Report r;
  if (!r.ParseFromString(stored->body))
    return absl::DataLossError("an issued report is unreadable");
  return r;
}

absl::StatusOr<v1::Report> ReportManager::Get(const Identity& who, const std::string& name,
                                              int revision, const std::string& min_event_position) {
  SLA_ASSIGN_OR_RETURN(ReportName n, ParseReportName(name, "name"));
  if (n.scope.customer_id.empty() && !server::ReadsAllCustomers(who)) {
    return PermissionDenied("MSP-wide reports are for the MSP's staff");
  }
  SLA_ASSIGN_OR_RETURN(const QueryScope scope, ScopeFor(who, n.scope, name));
  if (revision < 0) return InvalidField("revision", "must not be negative");
  if (n.contract()) {
    SLA_ASSIGN_OR_RETURN(std::optional<v1::Report> stored, Stored(scope, n.period, revision));
    if (stored) return *std::move(stored);
    if (revision > 0) return NotFound(absl::StrCat(name, " revision ", revision));
  } else if (revision > 0) {
    return InvalidField("revision", "only contract reports are issued in revisions");
  }
  // Read-your-writes, then the positions the figures reflect (read before them: a lower bound).
  if (!min_event_position.empty()) {
    SLA_ASSIGN_OR_RETURN(const outbox::Position p,
                         outbox::ParsePosition(min_event_position, "min_event_position"));
    SLA_RETURN_IF_ERROR(streams_->CatchUp(p, absl::Seconds(5)));
  }
  SLA_ASSIGN_OR_RETURN(std::vector<std::string> positions, streams_->Positions());
  SLA_ASSIGN_OR_RETURN(v1::Report report, Compute(n, scope));
  for (std::string& p : positions) report.add_event_positions(std::move(p));
  return report;
}

absl::StatusOr<v1::Report> ReportManager::Issue(const Identity& who, const std::string& name) {
  SLA_ASSIGN_OR_RETURN(ReportName n, ParseReportName(name, "name"));
  if (!n.contract()) return InvalidField("name", "only a contract's report is issued");
  SLA_ASSIGN_OR_RETURN(const QueryScope scope, ScopeFor(who, n.scope, name));
  if (!IsMsp(who)) return PermissionDenied("issuing reports is for the MSP's staff and systems");
  return IssueNow(n, scope, "issued on request");
}

absl::StatusOr<ReportPage> ReportManager::List(const Identity& who, const api::PageRequest& req) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(req.parent, "contracts", "parent"));
  SLA_ASSIGN_OR_RETURN(const QueryScope scope, ScopeFor(who, {k.first, k.second}, req.parent));
  const int size = req.page_size == 0 ? 100 : req.page_size;
  if (size < 1 || size > 1000) return InvalidField("page_size", "must be within 1..1000");
  int offset = 0;
  if (!req.page_token.empty() && (!absl::SimpleAtoi(req.page_token, &offset) || offset < 0)) {
    return InvalidField("page_token", "is not a token this service returned");
  }
  std::vector<std::string> bodies;
  SLA_RETURN_IF_ERROR(repo_->Read([&](ReportingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(bodies, tx.ListReports(scope, offset, size + 1));
    return absl::OkStatus();
  }));
  ReportPage out;
  for (size_t i = 0; i < bodies.size() && static_cast<int>(i) < size; ++i) {
    if (!out.reports.emplace_back().ParseFromString(bodies[i]))
      return absl::DataLossError("an issued report is unreadable");
  }
  if (static_cast<int>(bodies.size()) > size) out.next_page_token = absl::StrCat(offset + size);
  return out;
}

absl::StatusOr<RenderedReport> ReportManager::Export(const Identity& who, const std::string& name,
                                                     int revision, v1::ReportFormat format) {
  if (format == v1::REPORT_FORMAT_UNSPECIFIED || !v1::ReportFormat_IsValid(format)) {
    return InvalidField("format",
                        "is required: REPORT_FORMAT_JSON, REPORT_FORMAT_CSV or REPORT_FORMAT_HTML");
  }
  SLA_ASSIGN_OR_RETURN(v1::Report r, Get(who, name, revision, ""));
  RenderedReport out;
  std::string base = absl::StrReplaceAll(
      r.name(), {{"customers/", ""}, {"/contracts/", "-"}, {"/reports/", "-"}, {"/", "-"}});
  absl::StrAppend(&base, "-r", r.revision());
  switch (format) {
    case v1::REPORT_FORMAT_JSON:
      out = {"application/json; charset=utf-8", RenderJson(r), base + ".json"};
      break;
    case v1::REPORT_FORMAT_CSV:
      out = {"text/csv; charset=utf-8", RenderCsv(r), base + ".csv"};
      break;
    default:
      out = {"text/html; charset=utf-8", RenderHtml(r), base + ".html"};
  }
  return out;
}

absl::StatusOr<v1::SimulateTermsResponse> ReportManager::Simulate(const Identity& who,
                                                                  const ProposalInput& req) {
  Scope subject;
  if (auto k = api::ParseCustomerChild(req.subject, "contracts", "subject"); k.ok()) {
    subject = {k->first, k->second};
  } else {
    SLA_ASSIGN_OR_RETURN(subject.customer_id, api::ParseCustomerParent(req.subject, false));
  }
  SLA_ASSIGN_OR_RETURN(const QueryScope scope, ScopeFor(who, subject, req.subject));
  // `service`: contract-svc's lint replays a contract's terms for the MSP's staff.
  if (!who.HasAnyRole({"msp_admin", "msp_agent", "service"})) {
    return PermissionDenied("what-if simulation is for the MSP's staff");
  }
  return ReplayProposal(*repo_, *terms_, scope, subject, req,
                        absl::ToUnixSeconds(options_.clock()));
}

absl::StatusOr<int> ReportManager::IssueDueReports(clients::ContractDirectory& contracts) {
  const int64_t now = absl::ToUnixSeconds(options_.clock());
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
    SLA_ASSIGN_OR_RETURN(const QueryScope scope, QueryScope::ForSystemWork({k.first, k.second}));
    absl::StatusOr<std::vector<int>> due = DuePeriods(*terms_, contract, end, now);
    if (!due.ok()) {
      if (absl::IsNotFound(due.status()) || absl::IsFailedPrecondition(due.status())) continue;
      return due.status();  // contract-svc unavailable: the next pass retries
    }
    // Due periods not issued yet (existence read, no body parsed), oldest first: catches up.
    for (const int period : *due) {
      bool issued_before = false;
      SLA_RETURN_IF_ERROR(repo_->Read([&](ReportingTx& tx) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(auto stored, tx.LoadReport(scope, period, 0, false));
        issued_before = stored.has_value();
        return absl::OkStatus();
      }));
      if (issued_before) continue;
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
