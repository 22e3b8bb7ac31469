// The terms tickets are measured against, fetched from contract-svc by ResolveTerms and kept
// by version: in memory (compiled, bounded), and in ticket-svc's own `terms_versions` table so
// that existing tickets never need contract-svc again (versions are immutable).
//
// For new tickets, which version is in force at an instant is cached per contract within the
// version's [effective_from, effective_until) range; the latest version's open-ended range is
// re-checked after `latest_ttl`, so an amendment is picked up within that delay (and one call).
// One caller per contract asks contract-svc at a time: while it does, the others use the
// version last known to be in force, or, with none known yet, wait for its answer. Otherwise
// every CreateTicket arriving after the TTL ran out would ask too (each call also writing and
// compiling the version), and a busy service fell behind for up to half a second each time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clients/terms_source.h"
#include "common/core/terms_context.h"
#include "ticket-svc/app/ticket_repository.h"

namespace sla::ticket {

using clients::ResolvedVersion;
using clients::TermsSource;

class TermsCache {
 public:
  TermsCache(TermsSource* source, TicketRepository* repo, std::function<absl::Time()> clock,
             absl::Duration latest_ttl = absl::Seconds(30), size_t max_versions = 2000);

  // The terms of `contract` in force at `at` (for a new ticket).
  absl::StatusOr<std::shared_ptr<const core::TermsContext>> ForContractAt(
      const std::string& contract, absl::Time at);
  // A version a ticket already refers to.
  absl::StatusOr<std::shared_ptr<const core::TermsContext>> ForVersion(const std::string& version);
  // The same, reading a missing version in the caller's transaction, so a caller never holds
  // one pooled connection while waiting for another.
  absl::StatusOr<std::shared_ptr<const core::TermsContext>> ForVersion(const std::string& version,
                                                                       TicketTx& tx);

  // Remote resolutions so far (tests and metrics).
  int64_t remote_calls() const;

 private:
  struct Range {
    std::string version;
    absl::Time from;
    absl::Time until;
    absl::Time checked;
  };
  // A call to contract-svc under way for one contract, and its outcome once `done`.
  struct Flight {
    bool done = false;
    absl::Status status;
  };
  // The cached version of `contract` in force at `at`: `fresh` if it needs no re-check at `now`,
  // otherwise `stale` if one is known.
  struct Found {
    std::shared_ptr<const core::TermsContext> fresh, stale;
  };
  Found LookUp(const std::string& contract, absl::Time at, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Asks contract-svc which version is in force and caches the answer.
  absl::StatusOr<std::shared_ptr<const core::TermsContext>> Resolve(const std::string& contract,
                                                                    absl::Time at, absl::Time now);
  absl::StatusOr<std::shared_ptr<const core::TermsContext>> Compile(const std::string& version,
                                                                    sla::v1::SlaTerms terms);
  std::shared_ptr<const core::TermsContext> Cached(const std::string& version) const;
  absl::StatusOr<std::shared_ptr<const core::TermsContext>> FromBlob(
      const std::string& version, const std::optional<std::string>& blob);
  void Remember(const std::string& version, std::shared_ptr<const core::TermsContext> ctx)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  TermsSource* source_;
  TicketRepository* repo_;
  std::function<absl::Time()> clock_;
  const absl::Duration latest_ttl_;
  const size_t max_versions_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const core::TermsContext>> versions_ ABSL_GUARDED_BY(mu_);
  std::multimap<std::string, Range> ranges_ ABSL_GUARDED_BY(mu_);                // by contract
  std::map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mu_);  // by contract
  int64_t remote_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sla::ticket
