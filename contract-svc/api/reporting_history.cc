#include "contract-svc/api/reporting_history.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"

namespace sla::contract {

ReportingTermsHistory::ReportingTermsHistory(std::shared_ptr<grpc::Channel> channel,
                                             server::JwtConfig jwt,
                                             std::function<absl::Time()> clock)
    : stub_(sla::reporting::v1::ReportingService::NewStub(std::move(channel))),
      token_(std::move(jwt), "contract-svc", std::move(clock)) {}

absl::StatusOr<sla::reporting::v1::SimulateTermsResponse> ReportingTermsHistory::Replay(
    const std::string& contract, const sla::v1::SlaTerms& terms, int periods) {
  SLA_ASSIGN_OR_RETURN(std::string token, token_.Get());
  grpc::ClientContext ctx;
  // A replay reads up to 36 months of the contract's tickets.
  clients::PrepareCall(ctx, token, absl::Seconds(30));
  sla::reporting::v1::SimulateTermsRequest req;
  req.set_subject(contract);
  *req.mutable_proposed_terms() = terms;
  req.set_lookback_periods(periods);
  sla::reporting::v1::SimulateTermsResponse resp;
  const grpc::Status s = stub_->SimulateTerms(&ctx, req, &resp);
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::UnavailableError("reporting-svc is unavailable for the history check; retry");
  }
  if (!s.ok()) return FromGrpcStatus(s);
  return resp;
}

}  // namespace sla::contract
