// The what-if replay of proposed terms: the scope's tickets and outages of the last
// `lookback_periods` ended periods measured again under the proposal (domain/simulate.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "reporting-svc/app/report_terms.h"
#include "reporting-svc/app/reporting_repository.h"
#include "reporting-svc/domain/records.h"

namespace sla::reporting {

// A what-if request: `subject` a contract or customer name, `proposed` the terms (nullopt when
// the caller sent none).
struct ProposalInput {
  std::string subject;
  std::optional<sla::v1::SlaTerms> proposed;
  int lookback_periods = 0;
};

// `scope` is the caller's, checked; `subject` what the request names. A calendar the proposal
// names but does not carry comes from the subject contract's terms in force now (contract-svc's
// lint always carries them, so its history check never calls contract-svc back).
// INVALID_ARGUMENT for a lookback outside 1..36, a missing or invalid proposal.
absl::StatusOr<v1::SimulateTermsResponse> ReplayProposal(
    ReportingRepository& repo, ReportTerms& terms, const QueryScope& scope, const Scope& subject,
    const ProposalInput& proposal, int64_t now);

}  // namespace sla::reporting
