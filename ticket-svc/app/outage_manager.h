// Outages of a customer's services: recorded (by MSP staff or monitoring, with the service and
// any exclusion checked against the terms in force at the start), closed once, read and listed
// under the caller's customer scope. Each change commits with its `outage.*` event, which
// billing-svc and reporting-svc turn into availability.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/api/request_key.h"
#include "common/server/identity.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_manager.h"
#include "ticket-svc/app/ticket_repository.h"

namespace sla::ticket {

class OutageManager {
 public:
  // `repo` and `terms` must outlive it; `options` as the TicketManager's (clock, ids, wake-up).
  OutageManager(TicketRepository* repo, TermsCache* terms, TicketManagerOptions options)
      : repo_(repo), terms_(terms), options_(std::move(options)) {}

  absl::StatusOr<pb::Outage> CreateOutage(const server::Identity& who,
                                          const pb::CreateOutageRequest& req,
                                          const api::RequestKey& key);
  absl::StatusOr<pb::Outage> CloseOutage(const server::Identity& who,
                                         const pb::CloseOutageRequest& req);
  absl::StatusOr<pb::Outage> GetOutage(const server::Identity& who, const std::string& name);
  absl::StatusOr<pb::ListOutagesResponse> ListOutages(const server::Identity& who,
                                                      const pb::ListOutagesRequest& req);

 private:
  TicketRepository* repo_;
  TermsCache* terms_;
  TicketManagerOptions options_;
};

}  // namespace sla::ticket
