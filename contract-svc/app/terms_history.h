// How terms would have fared on a contract's past tickets: reporting-svc's what-if replay.
// contract-svc's lint asks it for "this target would have been missed in N of the last M
// months"; the gRPC client lives in api/, so the use cases stay free of transport.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/v1/terms.pb.h"

namespace sla::contract {

class TermsHistory {
 public:
  virtual ~TermsHistory() = default;
  // Replays the last `periods` ended billing periods of `contract` (a resource name) under
  // `terms`. UNAVAILABLE when reporting-svc cannot be reached.
  virtual absl::StatusOr<sla::reporting::v1::SimulateTermsResponse> Replay(
      const std::string& contract, const sla::v1::SlaTerms& terms, int periods) = 0;
};

}  // namespace sla::contract
