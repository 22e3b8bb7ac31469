#include "ticket-svc/domain/ticket.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::ticket {
namespace {

namespace tpb = sla::ticket::v1;
using sla::v1::ClockKind;

constexpr ClockKind kKinds[] = {sla::v1::CLOCK_FIRST_RESPONSE, sla::v1::CLOCK_RESOLUTION_PLAN,
                                sla::v1::CLOCK_UPDATE_INTERVAL, sla::v1::CLOCK_RESOLUTION};

using Payload = sla::v1::TicketEventPayload;

std::string KindName(ClockKind k) { return sla::v1::ClockKind_Name(k); }
std::string PriorityName(sla::v1::Priority p) { return sla::v1::Priority_Name(p); }

// The ticket's identity, which every ticket event carries.
Payload TicketPayload(const Ticket& t) {
  Payload p;
  p.set_ticket(t.name());
  p.set_customer("customers/" + t.customer_id);
  p.set_contract(t.contract_name());
  p.set_service_id(t.service_id);
  p.set_priority(t.priority);
  p.set_terms_version(t.terms_version);
  return p;
}

void SetTime(google::protobuf::Timestamp* out, int64_t unix_seconds) {
  out->set_seconds(unix_seconds);
}

void Emit(Effects& fx, std::string type, int64_t time, Payload payload) {
  DomainEvent e{std::move(type), time, {}};
  *e.payload.mutable_ticket() = std::move(payload);
  fx.events.push_back(std::move(e));
}

void History(Effects& fx, int64_t time, std::string cause, ClockKind clock, std::string detail,
             const std::string& actor, const std::string& reason = "") {
  fx.history.push_back({time, std::move(cause), clock, std::move(detail), actor, reason});
}

absl::StatusOr<const calendar::BusinessCalendar*> CalendarOf(const ClockState& c,
                                                             const core::TermsContext& terms) {
  if (c.basis == sla::v1::TIME_BASIS_WALL_CLOCK) return &terms.always_open();
  const calendar::BusinessCalendar* cal = terms.CalendarNamed(c.calendar);
  if (cal == nullptr) {
    return absl::InternalError(
        absl::StrCat("terms ", terms.version_name(), " lack calendar ", c.calendar));
  }
  return cal;
}

// The earliest instant at or after `t` at which `cal` is open (t itself outside the horizon or
// when it never opens again within it).
int64_t NextOpening(const calendar::BusinessCalendar& cal, int64_t t) {
  if (t < cal.begin_seconds() || t >= cal.end_seconds()) return t;
  size_t hint = 0;
  const int64_t level = cal.CumulativeOpen(t, hint);
  if (level >= cal.total_open_seconds()) return t;
  return cal.InstantAtCumulative(level + 1, hint) - 1;
}

ClockState NewClock(ClockKind kind, const sla::v1::ClockTarget& target, int64_t now) {
  ClockState c;
  c.kind = kind;
  c.target_seconds = target.target_seconds();
  c.basis = target.basis() == sla::v1::TIME_BASIS_WALL_CLOCK ? sla::v1::TIME_BASIS_WALL_CLOCK
                                                             : sla::v1::TIME_BASIS_BUSINESS;
  c.calendar = target.calendar();
  c.segment_start = now;
  // The update interval runs only while a customer message awaits an answer.
  c.active = kind != sla::v1::CLOCK_UPDATE_INTERVAL;
  return c;
}

void SyncPauses(Ticket& t, int64_t now) {
  const bool paused = t.waiting || !t.pause_exclusion_id.empty();
  for (ClockState& c : t.clocks) {
    if (paused) {
      OpenPause(c, now);
    } else {
      ClosePause(c, now);
    }
  }
}

absl::Status Meet(Ticket& t, const core::TermsContext& terms, ClockState& c, int64_t now,
                  const std::string& actor, const std::string& how, Effects& fx) {
  if (!c.open()) return absl::OkStatus();
  SLA_ASSIGN_OR_RETURN(const calendar::BusinessCalendar* cal, CalendarOf(c, terms));
  ClosePause(c, now);
  c.met_at = now;
  SLA_ASSIGN_OR_RETURN(const int64_t consumed, ConsumedAt(c, *cal, now));
  History(fx, now, "met", c.kind,
          absl::StrCat(how, "; consumed ", consumed, " s of ", c.target_seconds, " s",
                       c.breached() ? " (after the breach)" : ""),
          actor);
  Payload p = TicketPayload(t);
  p.set_clock(c.kind);
  p.set_cycle(c.cycle);
  p.set_target_seconds(c.target_seconds);
  p.set_consumed_seconds(consumed);
  p.set_elapsed_seconds(now - c.segment_start);
  p.set_breached(c.breached());
  SetTime(p.mutable_met_time(), now);
  p.set_how(how);
  Emit(fx, "clock.met", now, std::move(p));
  return absl::OkStatus();
}

void Fire(Ticket& t, const core::TermsContext& terms, ClockState& c,
          const sla::v1::EscalationLevel& level, int64_t at, bool manual, const std::string& actor,
          const std::string& reason, Effects& fx) {
  c.MarkLevelFired(level.level());
  FiredEscalation e;
  e.clock = c.kind;
  e.cycle = c.cycle;
  e.level = level.level();
  e.fire_time = at;
  e.manual = manual;
  e.warning = level.warning();
  e.reason = reason;
  e.actor = actor;
  Payload p = TicketPayload(t);
  for (const sla::v1::Contact& contact : level.notify()) {
    // Coverage: the contact's own calendar, else the clock's; nobody is paged outside it
    // unless the level says so.
    const calendar::BusinessCalendar* cal = terms.CalendarNamed(contact.calendar());
    if (cal == nullptr) cal = terms.CalendarNamed(c.calendar);
    const int64_t deliver =
        level.notify_outside_coverage() || cal == nullptr ? at : NextOpening(*cal, at);
    e.notifications.push_back({contact, deliver});
    sla::v1::EscalationNotice* notice = p.add_notifications();
    notice->set_name(contact.name());
    notice->set_channel(contact.channel());
    notice->set_address(contact.address());
    SetTime(notice->mutable_deliver_after(), deliver);
  }
  // Not an SLA history entry: firing a level recalculates nothing, and fired levels have their
  // own record (the escalations table, ListEscalations).
  p.set_clock(c.kind);
  p.set_cycle(c.cycle);
  p.set_level(level.level());
  p.set_threshold_ppm(level.threshold_ppm());
  p.set_warning(level.warning());
  p.set_manual(manual);
  p.set_reason(reason);
  SetTime(p.mutable_fire_time(), at);
  Emit(fx, "escalation.fired", at, std::move(p));
  fx.escalations.push_back(std::move(e));
}

absl::Status CatchUpClock(Ticket& t, const core::TermsContext& terms, ClockState& c, int64_t now,
                          Effects& fx) {
  if (!c.open()) return absl::OkStatus();
  SLA_ASSIGN_OR_RETURN(const calendar::BusinessCalendar* cal, CalendarOf(c, terms));
  // (instant, 0 = breach / 1 = level, index into levels)
  std::vector<std::tuple<int64_t, int, size_t>> due;
  const auto& levels = terms.levels();
  for (size_t i = 0; i < levels.size(); ++i) {
    if (c.LevelFired(levels[i].level()) ||
        !core::TermsContext::Applies(levels[i], c.kind, t.priority)) {
      continue;
    }
    SLA_ASSIGN_OR_RETURN(
        const int64_t at,
        InstantAtConsumed(c, *cal, ThresholdSeconds(c.target_seconds, levels[i].threshold_ppm())));
    if (at <= now) due.emplace_back(at, 1, i);
  }
  if (!c.breached()) {
    SLA_ASSIGN_OR_RETURN(const int64_t at, InstantAtConsumed(c, *cal, c.target_seconds));
    if (at <= now) due.emplace_back(at, 0, 0);
  }
  std::sort(due.begin(), due.end());
  for (const auto& [at, what, i] : due) {
    if (what == 0) {
      c.breached_at = at;
      History(fx, at, "breached", c.kind,
              absl::StrCat("target ", c.target_seconds, " s reached at ", Rfc3339(at)), "system");
      Payload p = TicketPayload(t);
      p.set_clock(c.kind);
      p.set_cycle(c.cycle);
      p.set_target_seconds(c.target_seconds);
      SetTime(p.mutable_due_time(), at);
      SetTime(p.mutable_breach_time(), at);
      Emit(fx, "clock.breached", at, std::move(p));
    } else {
      Fire(t, terms, c, levels[i], at, /*manual=*/false, "system", "", fx);
    }
  }
  return absl::OkStatus();
}

bool Allowed(Status from, Status to) {
  switch (from) {
    case tpb::Ticket::NEW:
      return to == tpb::Ticket::ACKNOWLEDGED;
    case tpb::Ticket::ACKNOWLEDGED:
      return to == tpb::Ticket::IN_PROGRESS || to == tpb::Ticket::WAITING_ON_CUSTOMER;
    case tpb::Ticket::IN_PROGRESS:
      return to == tpb::Ticket::WAITING_ON_CUSTOMER || to == tpb::Ticket::RESOLVED;
    case tpb::Ticket::WAITING_ON_CUSTOMER:
      return to == tpb::Ticket::IN_PROGRESS || to == tpb::Ticket::RESOLVED;
    case tpb::Ticket::RESOLVED:
      return to == tpb::Ticket::CLOSED || to == tpb::Ticket::IN_PROGRESS;
    case tpb::Ticket::CLOSED:
      return to == tpb::Ticket::IN_PROGRESS;
    default:
      return false;
  }
}

std::string AllowedList(Status from) {
  std::vector<std::string> names;
  for (int s = tpb::Ticket::NEW; s <= tpb::Ticket::CLOSED; ++s) {
    if (Allowed(from, static_cast<Status>(s))) names.push_back(StatusName(static_cast<Status>(s)));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

absl::Status Reopen(Ticket& t, const core::TermsContext& terms, int64_t now,
                    const std::string& actor, const std::string& reason, Effects& fx) {
  if (t.status == tpb::Ticket::CLOSED) {
    const int64_t days = terms.terms().reopen_window_days();
    if (days <= 0) {
      return WrongState(t.name(),
                        "status CLOSED cannot move to IN_PROGRESS: the terms allow no "
                        "reopening after closure");
    }
    if (now > t.close_time + days * 86'400) {
      return WrongState(
          t.name(), absl::StrCat("status CLOSED cannot move to IN_PROGRESS: the reopen window "
                                 "of ",
                                 days, " days ended at ", Rfc3339(t.close_time + days * 86'400)));
    }
  }
  // The resolution clock resumes: the time it stood resolved is a pause, not consumption.
  if (ClockState* c = t.Clock(sla::v1::CLOCK_RESOLUTION); c != nullptr && c->met()) {
    if (now > c->met_at) c->pauses.push_back({c->met_at, now});
    c->met_at = 0;
    History(fx, now, "reopened", c->kind, "resolution clock resumes; resolved time paused", actor,
            reason);
  }
  t.reopen_count++;
  Payload p = TicketPayload(t);
  p.set_from_status(StatusName(t.status));
  p.set_reopen_count(t.reopen_count);
  p.set_reason(reason);
  Emit(fx, "ticket.reopened", now, std::move(p));
  t.status = tpb::Ticket::IN_PROGRESS;
  return absl::OkStatus();
}

}  // namespace

ClockState* Ticket::Clock(ClockKind kind) {
  for (ClockState& c : clocks) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}
const ClockState* Ticket::Clock(ClockKind kind) const {
  for (const ClockState& c : clocks) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

std::string StatusName(Status s) { return tpb::Ticket::Status_Name(s); }

std::string Rfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

absl::StatusOr<Derived> Derive(const Ticket& t, const core::TermsContext& terms, int64_t now) {
  Derived d;
  bool any_open = false;
  for (const ClockState& c : t.clocks) {
    if (c.breached()) d.breached = true;
    if (!c.open()) continue;
    SLA_ASSIGN_OR_RETURN(const calendar::BusinessCalendar* cal, CalendarOf(c, terms));
    SLA_ASSIGN_OR_RETURN(const ClockView v, Evaluate(c, *cal, now));
    d.time_left_seconds =
        any_open ? std::min(d.time_left_seconds, v.time_left_seconds) : v.time_left_seconds;
    d.consumed_ppm = std::max(d.consumed_ppm, v.consumed_ppm);
    any_open = true;
    if (!c.breached()) {
      d.next_due_at = std::min(d.next_due_at, v.due_at);
      d.next_event_at = std::min(d.next_event_at, v.due_at);
      SLA_ASSIGN_OR_RETURN(
          const int64_t warn,
          InstantAtConsumed(
              c, *cal, ThresholdSeconds(c.target_seconds, terms.WarningPpm(c.kind, t.priority))));
      d.warn_at = std::min(d.warn_at, warn);
    }
    for (const auto& level : terms.levels()) {
      if (c.LevelFired(level.level()) || !core::TermsContext::Applies(level, c.kind, t.priority)) {
        continue;
      }
      SLA_ASSIGN_OR_RETURN(
          const int64_t at,
          InstantAtConsumed(c, *cal, ThresholdSeconds(c.target_seconds, level.threshold_ppm())));
      d.next_event_at = std::min(d.next_event_at, at);
    }
  }
  return d;
}

absl::Status Open(Ticket& t, const core::TermsContext& terms, int64_t now, const std::string& actor,
                  Effects& fx) {
  if (!terms.HasService(t.service_id)) {
    return InvalidField(
        "ticket.service_id",
        absl::StrCat("\"", t.service_id, "\" is not a service in scope of ", terms.version_name()));
  }
  if (terms.TargetsFor(t.priority) == nullptr) {
    return InvalidField("ticket.priority",
                        absl::StrCat("the terms set no targets for ", PriorityName(t.priority)));
  }
  t.status = tpb::Ticket::NEW;
  t.terms_version = terms.version_name();
  t.create_time = t.update_time = now;
  t.clocks.clear();
  for (ClockKind kind : kKinds) {
    if (const sla::v1::ClockTarget* target = terms.Target(t.priority, kind)) {
      t.clocks.push_back(NewClock(kind, *target, now));
      History(fx, now, "opened", kind,
              absl::StrCat("target ", target->target_seconds(), " s on ",
                           target->basis() == sla::v1::TIME_BASIS_WALL_CLOCK ? "wall-clock time"
                                                                             : target->calendar()),
              actor);
    }
  }
  Payload p = TicketPayload(t);
  p.set_title(t.title);
  p.set_reporter(t.reporter);
  SetTime(p.mutable_open_time(), now);
  Emit(fx, "ticket.opened", now, std::move(p));
  return absl::OkStatus();
}

absl::Status CatchUp(Ticket& t, const core::TermsContext& terms, int64_t now, Effects& fx) {
  for (ClockState& c : t.clocks) SLA_RETURN_IF_ERROR(CatchUpClock(t, terms, c, now, fx));
  return absl::OkStatus();
}

absl::Status Transition(Ticket& t, const core::TermsContext& terms, Status to, int64_t now,
                        const std::string& actor, const std::string& reason, Effects& fx) {
  const Status from = t.status;
  if (!Allowed(from, to)) {
    return WrongState(t.name(),
                      absl::StrCat("status ", StatusName(from), " cannot move to ", StatusName(to),
                                   " (allowed: ", AllowedList(from), ")"));
  }
  if (to == tpb::Ticket::CLOSED && terms.RcaRequired(t.priority) &&
      (t.root_cause.empty() || t.preventive_action.empty())) {
    return WrongState(t.name(), absl::StrCat("status RESOLVED cannot move to CLOSED: a ",
                                             PriorityName(t.priority),
                                             " ticket needs a root cause and a preventive action "
                                             "recorded first"));
  }
  SLA_RETURN_IF_ERROR(CatchUp(t, terms, now, fx));
  const bool reopening = to == tpb::Ticket::IN_PROGRESS &&
                         (from == tpb::Ticket::RESOLVED || from == tpb::Ticket::CLOSED);
  if (reopening) {
    SLA_RETURN_IF_ERROR(Reopen(t, terms, now, actor, reason, fx));
  } else {
    t.status = to;
  }
  t.waiting = to == tpb::Ticket::WAITING_ON_CUSTOMER;
  SyncPauses(t, now);
  // Every move is in the SLA history with who made it and why (the reason the API records);
  // entering or leaving WAITING_ON_CUSTOMER is named for what it does to the clocks.
  // (Reopen recorded its own entry.)
  const bool pausing =
      from == tpb::Ticket::WAITING_ON_CUSTOMER || to == tpb::Ticket::WAITING_ON_CUSTOMER;
  if (!reopening) {
    History(fx, now,
            pausing ? (to == tpb::Ticket::WAITING_ON_CUSTOMER ? "paused" : "resumed")
                    : "status_changed",
            sla::v1::CLOCK_KIND_UNSPECIFIED, absl::StrCat(StatusName(from), " → ", StatusName(to)),
            actor, reason);
  }
  if (to == tpb::Ticket::ACKNOWLEDGED &&
      terms.MeetsResponse(t.priority, sla::v1::RESPONSE_EVENT_ACKNOWLEDGED)) {
    if (ClockState* c = t.Clock(sla::v1::CLOCK_FIRST_RESPONSE)) {
      SLA_RETURN_IF_ERROR(Meet(t, terms, *c, now, actor, "acknowledged", fx));
    }
  }
  if (to == tpb::Ticket::RESOLVED) {
    // Resolving answers everything still awaiting the MSP.
    for (ClockState& c : t.clocks) {
      SLA_RETURN_IF_ERROR(Meet(t, terms, c, now, actor, "resolved", fx));
    }
    t.resolve_time = now;
    Payload p = TicketPayload(t);
    SetTime(p.mutable_resolve_time(), now);
    p.set_reopen_count(t.reopen_count);
    p.set_reason(reason);
    Emit(fx, "ticket.resolved", now, std::move(p));
  }
  if (to == tpb::Ticket::CLOSED) {
    t.close_time = now;
    Payload p = TicketPayload(t);
    SetTime(p.mutable_close_time(), now);
    p.set_rca_recorded(!t.root_cause.empty());
    p.set_reason(reason);
    Emit(fx, "ticket.closed", now, std::move(p));
  }
  if (!reopening && to != tpb::Ticket::RESOLVED && to != tpb::Ticket::CLOSED) {
    Payload p = TicketPayload(t);
    p.set_from_status(StatusName(from));
    p.set_to_status(StatusName(to));
    p.set_reason(reason);
    Emit(fx, "ticket.status_changed", now, std::move(p));
  }
  t.update_time = now;
  return absl::OkStatus();
}

absl::Status Comment(Ticket& t, const core::TermsContext& terms, const CommentInput& in,
                     int64_t now, const std::string& actor, Effects& fx) {
  SLA_RETURN_IF_ERROR(CatchUp(t, terms, now, fx));
  const bool closed = t.status == tpb::Ticket::RESOLVED || t.status == tpb::Ticket::CLOSED;
  if (in.side == tpb::Comment::MSP) {
    const bool is_public = in.visibility == tpb::Comment::PUBLIC;
    const bool call = in.kind == tpb::Comment::PHONE_CALL;
    // An internal note never meets a target; a logged call is a real contact either way.
    if (is_public || call) {
      const auto event = call ? sla::v1::RESPONSE_EVENT_PHONE_CALL_LOGGED
                              : sla::v1::RESPONSE_EVENT_PUBLIC_MSP_COMMENT;
      ClockState* response = t.Clock(sla::v1::CLOCK_FIRST_RESPONSE);
      if (response != nullptr && terms.MeetsResponse(t.priority, event)) {
        SLA_RETURN_IF_ERROR(
            Meet(t, terms, *response, now, actor, call ? "phone call logged" : "public reply", fx));
      }
      if (ClockState* update = t.Clock(sla::v1::CLOCK_UPDATE_INTERVAL)) {
        SLA_RETURN_IF_ERROR(Meet(t, terms, *update, now, actor, "reply to the customer", fx));
      }
    }
    if (is_public && in.kind == tpb::Comment::RESOLUTION_PLAN) {
      if (ClockState* plan = t.Clock(sla::v1::CLOCK_RESOLUTION_PLAN)) {
        SLA_RETURN_IF_ERROR(Meet(t, terms, *plan, now, actor, "resolution plan published", fx));
      }
    }
  } else {
    if (t.status == tpb::Ticket::WAITING_ON_CUSTOMER) {
      SLA_RETURN_IF_ERROR(
          Transition(t, terms, tpb::Ticket::IN_PROGRESS, now, actor, "customer replied", fx));
    }
    ClockState* update = t.Clock(sla::v1::CLOCK_UPDATE_INTERVAL);
    if (in.awaits_reply && !closed && update != nullptr && !update->open()) {
      update->cycle++;
      update->active = true;
      update->segment_start = now;
      update->carried_seconds = update->carried_paused_seconds = 0;
      update->pauses.clear();
      update->met_at = update->breached_at = 0;
      update->fired_levels = 0;
      SyncPauses(t, now);
      History(fx, now, "update_cycle_started", update->kind,
              absl::StrCat("cycle ", update->cycle, ": a customer message awaits an answer within ",
                           update->target_seconds, " s"),
              actor);
    }
  }
  t.update_time = now;
  return absl::OkStatus();
}

absl::Status ChangePriority(Ticket& t, const core::TermsContext& terms, sla::v1::Priority to,
                            int64_t now, const std::string& actor, const std::string& reason,
                            Effects& fx) {
  if (to == t.priority) {
    return InvalidField("priority", absl::StrCat("is already ", PriorityName(to)));
  }
  if (terms.TargetsFor(to) == nullptr) {
    return InvalidField("priority",
                        absl::StrCat("the terms set no targets for ", PriorityName(to)));
  }
  if (t.status == tpb::Ticket::RESOLVED || t.status == tpb::Ticket::CLOSED) {
    return WrongState(t.name(), absl::StrCat("status ", StatusName(t.status),
                                             " does not allow a priority change; reopen first"));
  }
  SLA_RETURN_IF_ERROR(CatchUp(t, terms, now, fx));
  const sla::v1::Priority from = t.priority;
  std::vector<ClockState> next;
  for (ClockKind kind : kKinds) {
    const sla::v1::ClockTarget* target = terms.Target(to, kind);
    ClockState* c = t.Clock(kind);
    if (c == nullptr) {
      if (target != nullptr) {
        next.push_back(NewClock(kind, *target, now));
        if (t.waiting || !t.pause_exclusion_id.empty()) OpenPause(next.back(), now);
        History(fx, now, "priority_changed", kind,
                absl::StrCat(PriorityName(from), " → ", PriorityName(to), ": new clock, target ",
                             target->target_seconds(), " s"),
                actor, reason);
      }
      continue;
    }
    if (target == nullptr) {
      // The new priority sets no such target: an open clock stops counting; a met one stays
      // as the record of what happened.
      if (!c->open()) next.push_back(*c);
      History(fx, now, "priority_changed", kind,
              absl::StrCat(PriorityName(from), " → ", PriorityName(to), ": no target any more"),
              actor, reason);
      continue;
    }
    ClockState updated = *c;
    if (updated.open()) {
      SLA_ASSIGN_OR_RETURN(const calendar::BusinessCalendar* old_cal, CalendarOf(*c, terms));
      const bool restart = target->on_priority_change() == sla::v1::PRIORITY_CHANGE_RESTART;
      SLA_RETURN_IF_ERROR(Resegment(updated, *old_cal, now, !restart));
      History(fx, now, "priority_changed", kind,
              absl::StrCat(PriorityName(from), " → ", PriorityName(to), ": ",
                           restart ? "restarted" : "kept ",
                           restart ? "" : absl::StrCat(updated.carried_seconds, " s consumed"),
                           "; target ", c->target_seconds, " s → ", target->target_seconds(), " s"),
              actor, reason);
    }
    if (updated.open() || !updated.active) {
      updated.target_seconds = target->target_seconds();
      updated.basis = target->basis() == sla::v1::TIME_BASIS_WALL_CLOCK
                          ? sla::v1::TIME_BASIS_WALL_CLOCK
                          : sla::v1::TIME_BASIS_BUSINESS;
      updated.calendar = target->calendar();
    }
    next.push_back(std::move(updated));
  }
  t.clocks = std::move(next);
  t.priority = to;
  Payload p = TicketPayload(t);
  p.set_from_priority(from);
  p.set_reason(reason);
  Emit(fx, "ticket.priority_changed", now, std::move(p));
  // Consumption already past the new target breaches now; levels already passed fire now.
  SLA_RETURN_IF_ERROR(CatchUp(t, terms, now, fx));
  t.update_time = now;
  return absl::OkStatus();
}

absl::Status RecordRootCause(Ticket& t, const std::string& root_cause,
                             const std::string& preventive_action, int64_t now,
                             const std::string& actor, Effects& fx) {
  t.root_cause = root_cause;
  t.preventive_action = preventive_action;
  t.update_time = now;
  (void)actor;
  Payload p = TicketPayload(t);
  SetTime(p.mutable_record_time(), now);
  Emit(fx, "ticket.rca_recorded", now, std::move(p));
  return absl::OkStatus();
}

absl::Status PauseForExclusion(Ticket& t, const core::TermsContext& terms,
                               const std::string& exclusion_id, int64_t now,
                               const std::string& actor, const std::string& reason, Effects& fx) {
  const sla::v1::Exclusion* e = terms.FindExclusion(exclusion_id);
  if (e == nullptr) {
    return InvalidField(
        "exclusion_id",
        absl::StrCat("\"", exclusion_id, "\" is not an exclusion of ", terms.version_name()));
  }
  if (!e->pauses_clocks()) {
    return InvalidField("exclusion_id",
                        absl::StrCat("exclusion \"", exclusion_id, "\" does not pause clocks"));
  }
  if (t.status == tpb::Ticket::RESOLVED || t.status == tpb::Ticket::CLOSED) {
    return WrongState(t.name(),
                      absl::StrCat("status ", StatusName(t.status), " has no running clock"));
  }
  if (!t.pause_exclusion_id.empty()) {
    return WrongState(t.name(), absl::StrCat("clocks are already paused by exclusion \"",
                                             t.pause_exclusion_id, "\""));
  }
  SLA_RETURN_IF_ERROR(CatchUp(t, terms, now, fx));
  t.pause_exclusion_id = exclusion_id;
  SyncPauses(t, now);
  History(fx, now, "paused", sla::v1::CLOCK_KIND_UNSPECIFIED,
          absl::StrCat("exclusion \"", exclusion_id, "\""), actor, reason);
  Payload p = TicketPayload(t);
  p.set_exclusion_id(exclusion_id);
  p.set_reason(reason);
  Emit(fx, "ticket.paused", now, std::move(p));
  t.update_time = now;
  return absl::OkStatus();
}

absl::Status ResumeFromExclusion(Ticket& t, const core::TermsContext& terms, int64_t now,
                                 const std::string& actor, const std::string& reason, Effects& fx) {
  if (t.pause_exclusion_id.empty()) {
    return WrongState(t.name(), "clocks are not paused by an exclusion");
  }
  SLA_RETURN_IF_ERROR(CatchUp(t, terms, now, fx));
  const std::string exclusion = t.pause_exclusion_id;
  t.pause_exclusion_id.clear();
  SyncPauses(t, now);
  History(fx, now, "resumed", sla::v1::CLOCK_KIND_UNSPECIFIED,
          absl::StrCat("exclusion \"", exclusion, "\" ended"), actor, reason);
  Payload p = TicketPayload(t);
  p.set_exclusion_id(exclusion);
  p.set_reason(reason);
  Emit(fx, "ticket.resumed", now, std::move(p));
  t.update_time = now;
  return absl::OkStatus();
}

absl::Status Escalate(Ticket& t, const core::TermsContext& terms, ClockKind kind, int level,
                      int64_t now, const std::string& actor, const std::string& reason,
                      Effects& fx) {
  ClockState* c = t.Clock(kind);
  if (c == nullptr) {
    return InvalidField("clock", absl::StrCat("the ticket has no ", KindName(kind), " clock"));
  }
  SLA_RETURN_IF_ERROR(CatchUp(t, terms, now, fx));
  if (!c->open()) {
    return WrongState(t.name(), absl::StrCat("the ", KindName(kind), " clock is not running"));
  }
  const sla::v1::EscalationLevel* chosen = nullptr;
  for (const auto& l : terms.levels()) {
    if (!core::TermsContext::Applies(l, kind, t.priority)) continue;
    if (level == 0 ? !c->LevelFired(l.level()) : l.level() == level) {
      chosen = &l;
      break;
    }
  }
  if (chosen == nullptr) {
    if (level != 0) {
      return InvalidField("level", absl::StrCat("the escalation policy has no level ", level,
                                                " for this clock and priority"));
    }
    return WrongState(t.name(), "every escalation level of this clock has fired");
  }
  if (c->LevelFired(chosen->level())) {
    return WrongState(t.name(), absl::StrCat("escalation level ", chosen->level(),
                                             " already fired for ", KindName(kind)));
  }
  Fire(t, terms, *c, *chosen, now, /*manual=*/true, actor, reason, fx);
  // A person escalated: that belongs in the ticket's SLA history, with who and why. (Levels the
  // worker fires by threshold are recorded in the escalations alone: they change nothing.)
  History(fx, now, "escalated", kind, absl::StrCat("level ", chosen->level(), ", by hand"), actor,
          reason);
  t.update_time = now;
  return absl::OkStatus();
}

absl::Status ClockToProto(const ClockState& c, const core::TermsContext& terms,
                          sla::v1::Priority priority, int64_t now, tpb::Clock* out) {
  SLA_ASSIGN_OR_RETURN(const calendar::BusinessCalendar* cal, CalendarOf(c, terms));
  SLA_ASSIGN_OR_RETURN(const ClockView v, Evaluate(c, *cal, now));
  out->set_kind(c.kind);
  out->set_target_seconds(c.target_seconds);
  out->set_calendar(c.calendar);
  out->set_basis(c.basis);
  out->set_cycle(c.cycle);
  static constexpr tpb::Clock::State kStates[] = {tpb::Clock::RUNNING, tpb::Clock::PAUSED,
                                                  tpb::Clock::MET, tpb::Clock::BREACHED,
                                                  tpb::Clock::INACTIVE};
  out->set_state(kStates[static_cast<int>(v.state)]);
  if (v.state == ClockStateKind::kInactive) return absl::OkStatus();
  if (v.due_at != kOpenEnded) out->mutable_due_time()->set_seconds(v.due_at);
  out->set_consumed_seconds(v.consumed_seconds);
  out->set_paused_seconds(v.paused_seconds);
  out->set_consumed_ppm(v.consumed_ppm);
  out->set_time_left_seconds(v.time_left_seconds);
  if (c.met()) out->mutable_met_time()->set_seconds(c.met_at);
  if (c.breached()) out->mutable_breach_time()->set_seconds(c.breached_at);
  out->set_at_risk(c.open() && !c.breached() &&
                   v.consumed_ppm >= terms.WarningPpm(c.kind, priority));
  return absl::OkStatus();
}

absl::Status TicketToProto(const Ticket& t, const core::TermsContext& terms, int64_t now,
                           sla::ticket::v1::Ticket* out) {
  out->set_name(t.name());
  out->set_contract(t.contract_name());
  out->set_service_id(t.service_id);
  out->set_priority(t.priority);
  out->set_title(t.title);
  out->set_description(t.description);
  out->set_reporter(t.reporter);
  out->set_status(t.status);
  out->set_terms_version(t.terms_version);
  out->set_root_cause(t.root_cause);
  out->set_preventive_action(t.preventive_action);
  out->set_etag(absl::StrCat("v", t.version));
  out->mutable_create_time()->set_seconds(t.create_time);
  out->mutable_update_time()->set_seconds(t.update_time);
  if (t.resolve_time) out->mutable_resolve_time()->set_seconds(t.resolve_time);
  if (t.close_time) out->mutable_close_time()->set_seconds(t.close_time);
  out->set_reopen_count(t.reopen_count);
  out->set_pause_exclusion_id(t.pause_exclusion_id);
  for (const ClockState& c : t.clocks) {
    SLA_RETURN_IF_ERROR(ClockToProto(c, terms, t.priority, now, out->add_clocks()));
  }
  SLA_ASSIGN_OR_RETURN(const Derived d, Derive(t, terms, now));
  out->set_breached(d.breached);
  out->set_at_risk(d.warn_at <= now);
  out->set_time_left_seconds(d.time_left_seconds);
  out->set_consumed_ppm(d.consumed_ppm);
  if (d.next_due_at != kOpenEnded) out->mutable_next_due_time()->set_seconds(d.next_due_at);
  return absl::OkStatus();
}

}  // namespace sla::ticket
