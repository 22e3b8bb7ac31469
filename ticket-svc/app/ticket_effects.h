// What a change to tickets writes besides the ticket rows, in the caller's transaction: the SLA
// history (with the clocks after the change), fired escalations and outbox events. Shared by
// the use cases and the escalation worker.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/terms_context.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "ticket-svc/app/ticket_repository.h"
#include "ticket-svc/domain/records.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket {

struct TicketEffects {
  Ticket* ticket;
  const core::TermsContext* terms;
  const Effects* effects;
};

// Writes what changes caused (history with the clocks after the change, escalations, outbox
// events) in the caller's transaction, numbering each ticket's history on from its
// `history_seq`. Shared by the manager and the escalation worker.
absl::Status WriteEffects(TicketTx& tx, const std::vector<TicketEffects>& batch, int64_t now);

// The API view of a fired escalation.
void EscalationToProto(const Ticket& t, const FiredEscalation& e, sla::ticket::v1::Escalation* out);

// The history row of `fx` (its entries numbered on from `t.history_seq`, which it advances).
absl::StatusOr<HistoryRow> HistoryRowFor(Ticket& t, const core::TermsContext& terms,
                                         const Effects& fx, int64_t now);

}  // namespace sla::ticket
