// ticket-svc's tables as the use cases see them: one transaction's reads and writes in domain
// terms (domain/records.h). storage/ implements it on MariaDB; app tests use the in-memory fake
// (app/fake_ticket_repository.h), which keeps the same rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/api/request_key.h"
#include "common/outbox/row.h"
#include "ticket-svc/domain/records.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket {

// One transaction (or, from Read, one connection without one).
class TicketTx {
 public:
  virtual ~TicketTx() = default;

  // --- Tickets ---
  // nullopt if absent; `for_update` locks the row until the transaction ends.
  virtual absl::StatusOr<std::optional<Ticket>> LoadTicket(const std::string& id,
                                                           bool for_update) = 0;
  // Writes back changed tickets (whose `version` the caller already bumped).
  virtual absl::Status SaveTickets(absl::Span<const std::pair<const Ticket*, Derived>> rows) = 0;
  // Locks up to `limit` tickets with an event due by `now`, skipping rows another transaction
  // holds (so replicas share the work).
  virtual absl::StatusOr<std::vector<Ticket>> ClaimDueTickets(int64_t now, int limit) = 0;
  // A page of tickets in the query's scope and order, at most `q.limit`.
  virtual absl::StatusOr<std::vector<ListedTicket>> ListTickets(const TicketQuery& q) = 0;

  // --- What changes caused ---
  virtual absl::Status InsertHistory(absl::Span<const HistoryRow> rows) = 0;
  virtual absl::Status InsertEscalations(absl::Span<const EscalationRow> rows) = 0;
  // A ticket's history rows' `entries`, in order.
  virtual absl::StatusOr<std::vector<std::string>> ListHistory(const std::string& ticket_id) = 0;
  // A ticket's escalations, serialized, in order of firing.
  virtual absl::StatusOr<std::vector<std::string>> ListEscalations(
      const std::string& ticket_id) = 0;
  // ticket-svc's events, published when the transaction commits.
  virtual absl::Status Publish(absl::Span<const outbox::Row> events) = 0;

  // --- Comments ---
  virtual absl::Status InsertComment(const CommentRow& row) = 0;
  // In id order after `after_id`; internal ones only if `include_internal`.
  virtual absl::StatusOr<std::vector<CommentRow>> ListComments(const std::string& ticket_id,
                                                               bool include_internal,
                                                               const std::string& after_id,
                                                               int limit) = 0;

  // --- Outages ---
  // ALREADY_EXISTS if the id is taken.
  virtual absl::Status InsertOutage(const OutageRow& o) = 0;
  virtual absl::StatusOr<std::optional<OutageRow>> LoadOutage(const std::string& id,
                                                              bool for_update) = 0;
  virtual absl::Status UpdateOutage(const OutageRow& o) = 0;
  virtual absl::StatusOr<std::vector<OutageRow>> ListOutages(const OutageQuery& q) = 0;

  // --- Terms versions (immutable; a second store of one version keeps the first) ---
  virtual absl::StatusOr<std::optional<std::string>> LoadTermsVersion(const std::string& name) = 0;
  virtual absl::Status StoreTermsVersion(const std::string& name, const std::string& terms,
                                         int64_t effective_from) = 0;

  // --- Idempotent creates (common/mysql/request_log.h) ---
  // nullopt: claimed now, go on and create `resource_name`; a value: the resource an earlier
  // committed request with this key created. FAILED_PRECONDITION if the key came with another
  // request. An empty request id claims nothing.
  virtual absl::StatusOr<std::optional<std::string>> ClaimRequestId(
      const api::RequestKey& key, const std::string& method, const std::string& caller,
      const std::string& resource_name) = 0;
  virtual absl::StatusOr<std::optional<std::string>> LookupRequestId(const api::RequestKey& key,
                                                                     const std::string& method,
                                                                     const std::string& caller) = 0;
};

class TicketRepository {
 public:
  virtual ~TicketRepository() = default;
  // Runs `fn` in one transaction: all of it commits or none. `fn` may run again after a
  // deadlock, so it must start from scratch.
  virtual absl::Status Transact(absl::FunctionRef<absl::Status(TicketTx&)> fn) = 0;
  // Runs reads outside a transaction.
  virtual absl::Status Read(absl::FunctionRef<absl::Status(TicketTx&)> fn) = 0;

  // New tickets, each with its claim, first history row and event, in one transaction (the
  // group commit of concurrent CreateTickets). ALREADY_EXISTS if a request id or ticket id
  // was taken (nothing written: the caller then writes them one by one to find which);
  // UNAVAILABLE if the outcome is unknown (the commit may have run); UNIMPLEMENTED if this
  // repository writes new tickets one by one only.
  virtual absl::Status InsertNewTickets(absl::Span<const NewTicketRows* const> rows) = 0;
  // One new ticket, by the same rules. `r.claim.request_id` must be set: after a lost
  // connection it tells whether the commit ran (then OK) or not (then it runs again).
  // ALREADY_EXISTS if the request id or the ticket id was taken before.
  virtual absl::Status InsertNewTicketAlone(const NewTicketRows& r) = 0;
};

}  // namespace sla::ticket
