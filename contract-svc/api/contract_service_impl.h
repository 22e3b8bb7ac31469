// gRPC handlers of sla.contract.v1.ContractService. Every handler runs in the RpcBoundary
// (authentication, request id, error mapping) and converts between protos and the domain.
// Customers and calendars are built; contracts answer UNIMPLEMENTED until they are.
#pragma once

#include <memory>

#include "common/server/rpc.h"
#include "contract-svc/app/calendar_manager.h"
#include "contract-svc/app/customer_manager.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"

namespace sla::contract {

namespace pb = ::sla::contract::v1;

class ContractServiceImpl final : public pb::ContractService::Service {
 public:
  ContractServiceImpl(const server::RpcBoundary& boundary,
                      std::unique_ptr<CustomerRepository> customers,
                      std::unique_ptr<CalendarRepository> calendars,
                      std::function<absl::Time()> clock);

  grpc::Status CreateCustomer(grpc::ServerContext* ctx, const pb::CreateCustomerRequest* req,
                              pb::Customer* resp) override;
  grpc::Status GetCustomer(grpc::ServerContext* ctx, const pb::GetCustomerRequest* req,
                           pb::Customer* resp) override;
  grpc::Status ListCustomers(grpc::ServerContext* ctx, const pb::ListCustomersRequest* req,
                             pb::ListCustomersResponse* resp) override;
  grpc::Status UpdateCustomer(grpc::ServerContext* ctx, const pb::UpdateCustomerRequest* req,
                              pb::Customer* resp) override;
  grpc::Status CreateCalendar(grpc::ServerContext* ctx, const pb::CreateCalendarRequest* req,
                              ::sla::v1::BusinessCalendar* resp) override;
  grpc::Status GetCalendar(grpc::ServerContext* ctx, const pb::GetCalendarRequest* req,
                           ::sla::v1::BusinessCalendar* resp) override;
  grpc::Status ListCalendars(grpc::ServerContext* ctx, const pb::ListCalendarsRequest* req,
                             pb::ListCalendarsResponse* resp) override;
  grpc::Status UpdateCalendar(grpc::ServerContext* ctx, const pb::UpdateCalendarRequest* req,
                              ::sla::v1::BusinessCalendar* resp) override;
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
  std::unique_ptr<CalendarRepository> calendar_repo_;
  CustomerManager customers_;
  CalendarManager calendars_;
};

}  // namespace sla::contract
