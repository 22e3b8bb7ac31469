#include "reporting-svc/app/report_terms.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/core/period.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/domain/figures.h"

namespace sla::reporting {
namespace {

int64_t MidMonth(int period) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(period / 12, period % 12 + 1, 15), absl::UTCTimeZone()));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const TermsInfo>> ReportTerms::Of(const std::string& contract,
                                                                 const std::string& version,
                                                                 int64_t at) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = cache_.find(version); !version.empty() && it != cache_.end()) return it->second;
  }
  // A named version is fetched by its name: the version in force at the event's time may be a
  // later one (an amendment), or none at all (a ticket closed after its contract ended).
  SLA_ASSIGN_OR_RETURN(clients::ResolvedVersion v,
                       version.empty() ? terms_->Resolve(contract, absl::FromUnixSeconds(at))
                                       : terms_->ResolveVersion(contract, version));
  if (!version.empty() && v.name != version) {
    return absl::FailedPreconditionError(
        absl::StrCat("contract-svc answered `", v.name, "` for `", version, "`"));
  }
  auto info = std::make_shared<TermsInfo>(TermsInfo{v.name, std::move(v.terms)});
  absl::MutexLock lock(&mu_);
  cache_[info->version] = info;  // versions are immutable
  return std::shared_ptr<const TermsInfo>(info);
}

absl::StatusOr<std::shared_ptr<const TermsInfo>> ReportTerms::ForPeriod(const std::string& contract,
                                                                        int period) {
  absl::StatusOr<std::shared_ptr<const TermsInfo>> mid = Of(contract, "", MidMonth(period));
  if (mid.ok() || !absl::IsFailedPrecondition(mid.status())) return mid;
  // Not in force on the 15th: began or ended within the month. A version's window (unlike its
  // terms) changes when the contract is amended or ended, so it is asked for, not cached.
  std::optional<clients::ResolvedVersion> best;
  for (int n = 1; n <= 1000; ++n) {
    absl::StatusOr<clients::ResolvedVersion> v =
        terms_->ResolveVersion(contract, absl::StrCat(contract, "/versions/", n));
    if (absl::IsNotFound(v.status())) break;  // past the latest version
    if (!v.ok()) return v.status();
    SLA_ASSIGN_OR_RETURN(
        core::PeriodBounds b,
        core::Bounds({period / 12, period % 12 + 1}, v->terms.pricing().billing_time_zone()));
    if (v->effective_from >= absl::FromUnixSeconds(b.end)) break;
    if (v->effective_until > absl::FromUnixSeconds(b.start) &&
        v->effective_until > v->effective_from)
      best = *v;
    if (v->effective_until == absl::InfiniteFuture()) break;
  }
  if (!best) return WrongState(contract, absl::StrCat("was not in force in ", PeriodText(period)));
  return Of(contract, best->name, 0);
}

absl::StatusOr<int> PeriodIndexOf(const TermsInfo& t, int64_t at) {
  SLA_ASSIGN_OR_RETURN(core::Period p, core::PeriodOf(at, t.terms.pricing().billing_time_zone()));
  return p.year * 12 + p.month - 1;
}

}  // namespace sla::reporting
