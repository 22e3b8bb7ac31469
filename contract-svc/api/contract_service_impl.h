// gRPC handlers of sla.contract.v1.ContractService. Every handler runs in the RpcBoundary
// (authentication, request id, error mapping) and converts between protos and the domain.
#pragma once

#include <memory>

#include "common/server/api_key.h"
#include "common/server/rpc.h"
#include "contract-svc/app/api_key_manager.h"
#include "contract-svc/app/calendar_manager.h"
#include "contract-svc/app/contract_manager.h"
#include "contract-svc/app/customer_manager.h"
#include "contract-svc/app/terms_reader.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"

namespace sla::contract {

namespace pb = ::sla::contract::v1;

class ContractServiceImpl final : public pb::ContractService::Service {
 public:
  ContractServiceImpl(const server::RpcBoundary& boundary,
                      std::unique_ptr<CustomerRepository> customers,
                      std::unique_ptr<CalendarRepository> calendars,
                      std::unique_ptr<ContractRepository> contracts,
                      std::unique_ptr<ApiKeyRepository> api_keys,
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
  grpc::Status CreateContract(grpc::ServerContext* ctx, const pb::CreateContractRequest* req,
                              pb::Contract* resp) override;
  grpc::Status GetContract(grpc::ServerContext* ctx, const pb::GetContractRequest* req,
                           pb::Contract* resp) override;
  grpc::Status ListContracts(grpc::ServerContext* ctx, const pb::ListContractsRequest* req,
                             pb::ListContractsResponse* resp) override;
  grpc::Status UpdateContract(grpc::ServerContext* ctx, const pb::UpdateContractRequest* req,
                              pb::Contract* resp) override;
  grpc::Status ActivateContract(grpc::ServerContext* ctx, const pb::ActivateContractRequest* req,
                                pb::Contract* resp) override;
  grpc::Status AmendContract(grpc::ServerContext* ctx, const pb::AmendContractRequest* req,
                             pb::Contract* resp) override;
  grpc::Status TerminateContract(grpc::ServerContext* ctx, const pb::TerminateContractRequest* req,
                                 pb::Contract* resp) override;
  grpc::Status ResolveTerms(grpc::ServerContext* ctx, const pb::ResolveTermsRequest* req,
                            pb::ResolveTermsResponse* resp) override;
  grpc::Status LintContract(grpc::ServerContext* ctx, const pb::LintContractRequest* req,
                            pb::LintContractResponse* resp) override;
  grpc::Status RenderAgreement(grpc::ServerContext* ctx, const pb::RenderAgreementRequest* req,
                               pb::RenderAgreementResponse* resp) override;

  grpc::Status CreateApiKey(grpc::ServerContext* ctx, const pb::CreateApiKeyRequest* req,
                            pb::CreateApiKeyResponse* resp) override;
  grpc::Status GetApiKey(grpc::ServerContext* ctx, const pb::GetApiKeyRequest* req,
                         pb::ApiKey* resp) override;
  grpc::Status ListApiKeys(grpc::ServerContext* ctx, const pb::ListApiKeysRequest* req,
                           pb::ListApiKeysResponse* resp) override;
  grpc::Status RotateApiKey(grpc::ServerContext* ctx, const pb::RotateApiKeyRequest* req,
                            pb::RotateApiKeyResponse* resp) override;
  grpc::Status RevokeApiKey(grpc::ServerContext* ctx, const pb::RevokeApiKeyRequest* req,
                            pb::ApiKey* resp) override;
  grpc::Status AuthenticateApiKey(grpc::ServerContext* ctx,
                                  const pb::AuthenticateApiKeyRequest* req,
                                  pb::AuthenticateApiKeyResponse* resp) override;

  // contract-svc's own RPC boundary resolves API keys from its storage, with real time.
  std::unique_ptr<server::ApiKeyResolver> LocalApiKeyResolver();

  // Enables lint's history check (LintContractRequest.history_lookback_periods). Call once,
  // before the server takes calls.
  void SetTermsHistory(std::unique_ptr<TermsHistory> history) {
    history_ = std::move(history);
    terms_.SetTermsHistory(history_.get());
  }

 private:
  const server::RpcBoundary& boundary_;
  std::unique_ptr<CustomerRepository> customer_repo_;
  std::unique_ptr<CalendarRepository> calendar_repo_;
  std::unique_ptr<ContractRepository> contract_repo_;
  std::unique_ptr<ApiKeyRepository> api_key_repo_;
  CustomerManager customers_;
  CalendarManager calendars_;
  ContractManager contracts_;
  TermsReader terms_;
  ApiKeyManager api_keys_;
  std::unique_ptr<TermsHistory> history_;
};

}  // namespace sla::contract
