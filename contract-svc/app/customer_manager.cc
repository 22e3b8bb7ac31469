#include "contract-svc/app/customer_manager.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/list_request.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "contract-svc/app/access.h"

namespace sla::contract {
namespace {

absl::StatusOr<Customer::State> ParseState(const std::string& s) {
  if (s == "ACTIVE") return Customer::State::kActive;
  if (s == "SUSPENDED") return Customer::State::kSuspended;
  if (s == "ARCHIVED") return Customer::State::kArchived;
  return InvalidField("filter", absl::StrCat("unknown state `", s, "`"));
}

}  // namespace

CustomerManager::CustomerManager(CustomerRepository* repo, std::function<absl::Time()> clock,
                                 std::function<std::string()> new_id)
    : repo_(repo), clock_(std::move(clock)), new_id_(std::move(new_id)) {}

absl::StatusOr<Customer> CustomerManager::Create(const server::Identity& caller, Customer input,
                                                 const api::RequestKey& request_id) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "customers"));
  SLA_RETURN_IF_ERROR(ValidateCustomer(input));
  input.id = new_id_();
  input.state = Customer::State::kActive;
  input.version = 1;
  input.create_time = input.update_time = clock_();
  return repo_->Create(input, request_id, caller.subject);
}

absl::StatusOr<Customer> CustomerManager::Get(const server::Identity& caller,
                                              const std::string& name) {
  SLA_ASSIGN_OR_RETURN(std::string id, ParseCustomerName(name, "name"));
  SLA_RETURN_IF_ERROR(RequireReadAccess(caller, id, name));
  return repo_->Get(id);
}

absl::StatusOr<CustomerManager::Page> CustomerManager::List(const server::Identity& caller,
                                                            int page_size,
                                                            const std::string& page_token,
                                                            const std::string& filter) {
  // `customers/-` is implied: staff read every customer, a customer role its own.
  SLA_ASSIGN_OR_RETURN(server::CustomerScope scope,
                       server::CustomerScope::ForCaller(caller, "", "customers/-", "customers"));
  CustomerQuery q(std::move(scope));
  SLA_ASSIGN_OR_RETURN(q.limit, api::PageSize(page_size));
  SLA_ASSIGN_OR_RETURN(q.after_id, api::DecodePageToken(page_token, filter));
  SLA_ASSIGN_OR_RETURN(std::vector<api::Restriction> restrictions, api::ParseFilter(filter));
  for (const api::Restriction& r : restrictions) {
    if (r.field == "state" && r.op == '=') {
      SLA_ASSIGN_OR_RETURN(q.state, ParseState(r.value));
    } else if (r.field == "display_name" && r.op == ':') {
      q.name_contains = r.value;
    } else {
      return InvalidField(
          "filter", absl::StrCat("`", r.field, " ", std::string(1, r.op),
                                 "` is not supported; use `state = …` or `display_name : …`"));
    }
  }
  SLA_ASSIGN_OR_RETURN(std::vector<Customer> rows, repo_->List(q));
  Page page;
  if (static_cast<int>(rows.size()) > q.limit) {
    rows.resize(q.limit);
    page.next_page_token = api::EncodePageToken(rows.back().id, filter);
  }
  page.customers = std::move(rows);
  return page;
}

absl::StatusOr<Customer> CustomerManager::Update(const server::Identity& caller,
                                                 const std::string& name, const std::string& etag,
                                                 const Customer& patch,
                                                 const std::vector<std::string>& mask) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "customers"));
  SLA_ASSIGN_OR_RETURN(std::string id, ParseCustomerName(name, "customer.name"));
  if (mask.empty()) return InvalidField("update_mask", "is required: name the fields to change");
  for (const std::string& path : mask) {
    if (path != "display_name" && path != "time_zone" && path != "state") {
      return InvalidField("update_mask", absl::StrCat("`", path, "` cannot be updated"));
    }
  }
  if (etag.empty()) return InvalidField("customer.etag", "is required");
  auto has = [&](const char* p) { return std::find(mask.begin(), mask.end(), p) != mask.end(); };
  return repo_->Update(
      id,
      [&](Customer& c) -> absl::Status {
        if (c.etag() != etag) return EtagMismatch(name);
        if (has("display_name")) c.display_name = patch.display_name;
        if (has("time_zone")) c.time_zone = patch.time_zone;
        if (has("state")) c.state = patch.state;
        return ValidateCustomer(c);
      },
      clock_());
}

}  // namespace sla::contract
