#include "reporting-svc/app/what_if.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "common/core/period.h"
#include "common/core/terms_context.h"
#include "common/core/terms_validation.h"
#include "common/outbox/permanent.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/domain/simulate.h"

namespace sla::reporting {
namespace {

// The proposal with the calendars it names but does not carry, from the contract's terms.
absl::StatusOr<sla::v1::SlaTerms> WithCalendars(ReportTerms& terms, const Scope& subject,
                                                const ProposalInput& req, int64_t now) {
  sla::v1::SlaTerms proposed = *req.proposed;
  std::set<std::string> calendars;
  for (const auto& c : proposed.calendars()) calendars.insert(c.name());
  // Proposed terms as a person writes them name calendars without their contents (the snapshot
  // in `calendars` is output only).
  std::set<std::string> missing;
  (void)core::ValidateTerms(
      proposed,
      [&](absl::string_view name) {
        if (calendars.count(std::string(name)) == 0) missing.insert(std::string(name));
        return true;
      },
      "proposed_terms");
  if (!missing.empty() && !subject.contract_id.empty()) {
    absl::StatusOr<std::shared_ptr<const TermsInfo>> current = terms.Of(req.subject, "", now);
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
  return proposed;
}

}  // namespace

absl::StatusOr<v1::SimulateTermsResponse> ReplayProposal(ReportingRepository& repo,
                                                         ReportTerms& terms,
                                                         const QueryScope& scope,
                                                         const Scope& subject,
                                                         const ProposalInput& req, int64_t now) {
  if (req.lookback_periods < 1 || req.lookback_periods > 36) {
    return InvalidField("lookback_periods", "must be within 1..36");
  }
  if (!req.proposed) return InvalidField("proposed_terms", "is required");
  SLA_ASSIGN_OR_RETURN(const sla::v1::SlaTerms proposed, WithCalendars(terms, subject, req, now));
  const std::string& zone = proposed.pricing().billing_time_zone();
  SLA_ASSIGN_OR_RETURN(core::Period current, core::PeriodOf(now, zone));
  const int last = current.year * 12 + current.month - 1 - 1;
  const int first = last - req.lookback_periods + 1;
  SLA_ASSIGN_OR_RETURN(core::PeriodBounds b0, core::Bounds({first / 12, first % 12 + 1}, zone));
  SLA_ASSIGN_OR_RETURN(core::PeriodBounds b1, core::Bounds({last / 12, last % 12 + 1}, zone));
  SimulationInput in;
  in.now = now;
  for (int p = first; p <= last; ++p) in.periods.push_back(p);
  SLA_RETURN_IF_ERROR(repo.Read([&](ReportingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(in.tickets, tx.LoadReplayTickets(scope, first, last));
    SLA_ASSIGN_OR_RETURN(in.outages, tx.LoadOutages(scope, b0.start, b1.end));
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

}  // namespace sla::reporting
