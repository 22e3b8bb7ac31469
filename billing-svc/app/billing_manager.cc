#include "billing-svc/app/billing_manager.h"

#include <vector>

#include "billing-svc/app/period_close.h"
#include "billing-svc/app/period_closer.h"
#include "billing-svc/app/period_reviser.h"
#include "common/api/resource_name.h"
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

absl::StatusOr<CreditPreview> BillingManager::Preview(const Identity& who,
                                                      const std::string& contract,
                                                      const pb::BillingPeriod& requested,
                                                      const std::string& min_event_position) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(contract, "contracts", "contract"));
  SLA_RETURN_IF_ERROR(server::RequireReadAccess(who, k.first, contract, "billing documents"));
  SLA_ASSIGN_OR_RETURN(const core::Period period, ValidPeriod(requested));
  // Read-your-writes: the facts are read after the cursor, so they reflect at least it.
  SLA_ASSIGN_OR_RETURN(const FactsPosition reflects, FactsAtLeast(*facts_, min_event_position));
  SLA_ASSIGN_OR_RETURN(ResolvedPeriod r, ResolvePeriod(*terms_, contract, period));
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
  return CreditPreview{std::move(pc), r.version.name, reflects};
}

absl::StatusOr<pb::ClosePeriodResponse> BillingManager::Close(const Identity& who,
                                                              const std::string& contract,
                                                              const pb::BillingPeriod& period) {
  if (!who.HasAnyRole({"msp_admin", "billing_system"})) {
    return PermissionDenied("only msp_admin or billing_system may close billing periods");
  }
  // Facts first: a period closes on everything ticket-svc has said until now.
  SLA_RETURN_IF_ERROR(ConsumeOnce().status());
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  SLA_ASSIGN_OR_RETURN(PendingClose p, PrepareClose(*terms_, contract, period,
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
