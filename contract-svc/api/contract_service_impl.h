// gRPC handlers of sla.contract.v1.ContractService. Every handler runs in the RpcBoundary
// (authentication, request id, error mapping) and converts between protos and the domain.
// Customers are built; calendars and contracts answer UNIMPLEMENTED until they are.
#pragma once

#include <memory>

#include "common/server/rpc.h"
#include "contract-svc/app/customer_manager.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"

namespace sla::contract {

namespace pb = ::sla::contract::v1;

class ContractServiceImpl final : public pb::ContractService::Service {
 public:
  ContractServiceImpl(const server::RpcBoundary& boundary,
                      std::unique_ptr<CustomerRepository> customers,
                      std::function<absl::Time()> clock);

  grpc::Status CreateCustomer(grpc::ServerContext* ctx, const pb::CreateCustomerRequest* req,
                              pb::Customer* resp) override;
  grpc::Status GetCustomer(grpc::ServerContext* ctx, const pb::GetCustomerRequest* req,
                           pb::Customer* resp) override;
  grpc::Status ListCustomers(grpc::ServerContext* ctx, const pb::ListCustomersRequest* req,
                             pb::ListCustomersResponse* resp) override;
  grpc::Status UpdateCustomer(grpc::ServerContext* ctx, const pb::UpdateCustomerRequest* req,
                              pb::Customer* resp) override;
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
  std::unique_ptr<CustomerRepository> customer_repo_;
  CustomerManager customers_;
};

}  // namespace sla::contract
