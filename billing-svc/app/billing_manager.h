// billing-svc's use cases: following ticket-svc's events into facts (cursor committed with
// them), previewing and closing billing periods (credits, credit note, invoice — issued once
// per contract and period, in one transaction), and reading the documents.
//
// Access: msp_admin and billing_system close periods; MSP roles, service and billing_system
// read everything; customers read their own documents and previews, NOT_FOUND for others'.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "billing-svc/storage/billing_store.h"
#include "common/clients/contract_terms.h"
#include "common/core/period.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/follower.h"
#include "common/outbox/outbox.h"
#include "common/server/identity.h"
#include "sla/billing/v1/billing_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"

namespace sla::billing {

namespace pb = ::sla::billing::v1;

struct BillingOptions {
  std::function<absl::Time()> clock;
  std::function<void()> on_events_written = [] {};
  int close_batch = 50;   // periods the scheduler closes per transaction
  int close_workers = 2;  // connections the scheduler closes batches on
};

class BillingManager {
 public:
  // `events`: ticket-svc's stream (ListEvents over gRPC in production).
  BillingManager(mysql::ConnectionPool* pool, clients::TermsSource* terms, outbox::Feed* events,
                 BillingOptions options);
  ~BillingManager();

  // Applies ticket-svc events after the stored cursor until caught up; returns how many.
  absl::StatusOr<int> ConsumeOnce();
  // The consumer of ticket-svc's stream, for the operator's actions (EventConsumerService).
  outbox::Follower& ticket_events() { return *follower_; }

  absl::StatusOr<pb::PreviewCreditsResponse> Preview(const server::Identity& who,
                                                     const pb::PreviewCreditsRequest& req);
  absl::StatusOr<pb::ClosePeriodResponse> Close(const server::Identity& who,
                                                const pb::ClosePeriodRequest& req);
  // The scheduler's pass: closes every period of every active contract (and of contracts
  // terminated within the catch-up window) once it ended in the contract's zone plus the
  // terms' grace hours, oldest first, options.close_batch periods per transaction. Returns how
  // many it closed. Then issues the deltas of closed periods that late data made stale.
  absl::StatusOr<int> CloseDuePeriods(clients::ContractDirectory& contracts);
  // Delta credit or debit notes for closed periods that facts arriving after their close
  // concern. Returns how many periods changed.
  absl::StatusOr<int> ReviseStalePeriods();

 private:
  struct Resolved;
  struct PendingClose;
  absl::StatusOr<Resolved> Resolve(const std::string& contract, const core::Period& p);
  // Resolves the period and checks it may close now (ended; past its grace if asked).
  absl::StatusOr<PendingClose> PrepareClose(const std::string& contract,
                                            const pb::BillingPeriod& period, bool respect_grace,
                                            int64_t now);
  // Closes them in the caller's transaction (after storage::LockFactsShared); each contract at
  // most once. `outs` has one response per period.
  absl::Status IssueCloses(mysql::Connection& c, const std::vector<PendingClose>& batch,
                           int64_t now, std::vector<pb::ClosePeriodResponse>* outs,
                           std::vector<outbox::Row>* events);
  // One period's close, decided before anything is written.
  struct CloseWork;
  // Decides a fresh period's close from its facts and what earlier periods left: `pending`
  // deferred credits, `earlier` credits its invoice deducts, `recent` credits for chronic breach.
  absl::StatusOr<CloseWork> PlanClose(const PendingClose& p, const core::PeriodFacts& facts,
                                      std::vector<storage::StoredCredit> pending,
                                      std::vector<storage::StoredCredit> earlier,
                                      const std::vector<storage::StoredCredit>& recent,
                                      int64_t now);
  // The credit rows of the planned closes, and the earlier credits they apply or release.
  absl::Status WriteCredits(mysql::Connection& c, const std::vector<PendingClose>& batch,
                            const std::vector<CloseWork>& work);
  // Numbers and writes the credit notes and invoices, with their events; fills `outs`.
  absl::Status IssueDocuments(mysql::Connection& c, const std::vector<PendingClose>& batch,
                              std::vector<CloseWork>& work, int notes, int64_t now,
                              std::vector<pb::ClosePeriodResponse>* outs,
                              std::vector<outbox::Row>* events);
  // The credit note numbered `n` of one close, its document row and its event.
  static absl::Status IssueCreditNote(const PendingClose& p, const CloseWork& w, int64_t n,
                                      int64_t now, pb::CreditNote* note,
                                      std::vector<storage::DocumentRow>* documents,
                                      std::vector<outbox::Row>* events);
  // The event of a credit deferred or dropped instead of issued.
  static outbox::Row HeldCreditEvent(const PendingClose& p, const CloseWork& w, int64_t now);
  // The invoice numbered `n` of one close, its document row and its event.
  static void IssueInvoice(const PendingClose& p, const CloseWork& w, int64_t n, int64_t now,
                           pb::Invoice* inv, std::vector<storage::DocumentRow>* documents,
                           std::vector<outbox::Row>* events);
  // A contract the scheduler looks at: active (up to last month) or terminated (up to the
  // month of its end).
  struct Candidate {
    std::string name;
    absl::CivilMonth last;
    bool terminated = false;
  };
  absl::StatusOr<std::vector<Candidate>> CloseCandidates(clients::ContractDirectory& contracts,
                                                         absl::CivilMonth this_month,
                                                         absl::CivilMonth oldest);
  // `cand`'s periods from `first` that may close now, oldest first; none if one of them
  // cannot close (later ones must wait for it).
  std::vector<PendingClose> DueOf(const Candidate& cand, absl::CivilMonth first, int64_t now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(scheduler_mu_);
  // Closes every contract's due periods, in order, in batches. Returns how many closed.
  int CloseInRounds(std::vector<std::vector<PendingClose>>& due, int64_t now);
  // Closes `batch` in one transaction; if that fails, each on its own. Returns how many closed.
  int CloseBatch(const std::vector<PendingClose>& batch, int64_t now);
  absl::StatusOr<bool> Revise(const storage::ContractKey& k, const core::Period& period,
                              int64_t now);

  // How far back the scheduler looks for periods still to close.
  static constexpr int kCatchUpMonths = 24;

  mysql::ConnectionPool* pool_;
  clients::TermsSource* terms_;
  BillingOptions options_;
  std::unique_ptr<outbox::Handler> ticket_handler_;
  std::unique_ptr<outbox::Follower> follower_;
  absl::Mutex scheduler_mu_;  // one closing pass at a time
  // Per contract, the newest month found without terms before the contract began: nothing
  // there or before it is ever billed, so the scheduler does not ask contract-svc again.
  std::map<std::string, absl::CivilMonth> before_start_ ABSL_GUARDED_BY(scheduler_mu_);
};

}  // namespace sla::billing
