// ticket-svc's events as billing's facts (breaches, outages): how far they have been applied.
// A close reads facts only after catching up, so it never bills on stale ones.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sla::billing {

// Where the facts stand in ticket-svc's event stream.
struct FactsPosition {
  std::string epoch;
  int64_t sequence = 0;
  int64_t last_event_time = 0;  // of the last event applied; 0 if none
};

class TicketFacts {
 public:
  virtual ~TicketFacts() = default;
  // Applies every event available now; returns how many were taken.
  virtual absl::StatusOr<int> ApplyAvailable() = 0;
  virtual absl::StatusOr<FactsPosition> Current() = 0;
  // Applies events until `sequence` of `epoch` is reached, for at most `max_wait`
  // (read-your-writes); UNAVAILABLE if not by then.
  virtual absl::StatusOr<FactsPosition> CatchUp(const std::string& epoch, int64_t sequence,
                                                absl::Duration max_wait) = 0;
};

}  // namespace sla::billing
