// The two streams reporting-svc follows into its read model (ticket-svc's and billing-svc's),
// as the use cases need them: apply what is new, say how far the read model reaches, and wait
// for a position (read-your-writes).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/outbox/position.h"

namespace sla::reporting {

class ReportStreams {
 public:
  virtual ~ReportStreams() = default;
  // Applies every event of the stream available now; returns how many were taken.
  virtual absl::StatusOr<int> ApplyTicketEvents() = 0;
  virtual absl::StatusOr<int> ApplyBillingEvents() = 0;
  // Where the read model stands in each stream, as positions (outbox::FormatPosition).
  virtual absl::StatusOr<std::vector<std::string>> Positions() = 0;
  // Applies events until `p` is reached, for at most `max_wait`. INVALID_ARGUMENT naming
  // min_event_position for a stream not followed; UNAVAILABLE if not reached by then.
  virtual absl::Status CatchUp(const outbox::Position& p, absl::Duration max_wait) = 0;
};

}  // namespace sla::reporting
