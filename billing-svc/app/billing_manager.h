// billing-svc's use cases: following ticket-svc's events into facts (cursor committed with
// them), previewing and closing billing periods (credits, credit note, invoice — issued once
// per contract and period, in one transaction), and reading the documents.
//
// Access: msp_admin and billing_system close periods; MSP roles, service and billing_system
// read everything; customers read their own documents and previews, NOT_FOUND for others'.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "billing-svc/domain/period.h"
#include "common/clients/contract_terms.h"
#include "common/mysql/connection_pool.h"
#include "common/server/identity.h"
#include "sla/billing/v1/billing_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"

namespace sla::billing {

namespace pb = ::sla::billing::v1;

// ticket-svc's event stream (ListEvents over gRPC in production).
class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual absl::StatusOr<std::vector<sla::ticket::v1::Event>> List(int64_t after, int page_size) = 0;
};

struct BillingOptions {
  std::function<absl::Time()> clock;
  std::function<void()> on_events_written = [] {};
};

class BillingManager {
 public:
  BillingManager(mysql::ConnectionPool* pool, clients::TermsSource* terms, EventSource* events,
                 BillingOptions options);

  // Applies ticket-svc events after the stored cursor until caught up; returns how many.
  absl::StatusOr<int> ConsumeOnce();

  absl::StatusOr<pb::PreviewCreditsResponse> Preview(const server::Identity& who,
                                                     const pb::PreviewCreditsRequest& req);
  absl::StatusOr<pb::ClosePeriodResponse> Close(const server::Identity& who,
                                                const pb::ClosePeriodRequest& req);
  // The scheduler's pass: closes the previous period of every active contract once it ended
  // in the contract's zone plus the terms' grace hours. Returns how many it closed.
  absl::StatusOr<int> CloseDuePeriods(clients::ContractDirectory& contracts);
  absl::StatusOr<pb::Invoice> GetInvoice(const server::Identity& who, const std::string& name);
  absl::StatusOr<pb::ListInvoicesResponse> ListInvoices(const server::Identity& who,
                                                        const pb::ListInvoicesRequest& req);
  absl::StatusOr<pb::CreditNote> GetCreditNote(const server::Identity& who, const std::string& name);
  absl::StatusOr<pb::ListCreditNotesResponse> ListCreditNotes(const server::Identity& who,
                                                              const pb::ListCreditNotesRequest& req);

 private:
  struct Resolved;
  absl::StatusOr<Resolved> Resolve(const std::string& contract, const Period& p);
  absl::StatusOr<pb::ClosePeriodResponse> CloseContractPeriod(const std::string& contract,
                                                              const pb::BillingPeriod& period,
                                                              bool respect_grace);

  // How far back the scheduler looks for periods still to close.
  static constexpr int kCatchUpMonths = 24;

  mysql::ConnectionPool* pool_;
  clients::TermsSource* terms_;
  EventSource* events_;
  BillingOptions options_;
  // Per contract, the newest month found without terms in force (before the contract began);
  // the scheduler does not ask contract-svc about it or anything older again.
  absl::Mutex scheduler_mu_;  // one closing pass at a time
  std::map<std::string, absl::CivilMonth> months_without_terms_ ABSL_GUARDED_BY(scheduler_mu_);
};

}  // namespace sla::billing
