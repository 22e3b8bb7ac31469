#include "ticket-svc/app/terms_cache.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace sla::ticket {

TermsCache::TermsCache(TermsSource* source, TicketRepository* repo,
                       std::function<absl::Time()> clock, absl::Duration latest_ttl,
                       size_t max_versions)
    : source_(source),
      repo_(repo),
      clock_(std::move(clock)),
      latest_ttl_(latest_ttl),
      max_versions_(max_versions) {}

int64_t TermsCache::remote_calls() const {
  absl::MutexLock lock(&mu_);
  return remote_calls_;
}

absl::StatusOr<std::shared_ptr<const core::TermsContext>> TermsCache::Compile(
    const std::string& version, sla::v1::SlaTerms terms) {
  // Calendars are compiled around "now": two years back (old open tickets) and three ahead.
  const absl::Time now = clock_();
  return core::TermsContext::Build(version, std::move(terms), now - absl::Hours(24 * 366 * 2),
                                   now + absl::Hours(24 * 366 * 3));
}

void TermsCache::Remember(const std::string& version,
                          std::shared_ptr<const core::TermsContext> ctx) {
  if (!versions_.contains(version) && versions_.size() >= max_versions_)
    versions_.erase(versions_.begin());
  versions_[version] = std::move(ctx);
}

TermsCache::Found TermsCache::LookUp(const std::string& contract, absl::Time at,
                                     absl::Time now) const {
  Found found;
  auto [begin, end] = ranges_.equal_range(contract);
  for (auto it = begin; it != end; ++it) {
    const Range& r = it->second;
    if (!(r.from <= at && at < r.until)) continue;
    auto v = versions_.find(r.version);
    if (v == versions_.end()) continue;
    if (r.until != absl::InfiniteFuture() || now - r.checked < latest_ttl_) {
      found.fresh = v->second;
      return found;
    }
    found.stale = v->second;
  }
  return found;
}

absl::StatusOr<std::shared_ptr<const core::TermsContext>> TermsCache::ForContractAt(
    const std::string& contract, absl::Time at) {
  const absl::Time now = clock_();
  std::shared_ptr<Flight> mine;  // only for the caller that asks contract-svc
  {
    absl::MutexLock lock(&mu_);
    for (;;) {
      const Found found = LookUp(contract, at, now);
      if (found.fresh) return found.fresh;
      auto flight = flights_.find(contract);
      if (flight == flights_.end()) break;
      // Another caller is asking contract-svc: until it has the answer, the version last known
      // to be in force is the one to use.
      if (found.stale) return found.stale;
      // Nothing known yet: wait for that answer rather than ask once more.
      const std::shared_ptr<Flight> theirs = flight->second;
      mu_.Await(absl::Condition(&theirs->done));
      if (!theirs->status.ok()) return theirs->status;
    }
    mine = std::make_shared<Flight>();
    flights_[contract] = mine;
    remote_calls_++;
  }
  absl::StatusOr<std::shared_ptr<const core::TermsContext>> resolved = Resolve(contract, at, now);
  absl::MutexLock lock(&mu_);
  mine->done = true;
  mine->status = resolved.status();
  flights_.erase(contract);
  return resolved;
}

absl::StatusOr<std::shared_ptr<const core::TermsContext>> TermsCache::Resolve(
    const std::string& contract, absl::Time at, absl::Time now) {
  SLA_ASSIGN_OR_RETURN(ResolvedVersion resolved, source_->Resolve(contract, at));
  // A version compiled here is stored already (versions are immutable): the usual answer to a
  // re-check, the same version still in force, costs no write and no compiling.
  std::shared_ptr<const core::TermsContext> ctx = Cached(resolved.name);
  if (ctx == nullptr) {
    std::string blob = resolved.terms.SerializeAsString();
    SLA_RETURN_IF_ERROR(repo_->Transact([&](TicketTx& tx) {
      return tx.StoreTermsVersion(resolved.name, blob,
                                  absl::ToUnixSeconds(resolved.effective_from));
    }));
    SLA_ASSIGN_OR_RETURN(ctx, Compile(resolved.name, std::move(resolved.terms)));
  }
  absl::MutexLock lock(&mu_);
  auto [begin, end] = ranges_.equal_range(contract);
  for (auto it = begin; it != end;) {
    it = it->second.version == resolved.name ? ranges_.erase(it) : std::next(it);
  }
  ranges_.emplace(contract,
                  Range{resolved.name, resolved.effective_from, resolved.effective_until, now});
  Remember(resolved.name, ctx);
  return ctx;
}

std::shared_ptr<const core::TermsContext> TermsCache::Cached(const std::string& version) const {
  absl::MutexLock lock(&mu_);
  auto v = versions_.find(version);
  return v == versions_.end() ? nullptr : v->second;
}

absl::StatusOr<std::shared_ptr<const core::TermsContext>> TermsCache::FromBlob(
    const std::string& version, const std::optional<std::string>& blob) {
  if (!blob) return absl::DataLossError(absl::StrCat("terms version ", version, " is not stored"));
  sla::v1::SlaTerms terms;
  if (!terms.ParseFromString(*blob)) {
    return absl::DataLossError(absl::StrCat("terms version ", version, " is unreadable"));
  }
  SLA_ASSIGN_OR_RETURN(std::shared_ptr<const core::TermsContext> ctx,
                       Compile(version, std::move(terms)));
  absl::MutexLock lock(&mu_);
  Remember(version, ctx);
  return ctx;
}

absl::StatusOr<std::shared_ptr<const core::TermsContext>> TermsCache::ForVersion(
    const std::string& version) {
  if (auto ctx = Cached(version)) return ctx;
  std::optional<std::string> blob;
  SLA_RETURN_IF_ERROR(repo_->Read([&](TicketTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(blob, tx.LoadTermsVersion(version));
    return absl::OkStatus();
  }));
  return FromBlob(version, blob);
}

absl::StatusOr<std::shared_ptr<const core::TermsContext>> TermsCache::ForVersion(
    const std::string& version, TicketTx& tx) {
  if (auto ctx = Cached(version)) return ctx;
  SLA_ASSIGN_OR_RETURN(std::optional<std::string> blob, tx.LoadTermsVersion(version));
  return FromBlob(version, blob);
}

}  // namespace sla::ticket
