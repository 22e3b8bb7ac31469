// Outages of a customer's services: recorded (by MSP staff or monitoring, with the service and
// any exclusion checked against the terms in force at the start), closed once, read and listed
// under the caller's customer scope. Each change commits with its `outage.*` event, which
// billing-svc and reporting-svc turn into availability.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/list_request.h"
#include "common/api/request_key.h"
#include "common/server/identity.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_manager.h"
#include "ticket-svc/app/ticket_repository.h"

namespace sla::ticket {

class OutageManager {
 public:
  // `repo` and `terms` must outlive it; `options` as the TicketManager's (clock, ids, wake-up).
  OutageManager(TicketRepository* repo, TermsCache* terms, TicketManagerOptions options)
      : repo_(repo), terms_(terms), options_(std::move(options)) {}

  absl::StatusOr<OutageRow> CreateOutage(const server::Identity& who, const NewOutageInput& in,
                                         const api::RequestKey& key);
  // Closes the outage `name` at `end_time` (required: nullopt is INVALID_ARGUMENT).
  absl::StatusOr<OutageRow> CloseOutage(const server::Identity& who, const std::string& name,
                                        std::optional<int64_t> end_time);
  absl::StatusOr<OutageRow> GetOutage(const server::Identity& who, const std::string& name);
  struct Page {
    std::vector<OutageRow> outages;
    std::string next_page_token;
  };
  absl::StatusOr<Page> ListOutages(const server::Identity& who, const api::PageRequest& page);

 private:
  TicketRepository* repo_;
  TermsCache* terms_;
  TicketManagerOptions options_;
};

}  // namespace sla::ticket
