#include "reporting-svc/domain/figures.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/core/period.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/text/format.h"

namespace sla::reporting {

int64_t SharePpm(int64_t part, int64_t whole) {
  if (whole <= 0) return 1'000'000;
  return static_cast<int64_t>(static_cast<__int128>(part) * 1'000'000 / whole);
}

int64_t P90(std::vector<int64_t>& values) {
  if (values.empty()) return 0;
  const size_t rank = (values.size() * 9 + 9) / 10;  // ⌈0.9·n⌉, 1-based
  std::nth_element(values.begin(), values.begin() + (rank - 1), values.end());
  return values[rank - 1];
}

int64_t MeanHalfUp(int64_t sum, int64_t n) {
  if (n <= 0) return 0;
  return static_cast<int64_t>((static_cast<__int128>(sum) * 2 + n) /
                              (2 * static_cast<__int128>(n)));
}

namespace {

struct Accumulator {
  int64_t tickets = 0, resp_decided = 0, resp_met = 0, res_decided = 0, res_met = 0;
  int64_t breaches = 0, reopened = 0, resolved = 0, rca_required = 0, rca_completed = 0;
  int64_t resp_business_sum = 0, resp_wall_sum = 0, res_business_sum = 0, res_wall_sum = 0;
  std::vector<int64_t> resp_business, resp_wall, res_business, res_wall;

  void Add(const TicketFigures& t) {
    ++tickets;
    if (t.resp_state != kPending) ++resp_decided;
    if (t.resp_state == kMetOnTime) ++resp_met;
    if (t.res_state != kPending) ++res_decided;
    if (t.res_state == kMetOnTime) ++res_met;
    if (t.resp_business >= 0) {
      resp_business.push_back(t.resp_business);
      resp_wall.push_back(t.resp_wall);
      resp_business_sum += t.resp_business;
      resp_wall_sum += t.resp_wall;
    }
    if (t.res_business >= 0) {
      res_business.push_back(t.res_business);
      res_wall.push_back(t.res_wall);
      res_business_sum += t.res_business;
      res_wall_sum += t.res_wall;
    }
    breaches += t.breach_count;
    if (t.reopen_count > 0) ++reopened;
    if (t.resolved || t.reopen_count > 0) ++resolved;
    if (t.rca_required && t.closed) {
      ++rca_required;
      if (t.rca_recorded) ++rca_completed;
    }
  }

  static void Stats(std::vector<int64_t>& business, int64_t business_sum,
                    std::vector<int64_t>& wall, int64_t wall_sum, pb::DurationStats* out) {
    const auto n = static_cast<int64_t>(business.size());
    out->set_count(n);
    out->set_mean_business_seconds(MeanHalfUp(business_sum, n));
    out->set_p90_business_seconds(P90(business));
    out->set_mean_wall_seconds(MeanHalfUp(wall_sum, n));
    out->set_p90_wall_seconds(P90(wall));
  }

  void Into(pb::PriorityCompliance* out) {
    out->set_ticket_count(tickets);
    out->set_response_decided(resp_decided);
    out->set_response_met(resp_met);
    out->set_response_met_ppm(SharePpm(resp_met, resp_decided));
    out->set_resolution_decided(res_decided);
    out->set_resolution_met(res_met);
    out->set_resolution_met_ppm(SharePpm(res_met, res_decided));
    Stats(resp_business, resp_business_sum, resp_wall, resp_wall_sum,
          out->mutable_time_to_respond());
    Stats(res_business, res_business_sum, res_wall, res_wall_sum, out->mutable_time_to_resolve());
    out->set_breach_count(breaches);
    out->set_reopened(reopened);
    out->set_reopen_rate_ppm(resolved == 0 ? 0 : SharePpm(reopened, resolved));
    out->set_rca_required(rca_required);
    out->set_rca_completed(rca_completed);
  }
};

}  // namespace

void Aggregate(const std::vector<TicketFigures>& rows,
               google::protobuf::RepeatedPtrField<pb::PriorityCompliance>* per_priority,
               pb::PriorityCompliance* total) {
  std::map<int, Accumulator> by_priority;
  Accumulator all;
  for (const TicketFigures& t : rows) {
    by_priority[t.priority].Add(t);
    all.Add(t);
  }
  per_priority->Clear();
  for (auto& [priority, acc] : by_priority) {
    pb::PriorityCompliance* p = per_priority->Add();
    p->set_priority(static_cast<sla::v1::Priority>(priority));
    acc.Into(p);
  }
  total->Clear();
  all.Into(total);
}

std::string TargetWording(const sla::v1::SlaTerms& terms, const sla::v1::ClockTarget& target) {
  if (target.target_seconds() <= 0) return "";
  if (target.basis() == sla::v1::TIME_BASIS_WALL_CLOCK) {
    return absl::StrCat(text::FormatTarget(target.target_seconds()), " (around the clock)");
  }
  std::string calendar = target.calendar();
  for (const auto& c : terms.calendars()) {
    if (c.name() == target.calendar() && !c.display_name().empty()) calendar = c.display_name();
  }
  return absl::StrCat(text::FormatTarget(target.target_seconds()), " of business time (", calendar,
                      ")");
}

void AddTargetWording(const sla::v1::SlaTerms& terms,
                      google::protobuf::RepeatedPtrField<pb::PriorityCompliance>* figures) {
  for (pb::PriorityCompliance& p : *figures) {
    for (const sla::v1::PriorityTargets& t : terms.priority_targets()) {
      if (t.priority() != p.priority()) continue;
      p.set_response_target_text(
          absl::StrCat("First response within ", TargetWording(terms, t.first_response())));
      p.set_resolution_target_text(
          absl::StrCat("Resolution within ", TargetWording(terms, t.resolution())));
    }
  }
}

namespace {

// Whole minutes of the union of `intervals` clipped to [start, end), taken outward to minutes.
int64_t UnionMinutes(std::vector<core::Interval> intervals, int64_t start, int64_t end) {
  std::vector<core::Interval> clipped;
  for (core::Interval i : intervals) {
    i.start = std::max(i.start, start) / 60 * 60;
    i.end = (std::min(i.end, end) + 59) / 60 * 60;
    if (i.end > i.start) clipped.push_back(i);
  }
  return core::Length(core::Union(std::move(clipped))) / 60;
}

}  // namespace

absl::StatusOr<std::vector<pb::ServiceAvailabilityFigure>> AvailabilityFigures(
    const sla::v1::SlaTerms& terms, const std::string& terms_version, int year, int month,
    const std::vector<OutageRow>& outages, int64_t now) {
  core::PeriodFacts facts;
  for (const OutageRow& o : outages) {
    facts.outages.push_back({"", o.service_id, o.start, o.end, o.planned, o.exclusion_id});
  }
  SLA_ASSIGN_OR_RETURN(core::PeriodComputation pc,
                       core::ComputePeriod(terms, terms_version, {year, month}, 0, 0, facts, now));
  std::vector<pb::ServiceAvailabilityFigure> out;
  for (const core::ServiceFigure& f : pc.availability) {
    pb::ServiceAvailabilityFigure a;
    a.set_service_id(f.service_id);
    a.set_target_ppm(f.target_ppm);
    const core::Availability& v = f.availability;
    const int64_t e = v.eligible_minutes, d = v.downtime_minutes;
    a.set_actual_ppm(e == 0 ? 1'000'000
                            : static_cast<int64_t>(static_cast<__int128>(e - d) * 1'000'000 / e));
    a.set_met(v.Meets(f.target_ppm));
    a.set_period_minutes(v.period_minutes);
    a.set_eligible_minutes(e);
    a.set_downtime_minutes(d);
    std::vector<core::Interval> planned, excluded;
    for (const OutageRow& o : outages) {
      if (o.service_id != f.service_id) continue;
      const core::Interval i{o.start, o.end == 0 ? std::max(o.start, now) : o.end};
      if (o.planned) {
        planned.push_back(i);
      } else if (!o.exclusion_id.empty()) {
        excluded.push_back(i);
      }
    }
    a.set_planned_minutes(UnionMinutes(planned, pc.bounds.start, pc.bounds.end));
    a.set_excluded_minutes(UnionMinutes(excluded, pc.bounds.start, pc.bounds.end));
    a.set_target_text(absl::StrCat("Availability of at least ",
                                   text::FormatPpmPercent(f.target_ppm), " per month"));
    out.push_back(std::move(a));
  }
  return out;
}

std::string PeriodText(int period_index) {
  return absl::StrFormat("%04d-%02d", period_index / 12, period_index % 12 + 1);
}

absl::StatusOr<int> ParsePeriod(const std::string& text, const std::string& field) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' || !absl::SimpleAtoi(text.substr(0, 4), &year) ||
      !absl::SimpleAtoi(text.substr(5, 2), &month) || year < 2000 || year > 9999 || month < 1 ||
      month > 12) {
    return InvalidField(field, "must be a month YYYY-MM (2000-01 to 9999-12)");
  }
  return year * 12 + month - 1;
}

}  // namespace sla::reporting
