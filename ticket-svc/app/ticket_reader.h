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
#include "common/server/identity.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_repository.h"
#include "ticket-svc/domain/ticket.h"

namespace sla::ticket {

namespace pb = ::sla::ticket::v1;

class TicketReader {
 public:
  // `repo` and `terms` must outlive it.
  TicketReader(TicketRepository* repo, TermsCache* terms, std::function<absl::Time()> clock)
      : repo_(repo), terms_(terms), clock_(std::move(clock)) {}

  absl::StatusOr<pb::Ticket> GetTicket(const server::Identity& who, const std::string& name);
  absl::StatusOr<pb::ListTicketsResponse> ListTickets(const server::Identity& who,
                                                      const pb::ListTicketsRequest& req);
  absl::StatusOr<pb::ListCommentsResponse> ListComments(const server::Identity& who,
                                                        const pb::ListCommentsRequest& req);
  absl::StatusOr<pb::ListSlaHistoryResponse> ListSlaHistory(const server::Identity& who,
                                                            const pb::ListSlaHistoryRequest& req);
  absl::StatusOr<pb::ListEscalationsResponse> ListEscalations(
      const server::Identity& who, const pb::ListEscalationsRequest& req);

 private:
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
