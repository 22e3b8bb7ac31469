// The scheduler's pass: closes every period of every active contract (and of contracts
// terminated within the catch-up window) once it ended in the contract's zone plus the terms'
// grace hours, oldest first, `close_batch` periods per transaction on `close_workers`
// connections.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "billing-svc/app/billing_repository.h"
#include "billing-svc/app/period_close.h"
#include "common/clients/terms_source.h"

namespace sla::billing {

struct SchedulerOptions {
  int close_batch = 50;   // periods closed per transaction
  int close_workers = 2;  // connections batches close on
  std::function<void()> on_published = [] {};
};

class CloseScheduler {
 public:
  // `repo` and `terms` must outlive it.
  CloseScheduler(BillingRepository* repo, clients::TermsSource* terms, SchedulerOptions options)
      : repo_(repo), terms_(terms), options_(std::move(options)) {}

  // Closes what is due at `clock`; returns how many periods closed. One pass at a time.
  absl::StatusOr<int> CloseDue(clients::ContractDirectory& contracts, absl::Time clock);

 private:
  // A contract the scheduler looks at: active (up to last month) or terminated (up to the
  // month of its end).
  struct Candidate {
    std::string name;
    absl::CivilMonth last;
    bool terminated = false;
  };
  static absl::StatusOr<std::vector<Candidate>> Candidates(clients::ContractDirectory& contracts,
                                                           absl::CivilMonth this_month,
                                                           absl::CivilMonth oldest);
  // `cand`'s periods from `first` that may close now, oldest first; none if one of them
  // cannot close (later ones must wait for it).
  std::vector<PendingClose> DueOf(const Candidate& cand, absl::CivilMonth first, int64_t now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Closes every contract's due periods, in order, in batches. Returns how many closed.
  int CloseInRounds(std::vector<std::vector<PendingClose>>& due, int64_t now);
  // Closes `batch` in one transaction; if that fails, each on its own. Returns how many closed.
  int CloseBatch(const std::vector<PendingClose>& batch, int64_t now);

  // How far back the scheduler looks for periods still to close.
  static constexpr int kCatchUpMonths = 24;

  BillingRepository* repo_;
  clients::TermsSource* terms_;
  SchedulerOptions options_;
  absl::Mutex mu_;  // one pass at a time
  // Per contract, the newest month found without terms before the contract began: nothing
  // there or before it is ever billed, so the scheduler does not ask contract-svc again.
  std::map<std::string, absl::CivilMonth> before_start_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla::billing
