#include "billing-svc/app/period_close.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::billing {
namespace {

bool Absent(const absl::Status& s) {
  // contract-svc: FAILED_PRECONDITION "no terms in force" / "was terminated"; NOT_FOUND.
  return s.code() == absl::StatusCode::kFailedPrecondition ||
         s.code() == absl::StatusCode::kNotFound;
}

// A version in force somewhere within the month. These UTC instants lie inside the month in
// every zone (UTC−12 to UTC+14).
absl::StatusOr<std::optional<clients::ResolvedVersion>> Probe(clients::TermsSource& terms,
                                                              const std::string& contract,
                                                              const core::Period& p) {
  for (int day : {15, 2, 28, 8, 22}) {
    absl::StatusOr<clients::ResolvedVersion> v = terms.Resolve(
        contract, absl::FromCivil(absl::CivilDay(p.year, p.month, day), absl::UTCTimeZone()));
    if (v.ok()) return *std::move(v);
    if (!Absent(v.status())) return v.status();
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<ResolvedPeriod> ResolvePeriod(clients::TermsSource& terms,
                                             const std::string& contract, const core::Period& p) {
  // The zone comes from the terms: find a version in force within the month first.
  SLA_ASSIGN_OR_RETURN(std::optional<clients::ResolvedVersion> probe, Probe(terms, contract, p));
  if (!probe) {
    // No version in force in the month: the contract has no such billing period.
    return absl::NotFoundError(
        absl::StrCat("`", contract, "` has no terms in force in ", PeriodText(p)));
  }
  ResolvedPeriod r;
  SLA_ASSIGN_OR_RETURN(r.bounds, core::Bounds(p, probe->terms.pricing().billing_time_zone()));
  // Billed under the version in force at the period's last second, or, for a contract that
  // ends within the period, the last one in force.
  r.version = *probe;
  while (r.version.effective_until < absl::FromUnixSeconds(r.bounds.end)) {
    absl::StatusOr<clients::ResolvedVersion> next =
        terms.Resolve(contract, r.version.effective_until);
    if (next.ok()) {
      r.version = *std::move(next);
      continue;
    }
    if (!Absent(next.status())) return next.status();
    r.active_until = absl::ToUnixSeconds(r.version.effective_until);  // terminated
    break;
  }
  // And in force since the period's start, or since a version that began within it.
  absl::Time first_from = probe->effective_from;
  while (first_from > absl::FromUnixSeconds(r.bounds.start)) {
    absl::StatusOr<clients::ResolvedVersion> prev =
        terms.Resolve(contract, first_from - absl::Seconds(1));
    if (prev.ok()) {
      first_from = prev->effective_from;
      continue;
    }
    if (!Absent(prev.status())) return prev.status();
    r.active_from = absl::ToUnixSeconds(first_from);  // started within the period
    break;
  }
  r.first_from = absl::ToUnixSeconds(first_from);
  return r;
}

absl::StatusOr<core::Period> ValidPeriod(const pb::BillingPeriod& p) {
  if (p.year() < 2000 || p.year() > 9999 || p.month() < 1 || p.month() > 12) {
    return InvalidField("period", "must be a month: year 2000..9999, month 1..12");
  }
  return core::Period{p.year(), p.month()};
}

std::string PeriodText(const core::Period& p) {
  return absl::StrFormat("%04d-%02d", p.year, p.month);
}

core::Period Previous(const core::Period& p) {
  const absl::CivilMonth m = absl::CivilMonth(p.year, p.month) - 1;
  return {static_cast<int>(m.year()), m.month()};
}

}  // namespace sla::billing
