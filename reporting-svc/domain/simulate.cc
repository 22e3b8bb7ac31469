#include "reporting-svc/domain/simulate.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/core/period.h"
#include "common/status/status_macros.h"

namespace sla::reporting {
namespace {

struct ClockReplay {
  int state = kPending;
  int64_t business = -1;
  int64_t wall = -1;
  int64_t breach_time = 0;  // when the proposed target would have been reached, if breached
};

absl::StatusOr<ClockReplay> ReplayClock(const core::TermsContext& terms, const ReplayTicket& t,
                                        sla::v1::ClockKind kind, int64_t event_time, int64_t now) {
  ClockReplay r;
  const sla::v1::ClockTarget* target = terms.Target(t.priority, kind);
  if (target == nullptr) return r;
  const calendar::BusinessCalendar* cal = terms.CalendarFor(*target);
  if (cal == nullptr) return r;
  const int64_t end =
      std::clamp(event_time != 0 ? event_time : now, cal->begin_seconds(), cal->end_seconds());
  const int64_t start = std::clamp(t.open_time, cal->begin_seconds(), end);
  SLA_ASSIGN_OR_RETURN(const int64_t consumed,
                       calendar::ConsumedSeconds(*cal, start, end, t.pauses));
  if (consumed > target->target_seconds()) {
    r.state = kBreached;
    SLA_ASSIGN_OR_RETURN(r.breach_time,
                         calendar::DueAtSeconds(*cal, start, target->target_seconds(), t.pauses));
  } else if (event_time != 0) {
    r.state = kMetOnTime;
  }
  if (event_time != 0) {
    r.business = consumed;
    r.wall = event_time - t.open_time;
  }
  return r;
}

}  // namespace

std::vector<calendar::PauseSeconds> ParsePauses(const std::string& text, int64_t open_start) {
  std::vector<calendar::PauseSeconds> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> se = absl::StrSplit(part, '-');
    int64_t s = 0, e = 0;
    if (absl::SimpleAtoi(se.first, &s) && absl::SimpleAtoi(se.second, &e) && e > s)
      out.push_back({s, e});
  }
  if (open_start > 0) out.push_back({open_start, calendar::kOpenEnded});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  // Merge overlaps so the clock functions get a valid list whatever the events said.
  std::vector<calendar::PauseSeconds> merged;
  for (const auto& p : out) {
    if (!merged.empty() && p.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, p.end);
    } else {
      merged.push_back(p);
    }
  }
  return merged;
}

absl::StatusOr<v1::SimulateTermsResponse> Simulate(const SimulationInput& in) {
  const sla::v1::SlaTerms& terms = in.proposed->terms();
  const std::string& zone = terms.pricing().billing_time_zone();
  v1::SimulateTermsResponse out;
  std::map<int, std::vector<TicketFigures>> figures;
  std::map<int, std::vector<core::BreachFact>> breaches;
  std::vector<TicketFigures> all;
  for (int p : in.periods) figures[p];
  for (const ReplayTicket& t : in.tickets) {
    SLA_ASSIGN_OR_RETURN(const core::Period opened, core::PeriodOf(t.open_time, zone));
    const int index = opened.year * 12 + opened.month - 1;
    TicketFigures f;
    f.priority = t.priority;
    f.resolved = t.res_time != 0;
    const std::pair<sla::v1::ClockKind, int64_t> clocks[] = {
        {sla::v1::CLOCK_FIRST_RESPONSE, t.resp_time}, {sla::v1::CLOCK_RESOLUTION, t.res_time}};
    for (const auto& [kind, when] : clocks) {
      SLA_ASSIGN_OR_RETURN(const ClockReplay r, ReplayClock(*in.proposed, t, kind, when, in.now));
      if (kind == sla::v1::CLOCK_FIRST_RESPONSE) {
        f.resp_state = r.state;
        f.resp_business = r.business;
        f.resp_wall = r.wall;
      } else {
        f.res_state = r.state;
        f.res_business = r.business;
        f.res_wall = r.wall;
      }
      if (r.state == kBreached) {
        ++f.breach_count;
        SLA_ASSIGN_OR_RETURN(const core::Period at, core::PeriodOf(r.breach_time, zone));
        breaches[at.year * 12 + at.month - 1].push_back(
            {t.ticket, kind, t.priority, r.breach_time});
      }
    }
    figures[index].push_back(f);
    all.push_back(f);
  }
  v1::PriorityCompliance total;
  Aggregate(all, out.mutable_predicted(), &total);
  AddTargetWording(terms, out.mutable_predicted());
  const std::string currency = terms.pricing().monthly_fee().currency_code();
  out.set_currency(currency);
  for (int p : in.periods) {
    v1::SimulatedPeriod* sp = out.add_periods();
    sp->set_period(PeriodText(p));
    v1::PriorityCompliance period_total;
    Aggregate(figures[p], sp->mutable_predicted(), &period_total);
    sp->set_predicted_breaches(static_cast<int64_t>(breaches[p].size()));
    core::PeriodFacts facts;
    facts.breaches = breaches[p];
    for (const OutageRow& o : in.outages) {
      facts.outages.push_back({"", o.service_id, o.start, o.end, o.planned, o.exclusion_id});
    }
    SLA_ASSIGN_OR_RETURN(
        core::PeriodComputation pc,
        core::ComputePeriod(terms, "proposed", {p / 12, p % 12 + 1}, 0, 0, facts, in.now));
    sp->set_credit_exposure_minor(pc.credits.total_minor);
    sp->set_currency(currency);
    out.set_credit_exposure_minor(out.credit_exposure_minor() + pc.credits.total_minor);
    if (!breaches[p].empty()) out.set_periods_with_breaches(out.periods_with_breaches() + 1);
  }
  out.add_notes("each ticket is replayed at its final priority, from its opening");
  out.add_notes(
      "first response and resolution are replayed; resolution-plan and update-interval clocks are "
      "not");
  out.add_notes("a clock not yet met is measured up to the time of the simulation");
  out.add_notes(
      "availability uses the recorded outages and the proposed targets and maintenance windows");
  return out;
}

}  // namespace sla::reporting
