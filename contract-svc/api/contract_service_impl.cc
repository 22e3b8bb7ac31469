#include "contract-svc/api/contract_service_impl.h"

#include <random>

#include "absl/strings/str_format.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace sla::contract {
namespace {

using google::protobuf::util::TimeUtil;

std::string NewId(const char* prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%s-%016x", prefix, rng());
}

std::vector<std::string> MaskPaths(const google::protobuf::FieldMask& mask) {
  return {mask.paths().begin(), mask.paths().end()};
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

void ToProto(const Customer& c, pb::Customer* out) {
  out->set_name(c.name());
  out->set_display_name(c.display_name);
  out->set_state(static_cast<pb::Customer::State>(static_cast<int>(c.state)));
  out->set_time_zone(c.time_zone);
  out->set_etag(c.etag());
  *out->mutable_create_time() = ToTimestamp(c.create_time);
  *out->mutable_update_time() = ToTimestamp(c.update_time);
}

Customer FromProto(const pb::Customer& p) {
  Customer c;
  c.display_name = p.display_name();
  c.time_zone = p.time_zone();
  c.state = static_cast<Customer::State>(static_cast<int>(p.state()));
  return c;
}

}  // namespace

ContractServiceImpl::ContractServiceImpl(const server::RpcBoundary& boundary,
                                         std::unique_ptr<CustomerRepository> customers,
                                         std::unique_ptr<CalendarRepository> calendars,
                                         std::function<absl::Time()> clock)
    : boundary_(boundary),
      customer_repo_(std::move(customers)),
      calendar_repo_(std::move(calendars)),
      customers_(customer_repo_.get(), clock, [] { return NewId("cust"); }),
      calendars_(calendar_repo_.get(), clock, [] { return NewId("cal"); }) {}

grpc::Status ContractServiceImpl::CreateCustomer(grpc::ServerContext* ctx,
                                                 const pb::CreateCustomerRequest* req,
                                                 pb::Customer* resp) {
  return boundary_.Run(ctx, "CreateCustomer", [&](const server::CallContext& call) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(Customer c, customers_.Create(call.identity, FromProto(req->customer()),
                                                       req->request_id()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status ContractServiceImpl::GetCustomer(grpc::ServerContext* ctx,
                                              const pb::GetCustomerRequest* req,
                                              pb::Customer* resp) {
  return boundary_.Run(ctx, "GetCustomer", [&](const server::CallContext& call) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(Customer c, customers_.Get(call.identity, req->name()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status ContractServiceImpl::ListCustomers(grpc::ServerContext* ctx,
                                                const pb::ListCustomersRequest* req,
                                                pb::ListCustomersResponse* resp) {
  return boundary_.Run(ctx, "ListCustomers", [&](const server::CallContext& call) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(CustomerManager::Page page,
                         customers_.List(call.identity, req->page_size(), req->page_token(),
                                         req->filter()));
    for (const Customer& c : page.customers) ToProto(c, resp->add_customers());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status ContractServiceImpl::UpdateCustomer(grpc::ServerContext* ctx,
                                                 const pb::UpdateCustomerRequest* req,
                                                 pb::Customer* resp) {
  return boundary_.Run(ctx, "UpdateCustomer", [&](const server::CallContext& call) -> absl::Status {
    const std::vector<std::string> mask = MaskPaths(req->update_mask());
    if (std::find(mask.begin(), mask.end(), "state") != mask.end() &&
        req->customer().state() == pb::Customer::STATE_UNSPECIFIED) {
      return InvalidField("customer.state", "must be ACTIVE, SUSPENDED or ARCHIVED");
    }
    SLA_ASSIGN_OR_RETURN(Customer c,
                         customers_.Update(call.identity, req->customer().name(),
                                           req->customer().etag(), FromProto(req->customer()), mask));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status ContractServiceImpl::CreateCalendar(grpc::ServerContext* ctx,
                                                 const pb::CreateCalendarRequest* req,
                                                 ::sla::v1::BusinessCalendar* resp) {
  return boundary_.Run(ctx, "CreateCalendar", [&](const server::CallContext& call) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(*resp, calendars_.Create(call.identity, req->calendar(), req->calendar_id(),
                                                  req->request_id()));
    return absl::OkStatus();
  });
}

grpc::Status ContractServiceImpl::GetCalendar(grpc::ServerContext* ctx,
                                              const pb::GetCalendarRequest* req,
                                              ::sla::v1::BusinessCalendar* resp) {
  return boundary_.Run(ctx, "GetCalendar", [&](const server::CallContext& call) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(*resp, calendars_.Get(call.identity, req->name()));
    return absl::OkStatus();
  });
}

grpc::Status ContractServiceImpl::ListCalendars(grpc::ServerContext* ctx,
                                                const pb::ListCalendarsRequest* req,
                                                pb::ListCalendarsResponse* resp) {
  return boundary_.Run(ctx, "ListCalendars", [&](const server::CallContext& call) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(CalendarManager::Page page,
                         calendars_.List(call.identity, req->page_size(), req->page_token()));
    for (auto& c : page.calendars) *resp->add_calendars() = std::move(c);
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status ContractServiceImpl::UpdateCalendar(grpc::ServerContext* ctx,
                                                 const pb::UpdateCalendarRequest* req,
                                                 ::sla::v1::BusinessCalendar* resp) {
  return boundary_.Run(ctx, "UpdateCalendar", [&](const server::CallContext& call) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(*resp, calendars_.Update(call.identity, req->calendar(),
                                                  MaskPaths(req->update_mask())));
    return absl::OkStatus();
  });
}

}  // namespace sla::contract
