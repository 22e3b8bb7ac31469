// gRPC handlers of sla.reporting.v1.ReportingService. Every handler runs in the RpcBoundary.
// The use cases arrive with the reporting-svc issue.
#pragma once

#include "common/server/rpc.h"
#include "sla/reporting/v1/reporting_service.grpc.pb.h"

namespace sla::reporting {

namespace pb = ::sla::reporting::v1;

class ReportingServiceImpl final : public pb::ReportingService::Service {
 public:
  explicit ReportingServiceImpl(const server::RpcBoundary& boundary) : boundary_(boundary) {}

  SLA_RPC_NOT_IMPLEMENTED(GetReport, pb::GetReportRequest, pb::Report)
  SLA_RPC_NOT_IMPLEMENTED(SimulateTerms, pb::SimulateTermsRequest, pb::SimulateTermsResponse)

 private:
  const server::RpcBoundary& boundary_;
};

}  // namespace sla::reporting
