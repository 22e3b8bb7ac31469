// TermsHistory over gRPC: reporting-svc's SimulateTerms, called with contract-svc's own
// service token (never the user's).
#pragma once

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <string>

#include "common/clients/service_token.h"
#include "contract-svc/app/terms_history.h"
#include "sla/reporting/v1/reporting_service.grpc.pb.h"

namespace sla::contract {

class ReportingTermsHistory final : public TermsHistory {
 public:
  // `clock` stamps the tokens (the time reporting-svc checks them against).
  ReportingTermsHistory(
      std::shared_ptr<grpc::Channel> channel, server::JwtConfig jwt,
      std::function<absl::Time()> clock = [] { return absl::Now(); });
  absl::StatusOr<sla::reporting::v1::SimulateTermsResponse> Replay(const std::string& contract,
                                                                   const sla::v1::SlaTerms& terms,
                                                                   int periods) override;

 private:
  std::unique_ptr<sla::reporting::v1::ReportingService::Stub> stub_;
  clients::ServiceToken token_;
};

}  // namespace sla::contract
