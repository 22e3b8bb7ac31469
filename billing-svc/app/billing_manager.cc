#include "billing-svc/app/billing_manager.h"

#include <vector>

#include "billing-svc/app/close_documents.h"
#include "billing-svc/app/period_close.h"
#include "billing-svc/app/period_closer.h"
#include "billing-svc/app/period_reviser.h"
#include "common/api/resource_name.h"
#include "common/core/rational.h"
#include "common/outbox/position.h"
#include "common/server/access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::billing {
namespace {

using server::Identity;

constexpr char kTicketSource[] = "ticket-svc";

// How far the facts a preview reads reach: at least `min_event_position`, if given.
absl::StatusOr<FactsPosition> FactsAtLeast(TicketFacts& facts, const std::string& min_position) {
  if (min_position.empty()) return facts.Current();
  SLA_ASSIGN_OR_RETURN(const outbox::Position p,
                       outbox::ParsePosition(min_position, "min_event_position"));
  if (p.stream != kTicketSource) {
    return InvalidField("min_event_position", "must be a position in ticket-svc's event stream");
  }
  return facts.CatchUp(p.epoch, p.sequence, absl::Seconds(5));
}

void FillPreview(const core::PeriodComputation& pc, pb::PreviewCreditsResponse& out) {
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
}

}  // namespace

BillingManager::BillingManager(BillingRepository* repo, clients::TermsSource* terms,
                               TicketFacts* facts, BillingOptions options)
    : repo_(repo),
      terms_(terms),
      facts_(facts),
      options_(std::move(options)),
      scheduler_(repo, terms,
                 {options_.close_batch, options_.close_workers, options_.on_events_written}) {}

absl::StatusOr<int> BillingManager::ConsumeOnce() {
  SLA_ASSIGN_OR_RETURN(const int applied, facts_->ApplyAvailable());
  // A set-aside event is announced on billing's own stream.
  if (applied > 0) options_.on_events_written();
  return applied;
}

absl::StatusOr<pb::PreviewCreditsResponse> BillingManager::Preview(
    const Identity& who, const pb::PreviewCreditsRequest& req) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(req.contract(), "contracts", "contract"));
  SLA_RETURN_IF_ERROR(server::RequireReadAccess(who, k.first, req.contract(), "billing documents"));
  SLA_ASSIGN_OR_RETURN(const core::Period period, ValidPeriod(req.period()));
  // Read-your-writes: the facts are read after the cursor, so they reflect at least it.
  SLA_ASSIGN_OR_RETURN(const FactsPosition reflects,
                       FactsAtLeast(*facts_, req.min_event_position()));
  SLA_ASSIGN_OR_RETURN(ResolvedPeriod r, ResolvePeriod(*terms_, req.contract(), period));
  std::vector<core::PeriodFacts> facts;
  SLA_RETURN_IF_ERROR(repo_->Read([&](BillingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(facts,
                         tx.LoadFacts({{{k.first, k.second}, r.bounds.start, r.bounds.end}}));
    return absl::OkStatus();
  }));
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  SLA_ASSIGN_OR_RETURN(core::PeriodComputation pc,
                       core::ComputePeriod(r.version.terms, r.version.name, period, r.active_from,
                                           r.active_until, facts.front(), now));
  pb::PreviewCreditsResponse out;
  out.set_event_position(
      outbox::FormatPosition({kTicketSource, reflects.epoch, reflects.sequence}));
  if (reflects.last_event_time > 0) out.mutable_event_time()->set_seconds(reflects.last_event_time);
  FillPreview(pc, out);
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
  SLA_ASSIGN_OR_RETURN(PendingClose p, PrepareClose(*terms_, req.contract(), req.period(),
                                                    /*respect_grace=*/false, now));
  std::vector<pb::ClosePeriodResponse> outs;
  std::vector<outbox::Row> events;
  SLA_RETURN_IF_ERROR(CloseTogether(*repo_, {p}, now, &outs, &events));
  if (!events.empty()) options_.on_events_written();
  return std::move(outs.front());
}

absl::StatusOr<int> BillingManager::CloseDuePeriods(clients::ContractDirectory& contracts) {
  // Never close on stale facts: catch up with ticket-svc first, or close nothing this pass.
  SLA_RETURN_IF_ERROR(ConsumeOnce().status());
  SLA_ASSIGN_OR_RETURN(const int closed, scheduler_.CloseDue(contracts, options_.clock()));
  SLA_RETURN_IF_ERROR(ReviseStalePeriods().status());
  return closed;
}

absl::StatusOr<int> BillingManager::ReviseStalePeriods() {
  return billing::ReviseStalePeriods(*repo_, *terms_, absl::ToUnixSeconds(options_.clock()),
                                     options_.on_events_written);
}

}  // namespace sla::billing
