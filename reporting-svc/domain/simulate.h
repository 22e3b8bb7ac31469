// What-if: the past tickets and outages of a lookback replayed under proposed terms. Each
// ticket keeps its opening instant, its pauses (waiting on the customer, excluded events) and
// the instants it was first responded to and resolved; the proposed targets and calendars
// decide again whether those instants were in time, and the proposed credit schedule prices
// the predicted breaches and the measured availability (billing-svc's own computation).
//
// Replay assumptions, returned as notes: the ticket's final priority applies from its opening;
// first response and resolution are replayed (the resolution-plan and update-interval clocks
// depend on conversations the replay does not re-enact); a clock not yet met is measured up to
// `now`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/calendar/sla_clock.h"
#include "common/core/terms_context.h"
#include "reporting-svc/domain/figures.h"
#include "sla/reporting/v1/reporting_service.pb.h"

namespace sla::reporting {

struct ReplayTicket {
  std::string ticket;  // customers/{c}/tickets/{t}
  std::string service_id;
  sla::v1::Priority priority = sla::v1::PRIORITY_UNSPECIFIED;
  int64_t open_time = 0;
  int64_t resp_time = 0;                       // 0: never responded
  int64_t res_time = 0;                        // 0: never resolved
  std::vector<calendar::PauseSeconds> pauses;  // sorted, disjoint; an open pause ends kOpenEnded
};

struct SimulationInput {
  const core::TermsContext* proposed = nullptr;
  std::vector<int> periods;           // period indexes replayed, ascending
  std::vector<ReplayTicket> tickets;  // opened within the periods
  std::vector<OutageRow> outages;     // overlapping the periods
  int64_t now = 0;
};

// INVALID_ARGUMENT if the proposed terms cannot be measured (no billing zone, bad calendar).
absl::StatusOr<v1::SimulateTermsResponse> Simulate(const SimulationInput& in);

// Pauses from the read model's "start-end,start-end" text plus an open pause's start (0: none).
std::vector<calendar::PauseSeconds> ParsePauses(const std::string& text, int64_t open_start);

}  // namespace sla::reporting
