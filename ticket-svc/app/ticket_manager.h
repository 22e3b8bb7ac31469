// ticket-svc's writes to tickets: each RPC's rules (access, validation), run in one transaction
// with the ticket row locked, writing the change, its SLA history, its escalations and its
// outbox events together. Reads are TicketReader's, outages OutageManager's.
//
// Access: msp_admin and msp_agent work on every ticket; service and billing_system read every
// ticket (service may also open tickets and record outages, e.g. from monitoring);
// customer_admin and customer_user open, read, comment on, close and reopen their own
// customer's tickets only, never see internal comments, and get NOT_FOUND for another
// customer's tickets.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/request_key.h"
#include "common/mysql/group_commit.h"
#include "common/server/identity.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_effects.h"
#include "ticket-svc/app/ticket_reader.h"
#include "ticket-svc/app/ticket_repository.h"
#include "ticket-svc/domain/inputs.h"
#include "ticket-svc/domain/records.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket {

namespace pb = ::sla::ticket::v1;

// The default ids of new tickets ('t'), comments ('m') and outages ('o'): 11 hex digits of
// milliseconds (new rows land at the end of the primary key), then 48 random bits.
std::string RandomTimeOrderedId(char prefix, absl::Time now);

struct TicketManagerOptions {
  std::function<absl::Time()> clock;
  // Called after a commit that wrote outbox events (wakes the sequencer).
  std::function<void()> on_events_written = [] {};
  // Called after a commit that wrote events already numbered (wakes the event streams).
  std::function<void()> on_events_numbered = [] {};
  // Concurrent CreateTickets share transactions (group commit): at most `max_batch` tickets per
  // transaction, `writers` transactions at once.
  mysql::GroupCommitOptions create_commits;
  // Ids of new tickets, comments and outages; null: time-ordered with 48 random bits. Tests
  // pass one that repeats ids.
  std::function<std::string(char prefix, absl::Time now)> new_id;
};

class TicketManager {
 public:
  // `repo` and `terms` must outlive it.
  TicketManager(TicketRepository* repo, TermsCache* terms, TicketManagerOptions options);

  absl::StatusOr<TicketView> CreateTicket(const server::Identity& who, const NewTicketInput& in,
                                          const api::RequestKey& key);
  // The changes of the ticket `name`; an `etag` other than "" must be the ticket's.
  absl::StatusOr<TicketView> TransitionTicket(const server::Identity& who, const std::string& name,
                                              const std::string& etag, Status status,
                                              const std::string& reason);
  absl::StatusOr<TicketView> ChangePriority(const server::Identity& who, const std::string& name,
                                            const std::string& etag, sla::v1::Priority priority,
                                            const std::string& reason);
  absl::StatusOr<TicketView> RecordRootCause(const server::Identity& who, const std::string& name,
                                             const std::string& root_cause,
                                             const std::string& preventive_action);
  absl::StatusOr<TicketView> PauseClocks(const server::Identity& who, const std::string& name,
                                         const std::string& exclusion_id,
                                         const std::string& reason);
  absl::StatusOr<TicketView> ResumeClocks(const server::Identity& who, const std::string& name,
                                          const std::string& reason);
  // The escalation fired by hand, with the ticket it concerns.
  absl::StatusOr<std::pair<Ticket, FiredEscalation>> EscalateTicket(const server::Identity& who,
                                                                    const std::string& name,
                                                                    sla::v1::ClockKind clock,
                                                                    int level,
                                                                    const std::string& reason);
  // The comment as stored (with its name), or, for a retry, the comment the first call added.
  absl::StatusOr<CommentRow> AddComment(const server::Identity& who, const NewCommentInput& in,
                                        const api::RequestKey& key);

  // How CreateTickets were grouped into transactions so far.
  mysql::GroupCommit<NewTicketRows>::Stats create_commit_stats() const { return creates_.stats(); }

 private:
  using Mutation =
      std::function<absl::Status(Ticket&, const core::TermsContext&, int64_t now, Effects&)>;
  // Locks the ticket, checks access and etag, applies `change`, saves it with its effects.
  absl::StatusOr<TicketView> Mutate(const server::Identity& who, const std::string& name,
                                    const std::string& etag, const Mutation& change,
                                    FiredEscalation* fired = nullptr);

  // One group commit of new tickets: the batch in one transaction, or, if that fails (a request
  // id claimed before), each ticket alone so that one caller's error is not another's.
  void WriteNewTickets(absl::Span<NewTicketRows* const> rows, absl::Span<absl::Status> statuses);
  std::string NewId(char prefix, absl::Time now) const;

  TicketRepository* repo_;
  TermsCache* terms_;
  TicketManagerOptions options_;
  mysql::GroupCommit<NewTicketRows> creates_;
  TicketReader reader_;  // answers a retried CreateTicket with the ticket it created
};

}  // namespace sla::ticket
