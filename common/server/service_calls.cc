#include "common/server/service_calls.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::server {
namespace {

const std::map<std::string, std::set<std::string>, std::less<>>& Allowed() {
  static const auto* allowed = new std::map<std::string, std::set<std::string>, std::less<>>{
      {"ticket-svc",
       {"/sla.contract.v1.ContractService/ResolveTerms",
        "/sla.contract.v1.ContractService/AuthenticateApiKey"}},
      {"billing-svc",
       {"/sla.contract.v1.ContractService/ResolveTerms",
        "/sla.contract.v1.ContractService/ListContracts",
        "/sla.contract.v1.ContractService/AuthenticateApiKey",
        "/sla.ticket.v1.TicketService/ListEvents", "/sla.ticket.v1.TicketService/WatchEvents",
        "/sla.v1.EventService/ListEvents", "/sla.v1.EventService/WatchEvents"}},
      {"reporting-svc",
       {"/sla.contract.v1.ContractService/ResolveTerms",
        "/sla.contract.v1.ContractService/ListContracts",
        "/sla.contract.v1.ContractService/AuthenticateApiKey",
        "/sla.ticket.v1.TicketService/ListEvents", "/sla.ticket.v1.TicketService/WatchEvents",
        "/sla.billing.v1.BillingService/ListEvents", "/sla.billing.v1.BillingService/WatchEvents",
        "/sla.v1.EventService/ListEvents", "/sla.v1.EventService/WatchEvents"}},
      {"contract-svc", {"/sla.reporting.v1.ReportingService/SimulateTerms"}},
  };
  return *allowed;
}

}  // namespace

std::string FullMethodName(const google::protobuf::Message& request, absl::string_view method) {
  const google::protobuf::FileDescriptor* file = request.GetDescriptor()->file();
  if (file->service_count() != 1) return std::string(method);
  return absl::StrCat("/", file->service(0)->full_name(), "/", method);
}

absl::Status CheckServiceCall(const Identity& caller, const google::protobuf::Message& request,
                              absl::string_view method) {
  if (!caller.HasRole("service")) return absl::OkStatus();
  const std::string full_method = FullMethodName(request, method);
  const auto& allowed = Allowed();
  auto it = allowed.find(caller.subject);
  if (it != allowed.end() && it->second.contains(full_method)) return absl::OkStatus();
  return PermissionDenied(absl::StrCat("service `", caller.subject, "` may not call ", full_method,
                                       " (a service calls only the RPCs it uses)"));
}

}  // namespace sla::server
