// billing-svc's use cases: following ticket-svc's events into facts (cursor committed with
// them), previewing and closing billing periods (credits, credit note, invoice — issued once
// per contract and period, in one transaction), and reading the documents.
//
// Access: msp_admin and billing_system close periods; MSP roles, service and billing_system
// read everything; customers read their own documents and previews, NOT_FOUND for others'.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "billing-svc/app/billing_repository.h"
#include "billing-svc/app/close_scheduler.h"
#include "billing-svc/app/ticket_facts.h"
#include "common/clients/terms_source.h"
#include "common/core/period.h"
#include "common/server/identity.h"
#include "sla/billing/v1/billing_service.pb.h"

namespace sla::billing {

namespace pb = ::sla::billing::v1;

struct BillingOptions {
  std::function<absl::Time()> clock;
  std::function<void()> on_events_written = [] {};
  int close_batch = 50;   // periods the scheduler closes per transaction
  int close_workers = 2;  // connections the scheduler closes batches on
};

// A preview's figures and what they reflect.
struct CreditPreview {
  core::PeriodComputation computation;
  std::string terms_version;
  FactsPosition reflects;  // of ticket-svc's stream
};

class BillingManager {
 public:
  // `repo`, `terms` and `facts` (ticket-svc's stream, followed) must outlive it.
  BillingManager(BillingRepository* repo, clients::TermsSource* terms, TicketFacts* facts,
                 BillingOptions options);

  // Applies ticket-svc events after the stored cursor until caught up; returns how many.
  absl::StatusOr<int> ConsumeOnce();

  // What closing `contract`'s `period` now would credit, on the facts applied up to at least
  // `min_event_position` (a position in ticket-svc's stream; "" for what is applied now).
  absl::StatusOr<CreditPreview> Preview(const server::Identity& who, const std::string& contract,
                                        const pb::BillingPeriod& period,
                                        const std::string& min_event_position);
  // Closes the period (once: a second close answers the documents of the first).
  absl::StatusOr<pb::ClosePeriodResponse> Close(const server::Identity& who,
                                                const std::string& contract,
                                                const pb::BillingPeriod& period);
  // The scheduler's pass (CloseScheduler) on facts caught up first, or nothing this pass. Then
  // issues the deltas of closed periods that late data made stale. Returns how many closed.
  absl::StatusOr<int> CloseDuePeriods(clients::ContractDirectory& contracts);
  // Delta credit or debit notes for closed periods that facts arriving after their close
  // concern. Returns how many periods changed.
  absl::StatusOr<int> ReviseStalePeriods();

 private:
  BillingRepository* repo_;
  clients::TermsSource* terms_;
  TicketFacts* facts_;
  BillingOptions options_;
  CloseScheduler scheduler_;
};

}  // namespace sla::billing
