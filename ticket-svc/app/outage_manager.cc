#include "ticket-svc/app/outage_manager.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/list_request.h"
#include "common/api/resource_name.h"
#include "common/server/access.h"
#include "common/server/customer_scope.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "ticket-svc/app/access.h"
#include "ticket-svc/domain/requests.h"

namespace sla::ticket {
namespace {

using api::ParseCustomerParent;
using server::Identity;

constexpr auto Length = CheckLength;
int64_t Seconds(absl::Time t) { return absl::ToUnixSeconds(t); }

OutboxRow OutageEvent(const OutageRow& o, const char* type, int64_t at) {
  const std::string name = o.name();
  OutboxRow row{type, name, o.customer_id, at, {}};
  sla::v1::OutageEventPayload& payload = *row.payload.mutable_outage();
  payload.set_outage(name);
  payload.set_customer(absl::StrCat("customers/", o.customer_id));
  payload.set_contract(o.contract_name());
  payload.set_service_id(o.service_id);
  payload.mutable_start_time()->set_seconds(o.start_time);
  if (o.end_time) payload.mutable_end_time()->set_seconds(*o.end_time);
  payload.set_planned(o.planned);
  payload.set_exclusion_id(o.exclusion_id);
  payload.set_ticket(o.ticket);
  return row;
}

}  // namespace

absl::StatusOr<OutageRow> OutageManager::CreateOutage(const Identity& who, const NewOutageInput& in,
                                                      const api::RequestKey& key) {
  if (!IsMsp(who) && !who.HasRole("service")) {
    return PermissionDenied("only msp_admin, msp_agent or service may record outages");
  }
  SLA_ASSIGN_OR_RETURN(const std::string customer, ParseCustomerParent(in.parent, false));
  SLA_ASSIGN_OR_RETURN(auto contract,
                       api::ParseCustomerChild(in.contract, "contracts", "outage.contract"));
  if (contract.first != customer) {
    return InvalidField("outage.contract", "must be a contract of the parent customer");
  }
  SLA_RETURN_IF_ERROR(Length(in.service_id, kMaxShort, "outage.service_id", true));
  SLA_RETURN_IF_ERROR(Length(in.summary, 2000, "outage.summary", false));
  SLA_RETURN_IF_ERROR(Length(in.request_id, kMaxRequestId, "request_id", false));
  if (!in.start_time) return InvalidField("outage.start_time", "is required");
  const int64_t start = *in.start_time;
  const absl::Time now = options_.clock();
  if (start > Seconds(now)) return InvalidField("outage.start_time", "is in the future");
  const std::optional<int64_t> end = in.end_time;
  if (end) {
    if (*end <= start) return InvalidField("outage.end_time", "must be after start_time");
    if (*end > Seconds(now)) return InvalidField("outage.end_time", "is in the future");
  }
  if (!in.ticket.empty()) {
    SLA_ASSIGN_OR_RETURN(auto tk, api::ParseCustomerChild(in.ticket, "tickets", "outage.ticket"));
    if (tk.first != customer)
      return InvalidField("outage.ticket", "must be a ticket of the parent customer");
  }
  // The service and the exclusion are checked against the terms in force at the start.
  SLA_ASSIGN_OR_RETURN(std::shared_ptr<const core::TermsContext> terms,
                       terms_->ForContractAt(in.contract, absl::FromUnixSeconds(start)));
  if (!terms->HasService(in.service_id)) {
    return InvalidField("outage.service_id", "is not a service in scope of the contract");
  }
  if (!in.exclusion_id.empty()) {
    const sla::v1::Exclusion* e = terms->FindExclusion(in.exclusion_id);
    if (e == nullptr)
      return InvalidField("outage.exclusion_id", "is not an exclusion of the terms");
    if (!e->excluded_from_availability()) {
      return InvalidField("outage.exclusion_id", "does not exclude downtime from availability");
    }
  }
  OutageRow o;
  o.id = options_.new_id ? options_.new_id('o', now) : RandomTimeOrderedId('o', now);
  o.customer_id = customer;
  o.contract_id = contract.second;
  o.service_id = in.service_id;
  o.start_time = start;
  o.end_time = end;
  o.planned = in.planned;
  o.exclusion_id = in.exclusion_id;
  o.ticket = in.ticket;
  o.summary = in.summary;
  o.create_time = o.update_time = Seconds(now);
  const std::string name = o.name();
  std::optional<std::string> existing;
  SLA_RETURN_IF_ERROR(repo_->Transact([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(existing, tx.ClaimRequestId(key, "CreateOutage", who.subject, name));
    if (existing) return absl::OkStatus();
    SLA_RETURN_IF_ERROR(tx.InsertOutage(o));
    std::vector<OutboxRow> events{OutageEvent(o, "outage.opened", o.start_time)};
    if (o.end_time) events.push_back(OutageEvent(o, "outage.closed", *o.end_time));
    return tx.Publish(events);
  }));
  if (existing) return GetOutage(who, *existing);
  options_.on_events_written();
  return o;
}

absl::StatusOr<OutageRow> OutageManager::CloseOutage(const Identity& who, const std::string& name,
                                                     std::optional<int64_t> end_time) {
  if (!IsMsp(who) && !who.HasRole("service")) {
    return PermissionDenied("only msp_admin, msp_agent or service may close outages");
  }
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(name, "outages", "name"));
  if (!end_time) return InvalidField("end_time", "is required");
  const int64_t end = *end_time;
  const int64_t now = Seconds(options_.clock());
  if (end > now) return InvalidField("end_time", "is in the future");
  OutageRow o;
  SLA_RETURN_IF_ERROR(repo_->Transact([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(std::optional<OutageRow> row, tx.LoadOutage(parsed.second, true));
    if (!row || row->customer_id != parsed.first) return NotFound(name);
    if (row->end_time) return WrongState(name, "the outage is already closed");
    if (end <= row->start_time)
      return InvalidField("end_time", "must be after the outage's start_time");
    o = *row;
    o.end_time = end;
    o.version++;
    o.update_time = now;
    SLA_RETURN_IF_ERROR(tx.UpdateOutage(o));
    const OutboxRow ev = OutageEvent(o, "outage.closed", end);
    return tx.Publish({&ev, 1});
  }));
  options_.on_events_written();
  return o;
}

absl::StatusOr<OutageRow> OutageManager::GetOutage(const Identity& who, const std::string& name) {
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(name, "outages", "name"));
  SLA_RETURN_IF_ERROR(CanRead(who, parsed.first, name));
  std::optional<OutageRow> row;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(row, tx.LoadOutage(parsed.second, false));
    return absl::OkStatus();
  }));
  if (!row || row->customer_id != parsed.first) return NotFound(name);
  return *std::move(row);
}

absl::StatusOr<OutageManager::Page> OutageManager::ListOutages(const Identity& who,
                                                               const api::PageRequest& req) {
  SLA_ASSIGN_OR_RETURN(const std::string customer, ParseCustomerParent(req.parent, true));
  SLA_ASSIGN_OR_RETURN(server::CustomerScope scope,
                       server::CustomerScope::ForCaller(who, customer, req.parent, "outages"));
  SLA_ASSIGN_OR_RETURN(const int page_size, api::PageSize(req.page_size));
  SLA_ASSIGN_OR_RETURN(std::vector<api::Restriction> filter, api::ParseFilter(req.filter));
  SLA_ASSIGN_OR_RETURN(std::string after, api::DecodePageToken(req.page_token, req.filter));
  OutageQuery q(std::move(scope));
  q.after_id = after;
  q.limit = page_size + 1;
  for (const api::Restriction& r : filter) {
    const std::string field = absl::StrCat("filter.", r.field);
    SLA_RETURN_IF_ERROR(api::CheckFilterField(r, {"service_id", "contract", "open", "planned"}));
    if (r.field == "service_id") {
      q.service_id = r.value;
    } else if (r.field == "contract") {
      SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(r.value, "contracts", field));
      SLA_RETURN_IF_ERROR(q.scope.NarrowTo(k.first, r.value));
      q.contract_id = k.second;
    } else if (r.field == "open" || r.field == "planned") {
      if (r.value != "true" && r.value != "false")
        return InvalidField(field, "must be true or false");
      (r.field == "open" ? q.open : q.planned) = r.value == "true";
    } else {
      return InvalidField(field, "unknown field (service_id, contract, open, planned)");
    }
  }
  std::vector<OutageRow> rows;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(rows, tx.ListOutages(q));
    return absl::OkStatus();
  }));
  Page out;
  if (static_cast<int>(rows.size()) > page_size) {
    out.next_page_token = api::EncodePageToken(rows[page_size - 1].id, req.filter);
    rows.resize(page_size);
  }
  out.outages = std::move(rows);
  return out;
}

}  // namespace sla::ticket
