#include "billing-svc/app/close_scheduler.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "billing-svc/app/period_closer.h"
#include "common/api/resource_name.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"

namespace sla::billing {

absl::StatusOr<int> CloseScheduler::CloseDue(clients::ContractDirectory& contracts,
                                             absl::Time clock) {
  absl::MutexLock lock(&mu_);
  const int64_t now = absl::ToUnixSeconds(clock);
  const absl::CivilMonth this_month =
      absl::CivilMonth(absl::ToCivilSecond(clock, absl::UTCTimeZone()));
  const absl::CivilMonth oldest = this_month - kCatchUpMonths;
  SLA_ASSIGN_OR_RETURN(std::vector<Candidate> candidates,
                       Candidates(contracts, this_month, oldest));
  std::map<std::string, int> newest;
  SLA_RETURN_IF_ERROR(repo_->Read([&](BillingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(newest, tx.NewestClosedPeriods());
    return absl::OkStatus();
  }));
  std::vector<std::vector<PendingClose>> due;  // per contract, oldest first
  for (const Candidate& cand : candidates) {
    absl::StatusOr<std::pair<std::string, std::string>> parsed =
        api::ParseCustomerChild(cand.name, "contracts", "contract");
    if (!parsed.ok()) continue;
    absl::CivilMonth first = oldest;
    if (auto it = newest.find(KeyText({parsed->first, parsed->second})); it != newest.end()) {
      first = std::max(first, absl::CivilMonth(it->second / 12, it->second % 12 + 1) + 1);
    }
    if (auto it = before_start_.find(cand.name); it != before_start_.end())
      first = std::max(first, it->second + 1);
    std::vector<PendingClose> mine = DueOf(cand, first, now);
    if (!mine.empty()) due.push_back(std::move(mine));
  }
  return CloseInRounds(due, now);
}

absl::StatusOr<std::vector<CloseScheduler::Candidate>> CloseScheduler::Candidates(
    clients::ContractDirectory& contracts, absl::CivilMonth this_month, absl::CivilMonth oldest) {
  std::vector<Candidate> candidates;
  SLA_ASSIGN_OR_RETURN(std::vector<std::string> active, contracts.ActiveContracts());
  for (std::string& n : active) candidates.push_back({std::move(n), this_month - 1, false});
  SLA_ASSIGN_OR_RETURN(auto ended,
                       contracts.TerminatedContracts(absl::FromCivil(oldest, absl::UTCTimeZone())));
  for (auto& t : ended) {
    // The local month holding the last second in force may be the UTC month after.
    const absl::CivilMonth m(
        absl::ToCivilSecond(t.termination_time - absl::Seconds(1), absl::UTCTimeZone()));
    candidates.push_back({std::move(t.name), std::min(this_month - 1, m + 1), true});
  }
  return candidates;
}

std::vector<PendingClose> CloseScheduler::DueOf(const Candidate& cand, absl::CivilMonth first,
                                                int64_t now) {
  // Newest first, back to the first month without terms (before the contract began), so
  // that a closed-up contract costs nothing and a new one a single miss (remembered, so a
  // contract that began this month is not asked about last month again every pass).
  std::vector<PendingClose> mine;
  for (absl::CivilMonth m = cand.last; m >= first; --m) {
    pb::BillingPeriod p;
    p.set_year(static_cast<int>(m.year()));
    p.set_month(m.month());
    absl::StatusOr<PendingClose> r =
        PrepareClose(*terms_, cand.name, p, /*respect_grace=*/true, now);
    if (r.ok()) {
      mine.push_back(*std::move(r));
      continue;
    }
    if (r.status().code() == absl::StatusCode::kFailedPrecondition) continue;  // not yet due
    if (r.status().code() == absl::StatusCode::kNotFound) {
      if (cand.terminated && m == cand.last && mine.empty()) continue;  // after its end
      before_start_[cand.name] = m;                                     // before its start
      break;
    }
    // Later periods must not close before this one: none of this contract's this pass.
    log::Warning("period close failed",
                 {{"contract", cand.name}, {"error", r.status().ToString()}});
    return {};
  }
  // Oldest first, so that each credit lands on the next period's invoice.
  std::reverse(mine.begin(), mine.end());
  return mine;
}

int CloseScheduler::CloseInRounds(std::vector<std::vector<PendingClose>>& due, int64_t now) {
  // In rounds: every contract's oldest due period, then the next ones, so that a batch holds a
  // contract at most once and a period closes after the one before it.
  // The batches of a round are independent: they run on close_workers connections, which
  // overlap one batch's reads with another's commit (the document series rows serialise only
  // the numbering at each batch's end).
  std::atomic<int> closed{0};
  const size_t batch_size = static_cast<size_t>(std::max(1, options_.close_batch));
  for (size_t round = 0;; ++round) {
    std::vector<std::vector<PendingClose>> batches(1);
    for (std::vector<PendingClose>& periods : due) {
      if (round >= periods.size()) continue;
      if (batches.back().size() == batch_size) batches.emplace_back();
      batches.back().push_back(std::move(periods[round]));
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t b; (b = next++) < batches.size();) {
        if (!batches[b].empty()) closed += CloseBatch(batches[b], now);
      }
    };
    std::vector<std::thread> helpers;
    const size_t workers = std::min<size_t>(std::max(1, options_.close_workers), batches.size());
    for (size_t i = 1; i < workers; ++i) helpers.emplace_back(work);
    work();
    for (std::thread& t : helpers) t.join();
    const bool more =
        std::any_of(due.begin(), due.end(), [&](const auto& d) { return d.size() > round + 1; });
    if (!more) break;
  }
  return closed.load();
}

namespace {

int NewlyClosed(const std::vector<pb::ClosePeriodResponse>& outs) {
  return static_cast<int>(
      std::count_if(outs.begin(), outs.end(), [](const auto& o) { return o.newly_closed(); }));
}

}  // namespace

int CloseScheduler::CloseBatch(const std::vector<PendingClose>& batch, int64_t now) {
  std::vector<pb::ClosePeriodResponse> outs;
  std::vector<outbox::Row> events;
  if (CloseTogether(*repo_, batch, now, &outs, &events).ok()) {
    if (!events.empty()) options_.on_published();
    return NewlyClosed(outs);
  }
  // One of them failed: close the others each on their own (a contract whose earlier period
  // failed fails its later ones too: periods close in order).
  int closed = 0;
  for (const PendingClose& p : batch) {
    const absl::Status s = CloseTogether(*repo_, {p}, now, &outs, &events);
    if (!s.ok()) {
      log::Warning(
          "period close failed",
          {{"contract", p.contract}, {"period", PeriodText(p.period)}, {"error", s.ToString()}});
      continue;
    }
    if (!events.empty()) options_.on_published();
    closed += NewlyClosed(outs);
  }
  return closed;
}

}  // namespace sla::billing
