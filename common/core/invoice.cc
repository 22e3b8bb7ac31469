#include "common/core/invoice.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::core {
namespace {

absl::StatusOr<absl::TimeZone> Zone(const std::string& name) {
  absl::TimeZone tz;
  if (name.empty()) return absl::UTCTimeZone();
  if (!absl::LoadTimeZone(name, &tz)) return InvalidField("time_zone", "is not an IANA time zone");
  return tz;
}

int64_t LocalMidnight(absl::CivilDay d, absl::TimeZone tz) {
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(d), tz));
}

}  // namespace

absl::StatusOr<PeriodBounds> Bounds(const Period& p, const std::string& time_zone) {
  if (p.month < 1 || p.month > 12 || p.year < 1970 || p.year > 9999) {
    return InvalidField("period", "must be a month (year 1970..9999, month 1..12)");
  }
  SLA_ASSIGN_OR_RETURN(const absl::TimeZone tz, Zone(time_zone));
  const absl::CivilDay first(p.year, p.month, 1);
  const absl::CivilDay next(absl::CivilMonth(first) + 1);
  return PeriodBounds{LocalMidnight(first, tz), LocalMidnight(next, tz),
                      static_cast<int>(next - first)};
}

Period Next(const Period& p) {
  return p.month == 12 ? Period{p.year + 1, 1} : Period{p.year, p.month + 1};
}

absl::StatusOr<Period> PeriodOf(int64_t t, const std::string& time_zone) {
  SLA_ASSIGN_OR_RETURN(const absl::TimeZone tz, Zone(time_zone));
  const absl::CivilSecond c = absl::ToCivilSecond(absl::FromUnixSeconds(t), tz);
  return Period{static_cast<int>(c.year()), c.month()};
}

absl::StatusOr<int> ActiveDays(const PeriodBounds& b, const std::string& time_zone,
                               int64_t active_from, int64_t active_until) {
  SLA_ASSIGN_OR_RETURN(const absl::TimeZone tz, Zone(time_zone));
  const int64_t from = std::max(b.start, active_from);
  const int64_t until = active_until == 0 ? b.end : std::min(b.end, active_until);
  if (until <= from) return 0;
  const absl::CivilDay first = absl::ToCivilDay(absl::FromUnixSeconds(from), tz);
  // The day holding the last second in force, inclusive.
  const absl::CivilDay last = absl::ToCivilDay(absl::FromUnixSeconds(until - 1), tz);
  return static_cast<int>(last - first) + 1;
}

absl::StatusOr<InvoiceDraft> BuildInvoice(const sla::v1::Pricing& pricing, const PeriodBounds& b,
                                          int active_days, const std::vector<Line>& credits) {
  InvoiceDraft inv;
  inv.currency = pricing.monthly_fee().currency_code();
  SLA_ASSIGN_OR_RETURN(const money::Money fee,
                       money::Money::Create(inv.currency, pricing.monthly_fee().amount_minor()));
  auto prorate = [&](const money::Money& m) -> absl::StatusOr<money::Money> {
    if (active_days == b.days) return m;
    return money::ApplyRatio(m, active_days, b.days, money::Rounding::kHalfUp);
  };
  const std::string days =
      active_days == b.days ? "" : absl::StrCat(" (", active_days, " of ", b.days, " days)");
  SLA_ASSIGN_OR_RETURN(const money::Money base, prorate(fee));
  int64_t subtotal = base.amount_minor();
  inv.lines.push_back({"fee", absl::StrCat("Monthly fee", days), base.amount_minor(), ""});
  // Service fees are the monthly fee's breakdown by service (they bound per-service credits),
  // not charges on top of it.
  SLA_ASSIGN_OR_RETURN(const money::Money gross, money::Money::Create(inv.currency, subtotal));
  int64_t total = subtotal;
  for (const auto& d : pricing.discounts()) {
    SLA_ASSIGN_OR_RETURN(const money::Money off,
                         money::ApplyPpm(gross, d.share_ppm(), money::Rounding::kHalfUp));
    inv.lines.push_back({"discount", d.description(), -off.amount_minor(), ""});
    total -= off.amount_minor();
  }
  // Debits first (a late-data delta that took credit back), so that credits can absorb them.
  std::vector<Line> ordered(credits.begin(), credits.end());
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const Line& l) { return l.amount_minor < 0; });
  for (const Line& c : ordered) {
    if (c.amount_minor < 0) {
      inv.lines.push_back({"debit", c.description, -c.amount_minor, c.rule_id});
      total -= c.amount_minor;
      continue;
    }
    const int64_t applied = std::min(c.amount_minor, std::max<int64_t>(0, total));
    inv.credit_carried_minor += c.amount_minor - applied;
    if (applied == 0) continue;
    inv.lines.push_back({"credit", c.description, -applied, c.rule_id});
    total -= applied;
  }
  inv.total_minor = total;
  return inv;
}

}  // namespace sla::core
