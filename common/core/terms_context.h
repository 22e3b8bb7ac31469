// One resolved terms version, ready for the clock engine: the targets per priority, the
// escalation levels in threshold order, and every calendar the targets name compiled once.
//
// Terms versions are immutable, so a context is built once per version and shared (read-only,
// thread-safe) by every ticket measured against it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/calendar/business_calendar.h"
#include "sla/v1/terms.pb.h"

namespace sla::core {

// The share of a target after which a clock is "at risk" when the policy has no warning level.
inline constexpr int64_t kDefaultWarningPpm = 750'000;

class TermsContext {
 public:
  // Compiles the calendars of `terms` over [horizon_begin, horizon_end).
  // INVALID_ARGUMENT if a target names a calendar the snapshot lacks or a calendar is invalid.
  static absl::StatusOr<std::shared_ptr<const TermsContext>> Build(std::string version_name,
                                                                   sla::v1::SlaTerms terms,
                                                                   absl::Time horizon_begin,
                                                                   absl::Time horizon_end);

  const std::string& version_name() const { return version_name_; }
  const sla::v1::SlaTerms& terms() const { return terms_; }

  // The targets for `priority`; nullptr if the terms set none.
  const sla::v1::PriorityTargets* TargetsFor(sla::v1::Priority priority) const;
  // The target of `kind` for `priority`; nullptr if unset (target_seconds 0).
  const sla::v1::ClockTarget* Target(sla::v1::Priority priority, sla::v1::ClockKind kind) const;
  // The calendar a target counts on: the always-open calendar for wall-clock targets.
  const calendar::BusinessCalendar* CalendarFor(const sla::v1::ClockTarget& target) const;
  // A calendar of the snapshot by name, or nullptr.
  const calendar::BusinessCalendar* CalendarNamed(const std::string& name) const;
  const calendar::BusinessCalendar& always_open() const { return *always_open_; }

  // Escalation levels in ascending threshold order.
  const std::vector<sla::v1::EscalationLevel>& levels() const { return levels_; }
  // Whether `level` applies to a clock of `kind` on a ticket of `priority` (an empty list in
  // the level means "all").
  static bool Applies(const sla::v1::EscalationLevel& level, sla::v1::ClockKind kind,
                      sla::v1::Priority priority);
  // The share at which a clock is at risk: the lowest warning level's threshold below the
  // breach, or kDefaultWarningPpm.
  int64_t WarningPpm(sla::v1::ClockKind kind, sla::v1::Priority priority) const;

  // Which events meet the first-response target (the terms' list, or by default a public MSP
  // comment or a logged phone call).
  bool MeetsResponse(sla::v1::Priority priority, sla::v1::ResponseEvent event) const;
  // Whether a ticket of `priority` needs a root cause before it closes (the terms' list, P1
  // and P2 by default).
  bool RcaRequired(sla::v1::Priority priority) const;
  // The exclusion with this id, or nullptr.
  const sla::v1::Exclusion* FindExclusion(const std::string& id) const;
  bool HasService(const std::string& service_id) const;

 private:
  TermsContext() = default;
  std::string version_name_;
  sla::v1::SlaTerms terms_;
  std::map<std::string, std::unique_ptr<calendar::BusinessCalendar>> calendars_;
  std::unique_ptr<calendar::BusinessCalendar> always_open_;
  std::vector<sla::v1::EscalationLevel> levels_;
};

}  // namespace sla::core
