// ticket-svc's tables on MariaDB. Functions take the connection of the caller's transaction,
// so a change, its history, its escalations and its outbox events commit together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "common/server/customer_scope.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket::storage {

using mysql::Connection;

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

// --- Tickets ---
// NOT_FOUND (as an empty optional) if absent.
absl::StatusOr<std::optional<Ticket>> LoadTicket(Connection& c, const std::string& id,
                                                 bool for_update);
// Writes back changed tickets (whose `version` the caller already bumped), in one round trip
// per chunk.
absl::Status SaveTickets(Connection& c, absl::Span<const std::pair<const Ticket*, Derived>> rows);
// Locks up to `limit` tickets with an event due by `now`, skipping rows another worker holds.
absl::StatusOr<std::vector<Ticket>> ClaimDueTickets(Connection& c, int64_t now, int limit);

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
absl::StatusOr<std::vector<ListedTicket>> ListTickets(Connection& c, const TicketQuery& q);

struct RequestClaim {
  std::string request_id;  // empty: no idempotency key
  std::string method;
  std::string caller;
  std::string resource_name;
  std::string fingerprint;  // of the request (api::RequestKey), stored with the claim
};
// Several new tickets, each with its request-id claim, first history row and outbox event
// (numbered under the outbox sequence's lock), committed as one transaction in a single
// round trip (START TRANSACTION, one INSERT per table, COMMIT, as one compound statement):
// the group commit of concurrent CreateTickets. A request id claimed before fails the whole
// transaction (ALREADY_EXISTS, rolled back): the caller then writes the tickets one by one
// to find which. UNAVAILABLE means the connection was lost with the outcome unknown (the
// COMMIT may have run).
struct NewTicketRows {
  RequestClaim claim;
  Ticket ticket;
  Derived derived;
  HistoryRow history;
  OutboxRow event;
};
absl::Status InsertNewTicketsInOneRoundTrip(Connection& c,
                                            absl::Span<const NewTicketRows* const> rows);
// One new ticket on its own, by the same statements as a batch of one (the one write path of a
// new ticket), retried after a deadlock. `r.claim` must be set: after a lost connection it
// tells whether the COMMIT ran (then OK: this is the ticket) or not (then it runs again).
// ALREADY_EXISTS if the request id or the ticket id was taken before.
absl::Status InsertNewTicketAlone(mysql::ConnectionPool& pool, const NewTicketRows& r);

// --- Effects ---
absl::Status InsertHistory(Connection& c, absl::Span<const HistoryRow> rows);
absl::Status InsertEscalations(Connection& c, absl::Span<const EscalationRow> rows);
// The history rows' `entries`, in order.
absl::StatusOr<std::vector<std::string>> ListHistory(Connection& c, const std::string& ticket_id);
absl::StatusOr<std::vector<std::string>> ListEscalations(Connection& c,
                                                         const std::string& ticket_id);

// --- Comments ---
struct CommentRow {
  std::string id;
  std::string ticket_id;
  sla::ticket::v1::Comment comment;
};
absl::Status InsertComment(Connection& c, const CommentRow& row);
absl::StatusOr<std::vector<CommentRow>> ListComments(Connection& c, const std::string& ticket_id,
                                                     bool include_internal,
                                                     const std::string& after_id, int limit);

// --- Outages ---
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
};
absl::Status InsertOutage(Connection& c, const OutageRow& o);
absl::StatusOr<std::optional<OutageRow>> LoadOutage(Connection& c, const std::string& id,
                                                    bool for_update);
absl::Status UpdateOutage(Connection& c, const OutageRow& o);
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
absl::StatusOr<std::vector<OutageRow>> ListOutages(Connection& c, const OutageQuery& q);

// --- Terms versions ---
absl::StatusOr<std::optional<std::string>> LoadTermsVersion(Connection& c, const std::string& name);
absl::Status StoreTermsVersion(Connection& c, const std::string& name, const std::string& terms,
                               int64_t effective_from);

}  // namespace sla::ticket::storage
