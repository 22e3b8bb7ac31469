// A ticket and every change to it, as pure functions: status workflow, comments, priority
// changes, pauses, reopening, the RCA gate, and the time-driven events (escalation levels,
// breaches) its clocks produce. Storage and RPCs are layers above; nothing here does I/O.
//
// Every operation first catches up on the time-driven events due by `now`, so an event is
// recorded at its own instant (a breach at due_at) whatever happens next, then applies the
// change and appends what it caused to `Effects`: SLA history entries, fired escalations and
// outbox events. The caller writes the ticket and the effects in one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/core/terms_context.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "sla/v1/events.pb.h"
#include "ticket-svc/domain/clock.h"

namespace sla::ticket {

using Status = sla::ticket::v1::Ticket::Status;

struct Ticket {
  std::string id;
  std::string customer_id;
  std::string contract_id;
  std::string service_id;
  sla::v1::Priority priority = sla::v1::PRIORITY_UNSPECIFIED;
  std::string title;
  std::string description;
  std::string reporter;
  Status status = sla::ticket::v1::Ticket::NEW;
  std::string terms_version;
  std::string root_cause;
  std::string preventive_action;
  int64_t create_time = 0;
  int64_t update_time = 0;
  int64_t resolve_time = 0;
  int64_t close_time = 0;
  int32_t reopen_count = 0;
  int64_t version = 1;             // bumped on every write; the etag
  int64_t history_seq = 0;         // entries in the SLA history so far (storage numbering)
  bool waiting = false;            // paused because WAITING_ON_CUSTOMER
  std::string pause_exclusion_id;  // paused by a hold-harmless exclusion
  std::vector<ClockState> clocks;

  std::string name() const { return "customers/" + customer_id + "/tickets/" + id; }
  std::string contract_name() const {
    return "customers/" + customer_id + "/contracts/" + contract_id;
  }
  ClockState* Clock(sla::v1::ClockKind kind);
  const ClockState* Clock(sla::v1::ClockKind kind) const;
};

struct HistoryEntry {
  int64_t time = 0;
  std::string cause;
  sla::v1::ClockKind clock = sla::v1::CLOCK_KIND_UNSPECIFIED;
  std::string detail;
  std::string actor;
  std::string reason;
};

struct NotificationOut {
  sla::v1::Contact contact;
  int64_t deliver_after = 0;
};

struct FiredEscalation {
  sla::v1::ClockKind clock = sla::v1::CLOCK_KIND_UNSPECIFIED;
  int32_t cycle = 0;
  int32_t level = 0;
  int64_t fire_time = 0;
  bool manual = false;
  bool warning = false;
  std::string reason;
  std::string actor;
  std::vector<NotificationOut> notifications;
};

struct DomainEvent {
  std::string type;  // "ticket.opened", "clock.breached", ...
  int64_t time = 0;
  sla::v1::EventPayload payload;  // its `ticket` case
};

struct Effects {
  std::vector<HistoryEntry> history;
  std::vector<FiredEscalation> escalations;
  std::vector<DomainEvent> events;
  bool empty() const { return history.empty() && escalations.empty() && events.empty(); }
};

// What the storage layer indexes, derived from the clocks at an instant.
struct Derived {
  int64_t next_event_at = kOpenEnded;  // earliest unfired level or breach (the worker's key)
  int64_t next_due_at = kOpenEnded;    // earliest due_at of an open, unbreached clock
  int64_t warn_at = kOpenEnded;        // earliest instant an open clock becomes "at risk"
  bool breached = false;
  int64_t time_left_seconds = 0;  // least of the open clocks
  int64_t consumed_ppm = 0;       // largest of the open clocks
};

absl::StatusOr<Derived> Derive(const Ticket& t, const core::TermsContext& terms, int64_t now);

// A new ticket at `now` (fields of `t` set by the caller: ids, priority, texts): checks the
// service and priority against the terms and starts the clocks.
absl::Status Open(Ticket& t, const core::TermsContext& terms, int64_t now, const std::string& actor,
                  Effects& fx);

// Fires every escalation level and breach due by `now`, each at its own instant.
absl::Status CatchUp(Ticket& t, const core::TermsContext& terms, int64_t now, Effects& fx);

// Moves to `to`, or FAILED_PRECONDITION naming the current and requested status (and why, for
// the RCA gate and the reopen window).
absl::Status Transition(Ticket& t, const core::TermsContext& terms, Status to, int64_t now,
                        const std::string& actor, const std::string& reason, Effects& fx);

struct CommentInput {
  sla::ticket::v1::Comment::Side side = sla::ticket::v1::Comment::MSP;
  sla::ticket::v1::Comment::Visibility visibility = sla::ticket::v1::Comment::PUBLIC;
  sla::ticket::v1::Comment::Kind kind = sla::ticket::v1::Comment::MESSAGE;
  bool awaits_reply = false;
};

// The clock effects of a comment: meets response / plan / update targets per the terms,
// starts an update cycle for a customer message awaiting an answer, and takes a ticket waiting
// on the customer back to IN_PROGRESS when the customer replies.
absl::Status Comment(Ticket& t, const core::TermsContext& terms, const CommentInput& in,
                     int64_t now, const std::string& actor, Effects& fx);

absl::Status ChangePriority(Ticket& t, const core::TermsContext& terms, sla::v1::Priority to,
                            int64_t now, const std::string& actor, const std::string& reason,
                            Effects& fx);

absl::Status RecordRootCause(Ticket& t, const std::string& root_cause,
                             const std::string& preventive_action, int64_t now,
                             const std::string& actor, Effects& fx);

// Pauses every open clock under a hold-harmless exclusion whose `pauses_clocks` is set.
absl::Status PauseForExclusion(Ticket& t, const core::TermsContext& terms,
                               const std::string& exclusion_id, int64_t now,
                               const std::string& actor, const std::string& reason, Effects& fx);
absl::Status ResumeFromExclusion(Ticket& t, const core::TermsContext& terms, int64_t now,
                                 const std::string& actor, const std::string& reason, Effects& fx);

// Fires `level` (0: the lowest not fired yet) of the clock by hand.
absl::Status Escalate(Ticket& t, const core::TermsContext& terms, sla::v1::ClockKind clock,
                      int level, int64_t now, const std::string& actor, const std::string& reason,
                      Effects& fx);

// The view of a clock for the API.
// The API view of a ticket at `now`: its clocks, and the figures derived from them.
absl::Status TicketToProto(const Ticket& t, const core::TermsContext& terms, int64_t now,
                           sla::ticket::v1::Ticket* out);
absl::Status ClockToProto(const ClockState& c, const core::TermsContext& terms,
                          sla::v1::Priority priority, int64_t now, sla::ticket::v1::Clock* out);

std::string StatusName(Status s);
std::string Rfc3339(int64_t unix_seconds);

}  // namespace sla::ticket
