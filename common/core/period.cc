#include "common/core/period.h"

#include <algorithm>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"

namespace sla::core {
namespace {

absl::TimeZone ZoneOrUtc(const std::string& name) {
  absl::TimeZone tz;
  if (name.empty() || !absl::LoadTimeZone(name, &tz)) return absl::UTCTimeZone();
  return tz;
}

// DayOfWeek (MONDAY = 1 … SUNDAY = 7) → absl::Weekday.
absl::Weekday ToWeekday(sla::v1::DayOfWeek d) {
  static constexpr absl::Weekday kDays[] = {absl::Weekday::monday,   absl::Weekday::monday,
                                            absl::Weekday::tuesday,  absl::Weekday::wednesday,
                                            absl::Weekday::thursday, absl::Weekday::friday,
                                            absl::Weekday::saturday, absl::Weekday::sunday};
  return kDays[std::clamp(static_cast<int>(d), 0, 7)];
}

}  // namespace

std::vector<Interval> MaintenanceOccurrences(const sla::v1::SlaTerms& terms,
                                             const sla::v1::AvailabilityTarget& target,
                                             int64_t start, int64_t end) {
  std::vector<Interval> out;
  for (const auto& w : target.maintenance_windows()) {
    if (w.day() == sla::v1::DAY_OF_WEEK_UNSPECIFIED || w.duration_minutes() <= 0) continue;
    std::string zone = terms.pricing().billing_time_zone();
    for (const auto& c : terms.calendars()) {
      if (c.name() == w.calendar()) zone = c.time_zone();
    }
    const absl::TimeZone tz = ZoneOrUtc(zone);
    // A window that starts the day before may reach into the period.
    const absl::CivilDay first = absl::ToCivilDay(absl::FromUnixSeconds(start), tz) - 1;
    const absl::CivilDay last = absl::ToCivilDay(absl::FromUnixSeconds(end), tz);
    for (absl::CivilDay d = first; d <= last; ++d) {
      if (absl::GetWeekday(d) != ToWeekday(w.day())) continue;
      const int64_t s =
          absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(d) + w.start_minute(), tz));
      const Interval i{std::max(s, start), std::min(s + w.duration_minutes() * 60, end)};
      if (i.start < i.end) out.push_back(i);
    }
  }
  return out;
}

absl::StatusOr<PeriodComputation> ComputePeriod(const sla::v1::SlaTerms& terms,
                                                const std::string& terms_version,
                                                const Period& period, int64_t active_from,
                                                int64_t active_until, const PeriodFacts& facts,
                                                int64_t now) {
  PeriodComputation pc;
  const std::string& zone = terms.pricing().billing_time_zone();
  SLA_ASSIGN_OR_RETURN(pc.bounds, Bounds(period, zone));
  SLA_ASSIGN_OR_RETURN(pc.active_days, ActiveDays(pc.bounds, zone, active_from, active_until));
  const std::string currency = terms.pricing().monthly_fee().currency_code();
  SLA_ASSIGN_OR_RETURN(
      money::Money monthly,
      money::Money::Create(currency, terms.pricing().monthly_fee().amount_minor()));
  // The fee shown on the invoice is rounded; the credit base stays exact, so a prorated
  // credit is rounded once (fee × days / days × share), not from an already-rounded fee.
  auto prorate = [&](const money::Money& m) -> absl::StatusOr<money::Money> {
    if (pc.active_days == pc.bounds.days) return m;
    return money::ApplyRatio(m, pc.active_days, pc.bounds.days, money::Rounding::kHalfUp);
  };
  auto exact = [&](const money::Money& m) {
    return CreditBase{m.currency_code(),
                      Rational(m.amount_minor()) * Rational(pc.active_days, pc.bounds.days)};
  };
  SLA_ASSIGN_OR_RETURN(pc.fee, prorate(monthly));

  // Availability counts only the part of the period the contract is in force.
  const int64_t start = std::max(pc.bounds.start, active_from);
  const int64_t end = active_until == 0 ? pc.bounds.end : std::min(pc.bounds.end, active_until);
  CreditInput in;
  in.terms = &terms;
  in.terms_version = terms_version;
  in.fee = exact(monthly);
  in.breaches = facts.breaches;
  for (const auto& sf : terms.pricing().service_fees()) {
    SLA_ASSIGN_OR_RETURN(money::Money m, money::Money::Create(sf.monthly_fee().currency_code(),
                                                              sf.monthly_fee().amount_minor()));
    in.service_fees.emplace(sf.service_id(), exact(m));
  }
  if (start < end) {
    for (const auto& target : terms.availability_targets()) {
      AvailabilityInput ai;
      ai.period_start = start;
      ai.period_end = end;
      ai.maintenance = MaintenanceOccurrences(terms, target, start, end);
      ai.maintenance_counts_as_up =
          target.maintenance_treatment() == sla::v1::MAINTENANCE_COUNTS_AS_UP;
      for (const OutageFact& o : facts.outages) {
        if (o.service_id != target.service_id()) continue;
        const Interval i{o.start, o.end == 0 ? std::max(o.start, now) : o.end};
        if (o.planned) {
          ai.maintenance.push_back(i);  // announced maintenance recorded as an outage
        } else {
          ai.outages.push_back(i);
          if (!o.exclusion_id.empty()) ai.exclusions.push_back(i);
        }
      }
      SLA_ASSIGN_OR_RETURN(Availability a, ComputeAvailability(ai));
      pc.availability.push_back({target.service_id(), target.target_ppm(), a});
      in.availability.push_back({target.service_id(), a});
    }
  }
  SLA_ASSIGN_OR_RETURN(pc.credits, ComputeCredits(in));
  return pc;
}

}  // namespace sla::core
