#include "common/core/availability.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::core {
namespace {

int64_t FloorMinute(int64_t s) { return s >= 0 ? s / 60 * 60 : -((-s + 59) / 60) * 60; }
int64_t CeilMinute(int64_t s) { return -FloorMinute(-s); }

std::vector<Interval> Clip(const std::vector<Interval>& in, int64_t start, int64_t end) {
  std::vector<Interval> out;
  for (const Interval& i : in) {
    const Interval c{std::max(i.start, start), std::min(i.end, end)};
    if (c.start < c.end) out.push_back(c);
  }
  return out;
}

std::vector<Interval> ToMinutes(const std::vector<Interval>& in) {
  std::vector<Interval> out;
  for (const Interval& i : in) out.push_back({FloorMinute(i.start), CeilMinute(i.end)});
  return out;
}

std::string Describe(const std::vector<Interval>& v) {
  return absl::StrCat(v.size(), " interval(s), ", Length(v) / 60, " min");
}

}  // namespace

std::vector<Interval> Union(std::vector<Interval> v) {
  std::sort(v.begin(), v.end(),
            [](const Interval& a, const Interval& b) { return a.start < b.start; });
  std::vector<Interval> out;
  for (const Interval& i : v) {
    if (i.start >= i.end) continue;
    if (!out.empty() && i.start <= out.back().end) {
      out.back().end = std::max(out.back().end, i.end);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

std::vector<Interval> Subtract(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  size_t j = 0;
  for (Interval cur : a) {
    while (j < b.size() && b[j].end <= cur.start) ++j;
    size_t k = j;
    while (k < b.size() && b[k].start < cur.end) {
      if (b[k].start > cur.start) out.push_back({cur.start, b[k].start});
      cur.start = std::max(cur.start, b[k].end);
      ++k;
    }
    if (cur.start < cur.end) out.push_back(cur);
  }
  return out;
}

int64_t Length(const std::vector<Interval>& v) {
  int64_t n = 0;
  for (const Interval& i : v) n += i.end - i.start;
  return n;
}

Rational Availability::ratio() const {
  if (eligible_minutes == 0) return Rational(1);
  return Rational(eligible_minutes - downtime_minutes, eligible_minutes);
}

bool Availability::AtLeast(int64_t ppm, bool inclusive) const {
  const __int128 lhs = static_cast<__int128>(eligible_minutes - downtime_minutes) * 1'000'000;
  const __int128 rhs = static_cast<__int128>(eligible_minutes) * ppm;
  return inclusive ? lhs >= rhs : lhs > rhs;
}

bool Availability::AtMost(int64_t ppm, bool inclusive) const {
  const __int128 lhs = static_cast<__int128>(eligible_minutes - downtime_minutes) * 1'000'000;
  const __int128 rhs = static_cast<__int128>(eligible_minutes) * ppm;
  return inclusive ? lhs <= rhs : lhs < rhs;
}

absl::StatusOr<Availability> ComputeAvailability(const AvailabilityInput& in) {
  if (in.period_end <= in.period_start) return InvalidField("period", "is empty");
  for (const auto* list : {&in.outages, &in.exclusions, &in.maintenance}) {
    for (const Interval& i : *list) {
      if (i.end < i.start) return InvalidField("outage", "ends before it starts");
    }
  }
  Availability a;
  const int64_t ps = FloorMinute(in.period_start), pe = FloorMinute(in.period_end);
  a.period_minutes = (pe - ps) / 60;
  const std::vector<Interval> maintenance = Union(Clip(ToMinutes(in.maintenance), ps, pe));
  a.maintenance_minutes = Length(maintenance) / 60;
  const std::vector<Interval> outages = Union(Clip(ToMinutes(in.outages), ps, pe));
  a.steps.push_back(absl::StrCat("outages clipped to the period and unioned: ", Describe(outages)));
  const std::vector<Interval> excl = Union(Clip(ToMinutes(in.exclusions), ps, pe));
  std::vector<Interval> down = Subtract(outages, excl);
  a.steps.push_back(
      absl::StrCat("minus verified exclusions (", Describe(excl), "): ", Describe(down)));
  {
    // Downtime inside announced maintenance is never counted as down: either maintenance is
    // out of the denominator, or the terms count it as up.
    down = Subtract(down, maintenance);
    a.steps.push_back(absl::StrCat("minus announced maintenance (", Describe(maintenance),
                                   "): ", Describe(down)));
  }
  a.downtime_minutes = Length(down) / 60;
  a.excluded_minutes = Length(outages) / 60 - a.downtime_minutes;
  a.eligible_minutes = a.period_minutes - (in.maintenance_counts_as_up ? 0 : a.maintenance_minutes);
  a.steps.push_back(absl::StrCat(
      "E = ", a.period_minutes, " − ", in.maintenance_counts_as_up ? 0 : a.maintenance_minutes,
      " = ", a.eligible_minutes, " min; D = ", a.downtime_minutes,
      " min; availability = ", a.eligible_minutes - a.downtime_minutes, "/", a.eligible_minutes,
      " = ", (a.ratio() * Rational(100)).ToDecimal(4), " %"));
  return a;
}

int64_t BandCreditPpm(const Availability& a,
                      const google::protobuf::RepeatedPtrField<sla::v1::AvailabilityBand>& bands,
                      int* band_index) {
  int64_t worst = 0;
  *band_index = -1;
  for (int i = 0; i < bands.size(); ++i) {
    const auto& b = bands[i];
    const bool above = !b.has_lower() || a.AtLeast(b.lower().ppm(), b.lower().inclusive());
    const bool below = !b.has_upper() || a.AtMost(b.upper().ppm(), b.upper().inclusive());
    if (above && below && (b.credit_ppm() > worst || *band_index < 0)) {
      worst = b.credit_ppm();
      *band_index = i;
    }
  }
  return worst;
}

}  // namespace sla::core
