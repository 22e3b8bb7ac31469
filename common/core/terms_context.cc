#include "common/core/terms_context.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/calendar/calendar_proto.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::core {

using sla::v1::ClockKind;
using sla::v1::ClockTarget;

absl::StatusOr<std::shared_ptr<const TermsContext>> TermsContext::Build(std::string version_name,
                                                                        sla::v1::SlaTerms terms,
                                                                        absl::Time horizon_begin,
                                                                        absl::Time horizon_end) {
  std::shared_ptr<TermsContext> ctx(new TermsContext());
  ctx->version_name_ = std::move(version_name);
  ctx->terms_ = std::move(terms);
  calendar::CalendarSpec open;
  open.time_zone = "UTC";
  open.always_open = true;
  SLA_ASSIGN_OR_RETURN(calendar::BusinessCalendar always,
                       calendar::BusinessCalendar::Compile(open, horizon_begin, horizon_end));
  ctx->always_open_ = std::make_unique<calendar::BusinessCalendar>(std::move(always));
  for (int i = 0; i < ctx->terms_.calendars_size(); ++i) {
    const auto& c = ctx->terms_.calendars(i);
    SLA_ASSIGN_OR_RETURN(calendar::CalendarSpec spec,
                         calendar::SpecFromProto(c, absl::StrCat("terms.calendars[", i, "]")));
    SLA_ASSIGN_OR_RETURN(calendar::BusinessCalendar compiled,
                         calendar::BusinessCalendar::Compile(spec, horizon_begin, horizon_end));
    ctx->calendars_[c.name()] = std::make_unique<calendar::BusinessCalendar>(std::move(compiled));
  }
  for (int i = 0; i < ctx->terms_.priority_targets_size(); ++i) {
    const auto& p = ctx->terms_.priority_targets(i);
    for (const ClockTarget* t :
         {&p.first_response(), &p.resolution_plan(), &p.update_interval(), &p.resolution()}) {
      if (t->target_seconds() > 0 && t->basis() != sla::v1::TIME_BASIS_WALL_CLOCK &&
          ctx->calendars_.find(t->calendar()) == ctx->calendars_.end()) {
        return InvalidField(
            absl::StrCat("terms.priority_targets[", i, "]"),
            absl::StrCat("names calendar \"", t->calendar(), "\", which the terms snapshot lacks"));
      }
    }
  }
  ctx->levels_.assign(ctx->terms_.escalation().levels().begin(),
                      ctx->terms_.escalation().levels().end());
  std::stable_sort(ctx->levels_.begin(), ctx->levels_.end(), [](const auto& a, const auto& b) {
    return a.threshold_ppm() != b.threshold_ppm() ? a.threshold_ppm() < b.threshold_ppm()
                                                  : a.level() < b.level();
  });
  return std::shared_ptr<const TermsContext>(std::move(ctx));
}

const sla::v1::PriorityTargets* TermsContext::TargetsFor(sla::v1::Priority priority) const {
  for (const auto& p : terms_.priority_targets()) {
    if (p.priority() == priority) return &p;
  }
  return nullptr;
}

const ClockTarget* TermsContext::Target(sla::v1::Priority priority, ClockKind kind) const {
  const sla::v1::PriorityTargets* p = TargetsFor(priority);
  if (p == nullptr) return nullptr;
  const ClockTarget* t = nullptr;
  switch (kind) {
    case sla::v1::CLOCK_FIRST_RESPONSE:
      t = &p->first_response();
      break;
    case sla::v1::CLOCK_RESOLUTION_PLAN:
      t = &p->resolution_plan();
      break;
    case sla::v1::CLOCK_UPDATE_INTERVAL:
      t = &p->update_interval();
      break;
    case sla::v1::CLOCK_RESOLUTION:
      t = &p->resolution();
      break;
    default:
      return nullptr;
  }
  return t->target_seconds() > 0 ? t : nullptr;
}

const calendar::BusinessCalendar* TermsContext::CalendarFor(const ClockTarget& target) const {
  if (target.basis() == sla::v1::TIME_BASIS_WALL_CLOCK) return always_open_.get();
  return CalendarNamed(target.calendar());
}

const calendar::BusinessCalendar* TermsContext::CalendarNamed(const std::string& name) const {
  auto it = calendars_.find(name);
  return it == calendars_.end() ? nullptr : it->second.get();
}

bool TermsContext::Applies(const sla::v1::EscalationLevel& level, ClockKind kind,
                           sla::v1::Priority priority) {
  const bool clock_ok =
      level.clocks().empty() ||
      std::find(level.clocks().begin(), level.clocks().end(), kind) != level.clocks().end();
  const bool priority_ok =
      level.priorities().empty() || std::find(level.priorities().begin(), level.priorities().end(),
                                              priority) != level.priorities().end();
  return clock_ok && priority_ok;
}

int64_t TermsContext::WarningPpm(ClockKind kind, sla::v1::Priority priority) const {
  for (const auto& level : levels_) {
    if (level.warning() && level.threshold_ppm() < 1'000'000 && Applies(level, kind, priority)) {
      return level.threshold_ppm();
    }
  }
  return kDefaultWarningPpm;
}

bool TermsContext::MeetsResponse(sla::v1::Priority priority, sla::v1::ResponseEvent event) const {
  const sla::v1::PriorityTargets* p = TargetsFor(priority);
  if (p == nullptr || p->response_events().empty()) {
    return event == sla::v1::RESPONSE_EVENT_PUBLIC_MSP_COMMENT ||
           event == sla::v1::RESPONSE_EVENT_PHONE_CALL_LOGGED;
  }
  return std::find(p->response_events().begin(), p->response_events().end(), event) !=
         p->response_events().end();
}

bool TermsContext::RcaRequired(sla::v1::Priority priority) const {
  const auto& list = terms_.problem_management().rca_required_for();
  if (list.empty()) return priority == sla::v1::PRIORITY_P1 || priority == sla::v1::PRIORITY_P2;
  return std::find(list.begin(), list.end(), priority) != list.end();
}

const sla::v1::Exclusion* TermsContext::FindExclusion(const std::string& id) const {
  for (const auto& e : terms_.exclusions()) {
    if (e.exclusion_id() == id) return &e;
  }
  return nullptr;
}

bool TermsContext::HasService(const std::string& service_id) const {
  for (const auto& s : terms_.services()) {
    if (s.service_id() == service_id) return true;
  }
  return false;
}

}  // namespace sla::core
