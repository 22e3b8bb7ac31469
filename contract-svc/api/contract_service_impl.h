// gRPC handlers of sla.contract.v1.ContractService. Every handler runs in the RpcBoundary
// (authentication, request id, error mapping). The use cases arrive with the contract-svc issue.
#pragma once

#include "common/server/rpc.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"

namespace sla::contract {

namespace pb = ::sla::contract::v1;

class ContractServiceImpl final : public pb::ContractService::Service {
 public:
  explicit ContractServiceImpl(const server::RpcBoundary& boundary) : boundary_(boundary) {}

  SLA_RPC_NOT_IMPLEMENTED(CreateCustomer, pb::CreateCustomerRequest, pb::Customer)
  SLA_RPC_NOT_IMPLEMENTED(GetCustomer, pb::GetCustomerRequest, pb::Customer)
  SLA_RPC_NOT_IMPLEMENTED(ListCustomers, pb::ListCustomersRequest, pb::ListCustomersResponse)
  SLA_RPC_NOT_IMPLEMENTED(UpdateCustomer, pb::UpdateCustomerRequest, pb::Customer)
  SLA_RPC_NOT_IMPLEMENTED(CreateCalendar, pb::CreateCalendarRequest, ::sla::v1::BusinessCalendar)
  SLA_RPC_NOT_IMPLEMENTED(GetCalendar, pb::GetCalendarRequest, ::sla::v1::BusinessCalendar)
  SLA_RPC_NOT_IMPLEMENTED(ListCalendars, pb::ListCalendarsRequest, pb::ListCalendarsResponse)
  SLA_RPC_NOT_IMPLEMENTED(UpdateCalendar, pb::UpdateCalendarRequest, ::sla::v1::BusinessCalendar)
  SLA_RPC_NOT_IMPLEMENTED(CreateContract, pb::CreateContractRequest, pb::Contract)
  SLA_RPC_NOT_IMPLEMENTED(GetContract, pb::GetContractRequest, pb::Contract)
  SLA_RPC_NOT_IMPLEMENTED(ListContracts, pb::ListContractsRequest, pb::ListContractsResponse)
  SLA_RPC_NOT_IMPLEMENTED(UpdateContract, pb::UpdateContractRequest, pb::Contract)
  SLA_RPC_NOT_IMPLEMENTED(ActivateContract, pb::ActivateContractRequest, pb::Contract)
  SLA_RPC_NOT_IMPLEMENTED(AmendContract, pb::AmendContractRequest, pb::Contract)
  SLA_RPC_NOT_IMPLEMENTED(TerminateContract, pb::TerminateContractRequest, pb::Contract)
  SLA_RPC_NOT_IMPLEMENTED(ResolveTerms, pb::ResolveTermsRequest, pb::ResolveTermsResponse)
  SLA_RPC_NOT_IMPLEMENTED(LintContract, pb::LintContractRequest, pb::LintContractResponse)
  SLA_RPC_NOT_IMPLEMENTED(RenderAgreement, pb::RenderAgreementRequest, pb::RenderAgreementResponse)

 private:
  const server::RpcBoundary& boundary_;
};

}  // namespace sla::contract
