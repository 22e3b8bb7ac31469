#include "ticket-svc/app/ticket_manager.h"

#include <random>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/api/list_request.h"
#include "common/api/resource_name.h"
#include "common/server/access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "ticket-svc/app/access.h"
#include "ticket-svc/domain/requests.h"

namespace sla::ticket {
namespace {

using server::Identity;

using api::ParseCustomerParent;
using server::IsCustomerRole;
using server::ReadsAllCustomers;

absl::Status RequireMsp(const Identity& who, const char* what) {
  if (IsMsp(who)) return absl::OkStatus();
  return PermissionDenied(absl::StrCat("only msp_admin or msp_agent may ", what));
}

constexpr auto Length = CheckLength;

std::string Etag(int64_t version) { return absl::StrCat("v", version); }

int64_t Seconds(absl::Time t) { return absl::ToUnixSeconds(t); }

// The comment `who` writes, with what it means for the clocks: MSP staff write public or
// internal comments of any kind, customers public messages only.
absl::StatusOr<std::pair<pb::Comment, CommentInput>> NewComment(const Identity& who,
                                                                const NewCommentInput& req) {
  CommentInput in;
  pb::Comment c;
  c.set_body(req.body);
  c.set_visibility(req.visibility);
  c.set_kind(req.kind);
  if (IsMsp(who)) {
    if (c.visibility() != pb::Comment::PUBLIC && c.visibility() != pb::Comment::INTERNAL) {
      return InvalidField("comment.visibility", "is required (PUBLIC or INTERNAL)");
    }
    in.side = pb::Comment::MSP;
  } else if (IsCustomerRole(who)) {
    if (c.visibility() == pb::Comment::INTERNAL) {
      return InvalidField("comment.visibility", "customers write PUBLIC comments only");
    }
    if (c.kind() != pb::Comment::KIND_UNSPECIFIED && c.kind() != pb::Comment::MESSAGE) {
      return InvalidField("comment.kind", "customers write MESSAGE comments only");
    }
    c.set_visibility(pb::Comment::PUBLIC);
    in.side = pb::Comment::CUSTOMER;
  } else {
    return PermissionDenied("no role that comments on tickets");
  }
  if (c.kind() == pb::Comment::KIND_UNSPECIFIED) c.set_kind(pb::Comment::MESSAGE);
  if (c.kind() < pb::Comment::MESSAGE || c.kind() > pb::Comment::RESOLUTION_PLAN) {
    return InvalidField("comment.kind", "is not a comment kind");
  }
  in.visibility = c.visibility();
  in.kind = c.kind();
  in.awaits_reply = req.awaits_reply && in.side == pb::Comment::CUSTOMER;
  return std::make_pair(std::move(c), in);
}

}  // namespace

// With 20 random bits, 4,000 tickets a second met an id already taken once in about 500,000
// tickets (two in the same millisecond with the same 20 bits); with 48, about never.
std::string RandomTimeOrderedId(char prefix, absl::Time now) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%c%011x%012x", prefix, absl::ToUnixMillis(now) & 0xFFFFFFFFFFF,
                         rng() & 0xFFFFFFFFFFFF);
}

TicketManager::TicketManager(TicketRepository* repo, TermsCache* terms,
                             TicketManagerOptions options)
    : repo_(repo),
      terms_(terms),
      options_(std::move(options)),
      creates_(options_.create_commits,
               [this](absl::Span<NewTicketRows* const> rows, absl::Span<absl::Status> statuses) {
                 WriteNewTickets(rows, statuses);
               }),
      reader_(repo, terms, options_.clock) {}

std::string TicketManager::NewId(char prefix, absl::Time now) const {
  return options_.new_id ? options_.new_id(prefix, now) : RandomTimeOrderedId(prefix, now);
}

void TicketManager::WriteNewTickets(absl::Span<NewTicketRows* const> rows,
                                    absl::Span<absl::Status> statuses) {
  const absl::Status all = repo_->InsertNewTickets(absl::MakeConstSpan(rows.data(), rows.size()));
  const auto code = all.code();
  if (all.ok()) options_.on_events_numbered();
  // Committed, or unknown (the commit may have run), or a deadlock that persisted: every
  // caller gets that answer.
  if (all.ok() || code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kAborted) {
    for (absl::Status& s : statuses) s = all;
    return;
  }
  // One ticket's error (a request id claimed before) must not be another's: each alone, by the
  // same statements. A claim (the caller's request id, or one made here) lets a write whose
  // connection was lost find out whether it committed.
  bool numbered = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    NewTicketRows& r = *rows[i];
    if (r.claim.request_id.empty()) {
      thread_local std::mt19937_64 rng(std::random_device{}());
      r.claim.request_id = absl::StrFormat("replay-guard-%016x%016x", rng(), rng());
    }
    statuses[i] = repo_->InsertNewTicketAlone(r);
    numbered = numbered || statuses[i].ok();
  }
  if (numbered) options_.on_events_numbered();
}

absl::StatusOr<TicketView> TicketManager::CreateTicket(const Identity& who,
                                                       const NewTicketInput& in,
                                                       const api::RequestKey& key) {
  SLA_ASSIGN_OR_RETURN(const std::string customer, ParseCustomerParent(in.parent, false));
  if (!IsMsp(who) && !who.HasRole("service") && !IsCustomerRole(who)) {
    return PermissionDenied("no role that opens tickets");
  }
  if (IsCustomerRole(who) && !ReadsAllCustomers(who) && who.tenant != customer)
    return NotFound(in.parent);
  SLA_ASSIGN_OR_RETURN(const std::string contract_id, ValidateNewTicket(in, customer));

  const absl::Time now = options_.clock();
  SLA_ASSIGN_OR_RETURN(std::shared_ptr<const core::TermsContext> terms,
                       terms_->ForContractAt(in.contract, now));
  // A ticket id that another ticket has (48 random bits make that rare, not impossible) fails
  // the insert as a duplicate; the ticket is then opened again under a fresh id.
  NewTicketRows rows;
  std::optional<std::string> existing;
  for (int attempt = 1;; ++attempt) {
    Ticket t;
    t.id = NewId('t', now);
    t.customer_id = customer;
    t.contract_id = contract_id;
    t.service_id = in.service_id;
    t.priority = in.priority;
    t.title = in.title;
    t.description = in.description;
    t.reporter = in.reporter;
    Effects fx;
    SLA_RETURN_IF_ERROR(Open(t, *terms, Seconds(now), who.subject, fx));
    SLA_ASSIGN_OR_RETURN(Derived d, Derive(t, *terms, Seconds(now)));
    // Opening a ticket writes one history row and one event, committed with the ticket and
    // the request-id claim.
    rows = {};
    rows.ticket = t;
    rows.derived = d;
    SLA_ASSIGN_OR_RETURN(rows.history, HistoryRowFor(rows.ticket, *terms, fx, Seconds(now)));
    if (fx.events.size() != 1 || !fx.escalations.empty()) {
      return absl::InternalError("a new ticket caused other effects than one event");
    }
    rows.event = {fx.events[0].type, t.name(), t.customer_id, fx.events[0].time,
                  fx.events[0].payload};
    rows.claim = {key.request_id, "CreateTicket", who.subject, t.name(), key.fingerprint};
    // Shares a transaction with the CreateTickets running at the same time (group commit);
    // returns once this ticket is durably committed.
    absl::Status created = creates_.Submit(rows);
    if (created.code() != absl::StatusCode::kAlreadyExists) {
      SLA_RETURN_IF_ERROR(created);
      break;
    }
    if (!key.request_id.empty()) {
      // A retry of a request that created its ticket already: answer with that ticket.
      SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(existing, tx.LookupRequestId(key, "CreateTicket", who.subject));
        return absl::OkStatus();
      }));
      if (existing) break;
    }
    // Not the request id: the ticket id was taken.
    if (attempt == 3) return absl::InternalError("no free ticket id in 3 attempts");
  }
  if (existing) return reader_.GetTicket(who, *existing);
  return TicketView{std::move(rows.ticket), std::move(terms), Seconds(now)};
}

absl::StatusOr<TicketView> TicketManager::Mutate(const Identity& who, const std::string& name,
                                                 const std::string& etag, const Mutation& change,
                                                 FiredEscalation* fired) {
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(name, "tickets", "name"));
  SLA_RETURN_IF_ERROR(CanRead(who, parsed.first, name));
  const int64_t now = Seconds(options_.clock());
  TicketView out;
  bool wrote_events = false;
  SLA_RETURN_IF_ERROR(repo_->Transact([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(std::optional<Ticket> t, tx.LoadTicket(parsed.second, true));
    if (!t || t->customer_id != parsed.first) return NotFound(name);
    if (!etag.empty() && etag != Etag(t->version)) return EtagMismatch(name);
    SLA_ASSIGN_OR_RETURN(std::shared_ptr<const core::TermsContext> terms,
                         terms_->ForVersion(t->terms_version, tx));
    Effects fx;
    SLA_RETURN_IF_ERROR(change(*t, *terms, now, fx));
    t->version++;
    SLA_RETURN_IF_ERROR(WriteEffects(tx, {{&*t, terms.get(), &fx}}, now));
    SLA_ASSIGN_OR_RETURN(const Derived d, Derive(*t, *terms, now));
    const std::pair<const Ticket*, Derived> row{&*t, d};
    SLA_RETURN_IF_ERROR(tx.SaveTickets({&row, 1}));
    if (fired != nullptr && !fx.escalations.empty()) *fired = fx.escalations.back();
    wrote_events = !fx.events.empty();
    out = TicketView{*std::move(t), std::move(terms), now};
    return absl::OkStatus();
  }));
  if (wrote_events) options_.on_events_written();
  return out;
}

absl::StatusOr<TicketView> TicketManager::TransitionTicket(const Identity& who,
                                                           const std::string& name,
                                                           const std::string& etag, Status status,
                                                           const std::string& reason) {
  if (status < pb::Ticket::NEW || status > pb::Ticket::CLOSED) {
    return InvalidField("status", "is required (a ticket status)");
  }
  SLA_RETURN_IF_ERROR(Length(reason, kMaxReason, "reason", false));
  if (!IsMsp(who)) {
    // Customers may close a resolved ticket or reopen one; everything else is the MSP's work.
    if (!IsCustomerRole(who)) return PermissionDenied("no role that changes tickets");
    if (status != pb::Ticket::CLOSED && status != pb::Ticket::IN_PROGRESS) {
      return PermissionDenied("customers may only close or reopen tickets");
    }
  }
  const bool customer = !IsMsp(who);
  return Mutate(
      who, name, etag,
      [&](Ticket& t, const core::TermsContext& terms, int64_t now, Effects& fx) -> absl::Status {
        if (customer && status == pb::Ticket::IN_PROGRESS && t.status != pb::Ticket::RESOLVED &&
            t.status != pb::Ticket::CLOSED) {
          return PermissionDenied("customers may only close or reopen tickets");
        }
        return Transition(t, terms, status, now, who.subject, reason, fx);
      });
}

absl::StatusOr<TicketView> TicketManager::ChangePriority(const Identity& who,
                                                         const std::string& name,
                                                         const std::string& etag,
                                                         sla::v1::Priority priority,
                                                         const std::string& reason) {
  SLA_RETURN_IF_ERROR(RequireMsp(who, "change a ticket's priority"));
  if (priority < sla::v1::PRIORITY_P1 || priority > sla::v1::PRIORITY_P5) {
    return InvalidField("priority", "is required (PRIORITY_P1..PRIORITY_P5)");
  }
  SLA_RETURN_IF_ERROR(Length(reason, kMaxReason, "reason", true));
  return Mutate(
      who, name, etag, [&](Ticket& t, const core::TermsContext& terms, int64_t now, Effects& fx) {
        return sla::ticket::ChangePriority(t, terms, priority, now, who.subject, reason, fx);
      });
}

absl::StatusOr<TicketView> TicketManager::RecordRootCause(const Identity& who,
                                                          const std::string& name,
                                                          const std::string& root_cause,
                                                          const std::string& preventive_action) {
  SLA_RETURN_IF_ERROR(RequireMsp(who, "record a root cause"));
  SLA_RETURN_IF_ERROR(Length(root_cause, kMaxRca, "root_cause", true));
  SLA_RETURN_IF_ERROR(Length(preventive_action, kMaxRca, "preventive_action", true));
  return Mutate(who, name, "", [&](Ticket& t, const core::TermsContext&, int64_t now, Effects& fx) {
    return sla::ticket::RecordRootCause(t, root_cause, preventive_action, now, who.subject, fx);
  });
}

absl::StatusOr<TicketView> TicketManager::PauseClocks(const Identity& who, const std::string& name,
                                                      const std::string& exclusion_id,
                                                      const std::string& reason) {
  SLA_RETURN_IF_ERROR(RequireMsp(who, "pause clocks"));
  SLA_RETURN_IF_ERROR(Length(exclusion_id, kMaxShort, "exclusion_id", true));
  SLA_RETURN_IF_ERROR(Length(reason, kMaxReason, "reason", true));
  return Mutate(who, name, "",
                [&](Ticket& t, const core::TermsContext& terms, int64_t now, Effects& fx) {
                  return PauseForExclusion(t, terms, exclusion_id, now, who.subject, reason, fx);
                });
}

absl::StatusOr<TicketView> TicketManager::ResumeClocks(const Identity& who, const std::string& name,
                                                       const std::string& reason) {
  SLA_RETURN_IF_ERROR(RequireMsp(who, "resume clocks"));
  SLA_RETURN_IF_ERROR(Length(reason, kMaxReason, "reason", false));
  return Mutate(who, name, "",
                [&](Ticket& t, const core::TermsContext& terms, int64_t now, Effects& fx) {
                  return ResumeFromExclusion(t, terms, now, who.subject, reason, fx);
                });
}

absl::StatusOr<std::pair<Ticket, FiredEscalation>> TicketManager::EscalateTicket(
    const Identity& who, const std::string& name, sla::v1::ClockKind clock, int level,
    const std::string& reason) {
  if (!IsMsp(who) && !IsCustomerRole(who))
    return PermissionDenied("no role that escalates tickets");
  if (clock < sla::v1::CLOCK_FIRST_RESPONSE || clock > sla::v1::CLOCK_RESOLUTION) {
    return InvalidField("clock", "is required (a clock kind)");
  }
  if (level < 0) return InvalidField("level", "must not be negative");
  SLA_RETURN_IF_ERROR(Length(reason, kMaxReason, "reason", true));
  FiredEscalation fired;
  SLA_ASSIGN_OR_RETURN(
      TicketView view,
      Mutate(
          who, name, "",
          [&](Ticket& t, const core::TermsContext& terms, int64_t now,
              Effects& fx) -> absl::Status {
            // The policy may name who escalates by hand (a customer_admin, say); by
            // default the MSP's staff.
            const auto& roles = terms.terms().escalation().manual_escalation_roles();
            const bool allowed =
                roles.empty() ? IsMsp(who)
                              : std::any_of(roles.begin(), roles.end(),
                                            [&](const std::string& r) { return who.HasRole(r); });
            if (!allowed) {
              return PermissionDenied("the escalation policy does not let this role escalate");
            }
            return Escalate(t, terms, clock, level, now, who.subject, reason, fx);
          },
          &fired));
  return std::make_pair(std::move(view.ticket), std::move(fired));
}

absl::StatusOr<CommentRow> TicketManager::AddComment(const Identity& who,
                                                     const NewCommentInput& req,
                                                     const api::RequestKey& key) {
  SLA_RETURN_IF_ERROR(ValidateNewComment(req));
  SLA_ASSIGN_OR_RETURN(auto comment, NewComment(who, req));
  pb::Comment c = std::move(comment.first);
  const CommentInput in = comment.second;
  const absl::Time now = options_.clock();
  const std::string id = NewId('m', now);
  c.set_name(absl::StrCat(req.parent, "/comments/", id));
  c.set_author(who.subject);
  c.set_side(in.side);
  c.set_awaits_reply(in.awaits_reply);
  c.mutable_create_time()->set_seconds(Seconds(now));
  std::optional<std::string> existing;
  // The comment and its clock effects commit together.
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(req.parent, "tickets", "parent"));
  SLA_RETURN_IF_ERROR(CanRead(who, parsed.first, req.parent));
  bool wrote_events = false;
  SLA_RETURN_IF_ERROR(repo_->Transact([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(existing, tx.ClaimRequestId(key, "AddComment", who.subject, c.name()));
    if (existing) return absl::OkStatus();
    SLA_ASSIGN_OR_RETURN(std::optional<Ticket> t, tx.LoadTicket(parsed.second, true));
    if (!t || t->customer_id != parsed.first) return NotFound(req.parent);
    SLA_ASSIGN_OR_RETURN(std::shared_ptr<const core::TermsContext> terms,
                         terms_->ForVersion(t->terms_version, tx));
    Effects fx;
    SLA_RETURN_IF_ERROR(Comment(*t, *terms, in, Seconds(now), who.subject, fx));
    t->version++;
    SLA_RETURN_IF_ERROR(WriteEffects(tx, {{&*t, terms.get(), &fx}}, Seconds(now)));
    SLA_ASSIGN_OR_RETURN(const Derived d, Derive(*t, *terms, Seconds(now)));
    const std::pair<const Ticket*, Derived> row{&*t, d};
    SLA_RETURN_IF_ERROR(tx.SaveTickets({&row, 1}));
    wrote_events = !fx.events.empty();
    return tx.InsertComment({id, t->id, c});
  }));
  if (wrote_events) options_.on_events_written();
  if (!existing) return CommentRow{id, parsed.second, std::move(c)};
  // A retry: answer with the comment the first request added.
  const std::string cid = existing->substr(existing->rfind('/') + 1);
  std::vector<CommentRow> rows;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(rows, tx.ListComments(parsed.second, true, "", 1'000'000));
    return absl::OkStatus();
  }));
  for (CommentRow& r : rows) {
    if (r.id == cid) {
      r.comment.set_name(*existing);
      return std::move(r);
    }
  }
  return NotFound(*existing);
}

}  // namespace sla::ticket
