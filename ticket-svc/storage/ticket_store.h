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
#include "ticket-svc/domain/records.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket::storage {

using mysql::Connection;

// --- Tickets ---
// NOT_FOUND (as an empty optional) if absent.
absl::StatusOr<std::optional<Ticket>> LoadTicket(Connection& c, const std::string& id,
                                                 bool for_update);
// Writes back changed tickets (whose `version` the caller already bumped), in one round trip
// per chunk.
absl::Status SaveTickets(Connection& c, absl::Span<const std::pair<const Ticket*, Derived>> rows);
// Locks up to `limit` tickets with an event due by `now`, skipping rows another worker holds.
absl::StatusOr<std::vector<Ticket>> ClaimDueTickets(Connection& c, int64_t now, int limit);

absl::StatusOr<std::vector<ListedTicket>> ListTickets(Connection& c, const TicketQuery& q);

// Several new tickets, each with its request-id claim, first history row and outbox event
// (numbered under the outbox sequence's lock), committed as one transaction in a single
// round trip (START TRANSACTION, one INSERT per table, COMMIT, as one compound statement):
// the group commit of concurrent CreateTickets. A request id claimed before fails the whole
// transaction (ALREADY_EXISTS, rolled back): the caller then writes the tickets one by one
// to find which. UNAVAILABLE means the connection was lost with the outcome unknown (the
// COMMIT may have run).
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
absl::Status InsertComment(Connection& c, const CommentRow& row);
absl::StatusOr<std::vector<CommentRow>> ListComments(Connection& c, const std::string& ticket_id,
                                                     bool include_internal,
                                                     const std::string& after_id, int limit);

// --- Outages ---
absl::Status InsertOutage(Connection& c, const OutageRow& o);
absl::StatusOr<std::optional<OutageRow>> LoadOutage(Connection& c, const std::string& id,
                                                    bool for_update);
absl::Status UpdateOutage(Connection& c, const OutageRow& o);
absl::StatusOr<std::vector<OutageRow>> ListOutages(Connection& c, const OutageQuery& q);

// --- Terms versions ---
absl::StatusOr<std::optional<std::string>> LoadTermsVersion(Connection& c, const std::string& name);
absl::Status StoreTermsVersion(Connection& c, const std::string& name, const std::string& terms,
                               int64_t effective_from);

}  // namespace sla::ticket::storage
