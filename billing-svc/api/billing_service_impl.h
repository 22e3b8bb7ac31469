// gRPC handlers of sla.billing.v1.BillingService. Every handler runs in the RpcBoundary.
// The use cases arrive with the billing-svc issue.
#pragma once

#include "common/server/rpc.h"
#include "sla/billing/v1/billing_service.grpc.pb.h"

namespace sla::billing {

namespace pb = ::sla::billing::v1;

class BillingServiceImpl final : public pb::BillingService::Service {
 public:
  explicit BillingServiceImpl(const server::RpcBoundary& boundary) : boundary_(boundary) {}

  SLA_RPC_NOT_IMPLEMENTED(GetInvoice, pb::GetInvoiceRequest, pb::Invoice)
  SLA_RPC_NOT_IMPLEMENTED(ListInvoices, pb::ListInvoicesRequest, pb::ListInvoicesResponse)
  SLA_RPC_NOT_IMPLEMENTED(PreviewCredits, pb::PreviewCreditsRequest, pb::PreviewCreditsResponse)
  SLA_RPC_NOT_IMPLEMENTED(ClosePeriod, pb::ClosePeriodRequest, pb::ClosePeriodResponse)

 private:
  const server::RpcBoundary& boundary_;
};

}  // namespace sla::billing
