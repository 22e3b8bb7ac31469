// What ticket-svc stores, as the use cases and the repository exchange it: rows of a change's
// SLA history and escalations, comments, outages, new tickets with their request-id claim, and
// the queries of the list RPCs. Plain values; storage/ maps them to tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/outbox/row.h"
#include "common/server/customer_scope.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket {

// The SLA history entries one change caused.
struct HistoryRow {
  std::string ticket_id;
  int64_t seq = 0;      // the first entry's number
  std::string entries;  // serialized ListSlaHistoryResponse
};
struct EscalationRow {
  std::string ticket_id;
  int clock = 0;
  int cycle = 0;
  int level = 0;
  int64_t fire_time = 0;
  std::string escalation;  // serialized Escalation
};
using OutboxRow = outbox::Row;

struct TicketQuery {
  explicit TicketQuery(server::CustomerScope s) : scope(std::move(s)) {}
  server::CustomerScope scope;  // whose tickets: a caller's customer, never "" by accident
  std::optional<int> status;
  std::optional<int> priority;
  std::optional<bool> breached;
  std::optional<bool> at_risk;
  std::optional<std::string> contract_id;
  std::optional<std::string> service_id;
  std::optional<int64_t> due_before;
  int64_t now = 0;
  // By id (default), or by next due time: tickets with a running clock by (next_due_at, id),
  // then those without one by id.
  bool by_next_due = false;
  std::string after_id;
  // by_next_due: the last page ended at this due time; nullopt once among the tickets
  // without one (or on the first page, with after_id empty).
  std::optional<int64_t> after_due;
  int limit = 50;
};
struct ListedTicket {
  Ticket ticket;
  std::optional<int64_t> next_due_at;  // as stored: the key of the next_due_time order
};

struct RequestClaim {
  std::string request_id;  // empty: no idempotency key
  std::string method;
  std::string caller;
  std::string resource_name;
  std::string fingerprint;  // of the request (api::RequestKey), stored with the claim
};
// A new ticket with everything its creation writes: the request-id claim, the first history
// row and the `ticket.opened` event.
struct NewTicketRows {
  RequestClaim claim;
  Ticket ticket;
  Derived derived;
  HistoryRow history;
  OutboxRow event;
};

struct CommentRow {
  std::string id;
  std::string ticket_id;
  sla::ticket::v1::Comment comment;
};

struct OutageRow {
  std::string id;
  std::string customer_id;
  std::string contract_id;
  std::string service_id;
  int64_t start_time = 0;
  std::optional<int64_t> end_time;
  bool planned = false;
  std::string exclusion_id;
  std::string ticket;
  std::string summary;
  int64_t version = 1;
  int64_t create_time = 0;
  int64_t update_time = 0;

  std::string name() const { return "customers/" + customer_id + "/outages/" + id; }
  std::string contract_name() const {
    return "customers/" + customer_id + "/contracts/" + contract_id;
  }
};
struct OutageQuery {
  explicit OutageQuery(server::CustomerScope s) : scope(std::move(s)) {}
  server::CustomerScope scope;
  std::optional<std::string> service_id;
  std::optional<std::string> contract_id;
  std::optional<bool> open;
  std::optional<bool> planned;
  std::string after_id;
  int limit = 50;
};

}  // namespace sla::ticket
