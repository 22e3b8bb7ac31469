// Reading tickets: one by name, pages under a customer (filters, next-due order), and a
// ticket's comments (internal ones for MSP staff and services only), SLA history and
// escalations. Access as in ticket_manager.h; another customer's ticket is NOT_FOUND.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/list_request.h"
#include "common/server/identity.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_repository.h"
#include "ticket-svc/domain/inputs.h"
#include "ticket-svc/domain/records.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket {

// A ticket with what its API view is computed from: the terms it is measured by, and the
// instant its clocks are read at.
struct TicketView {
  Ticket ticket;
  std::shared_ptr<const core::TermsContext> terms;
  int64_t now = 0;
};
struct TicketPage {
  std::vector<TicketView> tickets;
  std::string next_page_token;
};
struct CommentPage {
  std::vector<CommentRow> comments;  // each comment's name set
  std::string next_page_token;
};

class TicketReader {
 public:
  // `repo` and `terms` must outlive it.
  TicketReader(TicketRepository* repo, TermsCache* terms, std::function<absl::Time()> clock)
      : repo_(repo), terms_(terms), clock_(std::move(clock)) {}

  absl::StatusOr<TicketView> GetTicket(const server::Identity& who, const std::string& name);
  // `page.parent` is `customers/{c}` or `customers/-`; filter and `next_due_time` order as in
  // the API.
  absl::StatusOr<TicketPage> ListTickets(const server::Identity& who, const api::PageRequest& page);
  absl::StatusOr<CommentPage> ListComments(const server::Identity& who,
                                           const api::PageRequest& page);
  // The ticket's SLA history and escalations as stored: each history row a serialized
  // ListSlaHistoryResponse of one change's entries, each escalation a serialized Escalation.
  absl::StatusOr<std::vector<std::string>> ListSlaHistory(const server::Identity& who,
                                                          const std::string& parent);
  absl::StatusOr<std::vector<std::string>> ListEscalations(const server::Identity& who,
                                                           const std::string& parent);

 private:
  // The ticket `name` read in `tx`, if `who` may read it (NOT_FOUND for another customer's).
  absl::StatusOr<Ticket> Readable(const server::Identity& who, const std::string& name,
                                  TicketTx& tx);
  // The ticket `name` and its terms, if `who` may read it.
  absl::StatusOr<std::pair<Ticket, std::shared_ptr<const core::TermsContext>>> Read(
      const server::Identity& who, const std::string& name);
  // The rows `rows` gives for the ticket `parent` (its history or its escalations), if `who`
  // may read it.
  absl::StatusOr<std::vector<std::string>> ReadRows(
      const server::Identity& who, const std::string& parent,
      absl::StatusOr<std::vector<std::string>> (TicketTx::*rows)(const std::string&));

  TicketRepository* repo_;
  TermsCache* terms_;
  std::function<absl::Time()> clock_;
};

}  // namespace sla::ticket
