// Lint of SLA terms: the common mistakes of MSP SLAs (DOMAIN.md), as findings with a
// severity, a field path and a plain sentence. Activation is refused while an ERROR stands.
//
// Pure: the caller passes the calendars the terms name and "today" in the billing zone.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/v1/calendar.pb.h"
#include "sla/v1/terms.pb.h"

namespace sla::contract {

enum class Severity { kInfo, kWarning, kError };

struct LintFinding {
  Severity severity;
  std::string rule;        // stable id, e.g. "no-review-date"
  std::string field_path;  // e.g. "terms.review_date"
  std::string message;     // one plain sentence

  friend bool operator==(const LintFinding&, const LintFinding&) = default;
};

using CalendarsByName = absl::flat_hash_map<std::string, sla::v1::BusinessCalendar>;

// The day `now` is in the terms' billing zone (UTC if it names none): the day lint's date rules
// are checked on.
absl::CivilDay TermsToday(absl::Time now, const sla::v1::SlaTerms& t);

// Findings in a stable order: the order of the checks, then field order.
std::vector<LintFinding> LintTerms(const sla::v1::SlaTerms& terms, const CalendarsByName& calendars,
                                   absl::CivilDay today);

// What the terms' targets would have achieved on the contract's past tickets: reporting-svc's
// what-if replay (SimulateTerms) of the last `periods` billing periods. One WARNING per first
// response and resolution target missed in at least one period ("would have been missed in N
// of the last M months"), one INFO per target met in all of them, nothing for a priority
// without decided tickets.
std::vector<LintFinding> HistoryFindings(const sla::v1::SlaTerms& terms,
                                         const sla::reporting::v1::SimulateTermsResponse& replay);

// True if any finding is an ERROR (activation is refused).
bool HasErrors(const std::vector<LintFinding>& findings);

// Allowed downtime for an availability target, in whole seconds, over a 30-day month and a
// 365-day year: (1,000,000 − target_ppm) × period / 1,000,000, rounded down.
struct AllowedDowntime {
  int64_t per_month_seconds;
  int64_t per_year_seconds;
};
AllowedDowntime AllowedDowntimeFor(int64_t target_ppm);

// "43 min 12 s", "5 min 15 s", "8 h 45 min 36 s".
std::string FormatDuration(int64_t seconds);

}  // namespace sla::contract
