#include "ticket-svc/app/ticket_effects.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sla/ticket/v1/ticket_service.pb.h"

namespace sla::ticket {
namespace {

namespace pb = ::sla::ticket::v1;

void HistoryToProto(const HistoryEntry& h, pb::SlaHistoryEntry* out) {
  out->mutable_time()->set_seconds(h.time);
  out->set_cause(h.cause);
  out->set_clock(h.clock);
  out->set_detail(h.detail);
  out->set_actor(h.actor);
  out->set_reason(h.reason);
}

}  // namespace

void EscalationToProto(const Ticket& t, const FiredEscalation& e,
                       sla::ticket::v1::Escalation* out) {
  out->set_name(absl::StrCat(t.name(), "/escalations/", static_cast<int>(e.clock), "-", e.cycle,
                             "-", e.level));
  out->set_clock(e.clock);
  out->set_cycle(e.cycle);
  out->set_level(e.level);
  out->mutable_fire_time()->set_seconds(e.fire_time);
  out->set_manual(e.manual);
  out->set_reason(e.reason);
  out->set_actor(e.actor);
  out->set_warning(e.warning);
  for (const NotificationOut& n : e.notifications) {
    pb::Notification* p = out->add_notifications();
    *p->mutable_contact() = n.contact;
    p->mutable_deliver_after_time()->set_seconds(n.deliver_after);
  }
}

absl::StatusOr<HistoryRow> HistoryRowFor(Ticket& t, const core::TermsContext& terms,
                                         const Effects& fx, int64_t now) {
  pb::SlaHistoryEntry clocks;  // the clocks after the change, shared by its entries
  for (const ClockState& cs : t.clocks) {
    SLA_RETURN_IF_ERROR(ClockToProto(cs, terms, t.priority, now, clocks.add_clocks()));
  }
  pb::ListSlaHistoryResponse entries;
  const int64_t first = t.history_seq + 1;
  for (const HistoryEntry& h : fx.history) {
    pb::SlaHistoryEntry* e = entries.add_entries();
    *e = clocks;
    HistoryToProto(h, e);
    e->set_sequence(++t.history_seq);
  }
  return HistoryRow{t.id, first, entries.SerializeAsString()};
}

absl::Status WriteEffects(TicketTx& tx, const std::vector<TicketEffects>& batch, int64_t now) {
  std::vector<HistoryRow> history;
  std::vector<EscalationRow> escalations;
  std::vector<OutboxRow> outbox;
  for (const TicketEffects& b : batch) {
    Ticket& t = *b.ticket;
    if (!b.effects->history.empty()) {
      SLA_ASSIGN_OR_RETURN(HistoryRow row, HistoryRowFor(t, *b.terms, *b.effects, now));
      history.push_back(std::move(row));
    }
    for (const FiredEscalation& f : b.effects->escalations) {
      pb::Escalation e;
      EscalationToProto(t, f, &e);
      escalations.push_back({t.id, f.clock, f.cycle, f.level, f.fire_time, e.SerializeAsString()});
    }
    for (const DomainEvent& ev : b.effects->events) {
      outbox.push_back({ev.type, t.name(), t.customer_id, ev.time, ev.payload});
    }
  }
  SLA_RETURN_IF_ERROR(tx.InsertHistory(history));
  SLA_RETURN_IF_ERROR(tx.InsertEscalations(escalations));
  return tx.Publish(outbox);
}

}  // namespace sla::ticket
