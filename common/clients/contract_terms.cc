#include "common/clients/contract_terms.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"

namespace sla::clients {

namespace cpb = sla::contract::v1;

ContractTermsSource::ContractTermsSource(std::shared_ptr<grpc::Channel> channel,
                                         server::JwtConfig jwt, std::string service_name)
    : stub_(cpb::ContractService::NewStub(std::move(channel))),
      token_(std::move(jwt), std::move(service_name)) {}

absl::StatusOr<ResolvedVersion> ContractTermsSource::Resolve(const std::string& contract,
                                                             absl::Time at) {
  cpb::ResolveTermsRequest req;
  req.set_contract(contract);
  req.mutable_at()->set_seconds(absl::ToUnixSeconds(at));
  return Call(req);
}

absl::StatusOr<ResolvedVersion> ContractTermsSource::ResolveVersion(const std::string& contract,
                                                                    const std::string& version) {
  cpb::ResolveTermsRequest req;
  req.set_contract(contract);
  req.set_version(version);
  return Call(req);
}

absl::StatusOr<ResolvedVersion> ContractTermsSource::Call(const cpb::ResolveTermsRequest& req) {
  const std::string& contract = req.contract();
  SLA_ASSIGN_OR_RETURN(std::string token, token_.Get());
  grpc::ClientContext ctx;
  PrepareCall(ctx, token, absl::Seconds(5));
  cpb::ResolveTermsResponse resp;
  const grpc::Status s = stub_->ResolveTerms(&ctx, req, &resp);
  if (!s.ok()) {
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
        s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return absl::UnavailableError("contract-svc is unavailable; retry");
    }
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      return absl::NotFoundError(absl::StrCat("`", contract, "` not found, or no terms in force"));
    }
    if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
        s.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      return FromGrpcStatus(s);
    }
    return absl::InternalError(absl::StrCat("ResolveTerms failed: ", s.error_message()));
  }
  ResolvedVersion v;
  v.name = resp.version().name();
  v.terms = resp.version().terms();
  v.effective_from = absl::FromUnixSeconds(resp.version().effective_from().seconds());
  if (resp.version().has_effective_until()) {
    v.effective_until = absl::FromUnixSeconds(resp.version().effective_until().seconds());
  }
  return v;
}

absl::StatusOr<std::vector<cpb::Contract>> ContractTermsSource::List(const std::string& filter) {
  std::vector<cpb::Contract> out;
  std::string page_token;
  do {
    SLA_ASSIGN_OR_RETURN(std::string token, token_.Get());
    grpc::ClientContext ctx;
    PrepareCall(ctx, token, absl::Seconds(10));
    cpb::ListContractsRequest req;
    req.set_parent("customers/-");
    req.set_page_size(1000);
    req.set_page_token(page_token);
    req.set_filter(filter);
    cpb::ListContractsResponse resp;
    const grpc::Status s = stub_->ListContracts(&ctx, req, &resp);
    if (!s.ok())
      return absl::UnavailableError(absl::StrCat("ListContracts failed: ", s.error_message()));
    for (auto& c : *resp.mutable_contracts()) {
      c.clear_terms();  // only names and lifecycle are wanted; terms come from ResolveTerms
      out.push_back(std::move(c));
    }
    page_token = resp.next_page_token();
  } while (!page_token.empty());
  return out;
}

absl::StatusOr<std::vector<std::string>> ContractTermsSource::ActiveContracts() {
  SLA_ASSIGN_OR_RETURN(std::vector<cpb::Contract> contracts, List("state = ACTIVE"));
  std::vector<std::string> out;
  for (const auto& c : contracts) out.push_back(c.name());
  return out;
}

absl::StatusOr<std::vector<ContractTermsSource::Terminated>>
ContractTermsSource::TerminatedContracts(absl::Time since) {
  SLA_ASSIGN_OR_RETURN(std::vector<cpb::Contract> contracts, List("state = TERMINATED"));
  std::vector<Terminated> out;
  for (const auto& c : contracts) {
    const absl::Time t = absl::FromUnixSeconds(c.termination_time().seconds());
    if (c.has_termination_time() && t >= since) out.push_back({c.name(), t});
  }
  return out;
}

}  // namespace sla::clients
