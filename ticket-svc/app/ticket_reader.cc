#include "ticket-svc/app/ticket_reader.h"

#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/list_request.h"
#include "common/api/resource_name.h"
#include "common/server/access.h"
#include "common/server/customer_scope.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "ticket-svc/app/access.h"

namespace sla::ticket {
namespace {

namespace pb = ::sla::ticket::v1;
using api::ParseCustomerParent;
using server::Identity;

int64_t Seconds(absl::Time t) { return absl::ToUnixSeconds(t); }

}  // namespace

absl::StatusOr<Ticket> TicketReader::Readable(const Identity& who, const std::string& name,
                                              TicketTx& tx) {
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(name, "tickets", "name"));
  SLA_RETURN_IF_ERROR(CanRead(who, parsed.first, name));
  SLA_ASSIGN_OR_RETURN(std::optional<Ticket> t, tx.LoadTicket(parsed.second, false));
  if (!t || t->customer_id != parsed.first) return NotFound(name);
  return *std::move(t);
}

absl::StatusOr<std::pair<Ticket, std::shared_ptr<const core::TermsContext>>> TicketReader::Read(
    const Identity& who, const std::string& name) {
  std::optional<Ticket> t;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(t, Readable(who, name, tx));
    return absl::OkStatus();
  }));
  SLA_ASSIGN_OR_RETURN(std::shared_ptr<const core::TermsContext> terms,
                       terms_->ForVersion(t->terms_version));
  return std::make_pair(*std::move(t), std::move(terms));
}

absl::StatusOr<TicketView> TicketReader::GetTicket(const Identity& who, const std::string& name) {
  SLA_ASSIGN_OR_RETURN(auto read, Read(who, name));
  return TicketView{std::move(read.first), std::move(read.second), Seconds(clock_())};
}

namespace {

// Where a page of ListTickets resumes: the last id, or by due time "d<due>:<id>" among tickets
// with a running clock and "n:<id>" among the others.
absl::Status ResumeAfter(const std::string& after, TicketQuery& q) {
  if (!q.by_next_due) {
    q.after_id = after;
  } else if (!after.empty()) {
    // "d<due>:<id>" among tickets with a running clock, "n:<id>" among the others.
    const size_t colon = after.find(':');
    int64_t due = 0;
    if (colon == std::string::npos || colon == after.size() - 1 ||
        (after[0] == 'd' ? !absl::SimpleAtoi(after.substr(1, colon - 1), &due)
                         : after.substr(0, colon) != "n")) {
      return InvalidField("page_token", "is malformed");
    }
    if (after[0] == 'd') q.after_due = due;
    q.after_id = after.substr(colon + 1);
  }
  return absl::OkStatus();
}

// ListTickets' filter into the query; INVALID_ARGUMENT naming `filter.<field>` otherwise.
absl::Status ApplyTicketFilter(const std::vector<api::Restriction>& filter, TicketQuery& q) {
  for (const api::Restriction& r : filter) {
    const std::string field = absl::StrCat("filter.", r.field);
    // The field first: `title : "mail"` is an unknown field, not an unsupported operator.
    SLA_RETURN_IF_ERROR(api::CheckFilterField(
        r, {"status", "priority", "breached", "at_risk", "contract", "service_id", "due_before"}));
    auto boolean = [&](std::optional<bool>& slot) -> absl::Status {
      if (r.value != "true" && r.value != "false")
        return InvalidField(field, "must be true or false");
      slot = r.value == "true";
      return absl::OkStatus();
    };
    if (r.field == "status") {
      pb::Ticket::Status s;
      if (!pb::Ticket::Status_Parse(r.value, &s) || s == pb::Ticket::STATUS_UNSPECIFIED) {
        return InvalidField(field, "must be a status name, e.g. IN_PROGRESS");
      }
      q.status = s;
    } else if (r.field == "priority") {
      sla::v1::Priority p;
      if (!sla::v1::Priority_Parse(r.value, &p) || p == sla::v1::PRIORITY_UNSPECIFIED) {
        return InvalidField(field, "must be a priority name, e.g. PRIORITY_P1");
      }
      q.priority = p;
    } else if (r.field == "breached") {
      SLA_RETURN_IF_ERROR(boolean(q.breached));
    } else if (r.field == "at_risk") {
      SLA_RETURN_IF_ERROR(boolean(q.at_risk));
    } else if (r.field == "contract") {
      SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(r.value, "contracts", field));
      SLA_RETURN_IF_ERROR(q.scope.NarrowTo(k.first, r.value));
      q.contract_id = k.second;
    } else if (r.field == "service_id") {
      q.service_id = r.value;
    } else if (r.field == "due_before") {
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, r.value, &t, &err)) {
        return InvalidField(field, "must be an RFC 3339 instant, e.g. 2026-12-08T05:00:00Z");
      }
      q.due_before = Seconds(t);
    } else {
      return InvalidField(field,
                          "unknown field (status, priority, breached, at_risk, contract, "
                          "service_id, due_before)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TicketPage> TicketReader::ListTickets(const Identity& who,
                                                     const api::PageRequest& req) {
  SLA_ASSIGN_OR_RETURN(const std::string customer, ParseCustomerParent(req.parent, true));
  // A customer lists its own tickets; `customers/-` means "mine".
  SLA_ASSIGN_OR_RETURN(server::CustomerScope scope,
                       server::CustomerScope::ForCaller(who, customer, req.parent, "tickets"));
  SLA_ASSIGN_OR_RETURN(const int page_size, api::PageSize(req.page_size));
  SLA_ASSIGN_OR_RETURN(std::vector<api::Restriction> filter, api::ParseFilter(req.filter));
  SLA_ASSIGN_OR_RETURN(std::optional<api::OrderBy> order,
                       api::ParseOrderBy(req.order_by, {"next_due_time"}));
  if (order && order->descending)
    return InvalidField("order_by", "`next_due_time` sorts soonest first only");
  const std::string binding = api::PageBinding(req.filter, req.order_by);
  SLA_ASSIGN_OR_RETURN(std::string after, api::DecodePageToken(req.page_token, binding));
  const int64_t now = Seconds(clock_());
  TicketQuery q(std::move(scope));
  q.now = now;
  q.limit = page_size + 1;
  q.by_next_due = order.has_value();
  SLA_RETURN_IF_ERROR(ResumeAfter(after, q));
  SLA_RETURN_IF_ERROR(ApplyTicketFilter(filter, q));
  std::vector<ListedTicket> rows;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(rows, tx.ListTickets(q));
    return absl::OkStatus();
  }));
  TicketPage out;
  if (static_cast<int>(rows.size()) > page_size) {
    const ListedTicket& last = rows[page_size - 1];
    std::string key = last.ticket.id;
    if (q.by_next_due) {
      key = last.next_due_at ? absl::StrCat("d", *last.next_due_at, ":", last.ticket.id)
                             : absl::StrCat("n:", last.ticket.id);
    }
    out.next_page_token = api::EncodePageToken(key, binding);
  }
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < page_size; ++i) {
    SLA_ASSIGN_OR_RETURN(std::shared_ptr<const core::TermsContext> terms,
                         terms_->ForVersion(rows[i].ticket.terms_version));
    out.tickets.push_back({std::move(rows[i].ticket), std::move(terms), now});
  }
  return out;
}

absl::StatusOr<CommentPage> TicketReader::ListComments(const Identity& who,
                                                       const api::PageRequest& req) {
  SLA_ASSIGN_OR_RETURN(auto read, Read(who, req.parent));
  SLA_ASSIGN_OR_RETURN(const int page_size, api::PageSize(req.page_size));
  SLA_ASSIGN_OR_RETURN(std::string after, api::DecodePageToken(req.page_token, ""));
  std::vector<CommentRow> rows;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(rows, tx.ListComments(read.first.id, IsMsp(who) || who.HasRole("service"),
                                               after, page_size + 1));
    return absl::OkStatus();
  }));
  CommentPage out;
  if (static_cast<int>(rows.size()) > page_size) {
    out.next_page_token = api::EncodePageToken(rows[page_size - 1].id, "");
  }
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < page_size; ++i) {
    rows[i].comment.set_name(absl::StrCat(req.parent, "/comments/", rows[i].id));
    out.comments.push_back(std::move(rows[i]));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> TicketReader::ReadRows(
    const Identity& who, const std::string& parent,
    absl::StatusOr<std::vector<std::string>> (TicketTx::*rows)(const std::string&)) {
  std::vector<std::string> blobs;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(const Ticket t, Readable(who, parent, tx));
    SLA_ASSIGN_OR_RETURN(blobs, (tx.*rows)(t.id));
    return absl::OkStatus();
  }));
  return blobs;
}

absl::StatusOr<std::vector<std::string>> TicketReader::ListSlaHistory(const Identity& who,
                                                                      const std::string& parent) {
  return ReadRows(who, parent, &TicketTx::ListHistory);
}

absl::StatusOr<std::vector<std::string>> TicketReader::ListEscalations(const Identity& who,
                                                                       const std::string& parent) {
  return ReadRows(who, parent, &TicketTx::ListEscalations);
}

}  // namespace sla::ticket
