#include "contract-svc/domain/lint.h"

#include <algorithm>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sla::contract {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr int64_t kFiveNinesPpm = 999'990;  // 99.999 % is 999,990 ppm

// Wording that promises nothing measurable, or promises too much.
constexpr const char* kVaguePhrases[] = {
    "best effort",       "best-effort",      "as soon as possible", "asap",
    "world-class",       "world class",      "guaranteed",          "guarantee",
    "industry-leading",  "industry leading", "state of the art",    "state-of-the-art",
    "reasonable effort", "promptly",         "in a timely manner",  "100% uptime",
    "unlimited",         "seamless",         "best-in-class",       "best in class",
};

// Walks every string field (and repeated string) of a message, with its field path.
void WalkStrings(const Message& msg, const std::string& path,
                 const std::function<void(const std::string&, const std::string&)>& visit) {
  const auto* reflection = msg.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(msg, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string p = absl::StrCat(path, ".", f->name());
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(msg, f); ++i) {
          visit(absl::StrCat(p, "[", i, "]"), reflection->GetRepeatedString(msg, f, i));
        }
      } else {
        visit(p, reflection->GetString(msg, f));
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(msg, f); ++i) {
          WalkStrings(reflection->GetRepeatedMessage(msg, f, i), absl::StrCat(p, "[", i, "]"),
                      visit);
        }
      } else {
        WalkStrings(reflection->GetMessage(msg, f), p, visit);
      }
    }
  }
}

// Identifiers and names are not prose: they are not checked for wording.
bool IsProse(const std::string& path) {
  for (const char* suffix : {"_id", ".calendar", "calendar", ".address", ".currency_code",
                             ".time_zone", "billing_time_zone", ".unit", ".name"}) {
    if (absl::EndsWith(path, suffix)) return false;
  }
  return true;
}

bool IsAroundTheClock(const sla::v1::ClockTarget& c, const CalendarsByName& calendars) {
  if (c.basis() == sla::v1::TIME_BASIS_WALL_CLOCK) return true;
  auto it = calendars.find(c.calendar());
  return it != calendars.end() && it->second.always_open();
}

}  // namespace

AllowedDowntime AllowedDowntimeFor(int64_t target_ppm) {
  const int64_t down_ppm = 1'000'000 - target_ppm;
  return {down_ppm * 30 * 86400 / 1'000'000, down_ppm * 365 * 86400 / 1'000'000};
}

std::string FormatDuration(int64_t s) {
  std::vector<std::string> parts;
  if (s >= 86400) parts.push_back(absl::StrCat(s / 86400, " d"));
  if (s % 86400 >= 3600) parts.push_back(absl::StrCat(s % 86400 / 3600, " h"));
  if (s % 3600 >= 60) parts.push_back(absl::StrCat(s % 3600 / 60, " min"));
  if (s % 60 != 0 || parts.empty()) parts.push_back(absl::StrCat(s % 60, " s"));
  return absl::StrJoin(parts, " ");
}

bool HasErrors(const std::vector<LintFinding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const LintFinding& f) { return f.severity == Severity::kError; });
}

namespace {

void Add(std::vector<LintFinding>& out, Severity s, const char* rule, std::string path,
         std::string message) {
  out.push_back({s, rule, std::move(path), std::move(message)});
}

void LintParties(const sla::v1::SlaTerms& t, std::vector<LintFinding>& out) {
  // Responsibilities of each party.
  if (t.responsibilities().customer().empty()) {
    Add(out, Severity::kError, "no-customer-responsibilities", "terms.responsibilities.customer",
        "The terms do not say what the customer maintains or must do (hardware, access, how to "
        "report an issue).");
  }
  if (t.responsibilities().issue_reporting().empty()) {
    Add(out, Severity::kWarning, "no-issue-reporting-procedure",
        "terms.responsibilities.issue_reporting",
        "The terms do not say how the customer reports an issue.");
  }

  // Exclusions and hold-harmless.
  if (t.exclusions().empty()) {
    Add(out, Severity::kWarning, "no-exclusions", "terms.exclusions",
        "There is no exclusion or hold-harmless clause: events outside the MSP's control (force "
        "majeure, customer-caused outages) would count against it.");
  }
}

void LintSecurity(const sla::v1::SlaTerms& t, std::vector<LintFinding>& out) {
  // Security commitments.
  const auto& sec = t.security();
  const bool no_security =
      !t.has_security() ||
      (!sec.has_backup() && !sec.has_disaster_recovery() && sec.audit_interval_months() == 0 &&
       !sec.anti_malware() && !sec.encryption_at_rest() && !sec.encryption_in_transit());
  if (no_security) {
    Add(out, Severity::kError, "no-security-commitments", "terms.security",
        "The terms make no security commitment (backup, disaster recovery, audits, anti-malware, "
        "encryption).");
  } else {
    if (!sec.has_backup())
      Add(out, Severity::kWarning, "no-backup", "terms.security.backup", "No backup commitment.");
    if (!sec.has_disaster_recovery()) {
      Add(out, Severity::kWarning, "no-disaster-recovery", "terms.security.disaster_recovery",
          "No disaster-recovery commitment (RPO and RTO).");
    }
    if (sec.audit_interval_months() == 0) {
      Add(out, Severity::kWarning, "no-security-audits", "terms.security.audit_interval_months",
          "No regular security audit is committed.");
    }
    if (!sec.anti_malware())
      Add(out, Severity::kWarning, "no-anti-malware", "terms.security.anti_malware",
          "No anti-malware commitment.");
    if (!sec.encryption_at_rest() || !sec.encryption_in_transit()) {
      Add(out, Severity::kWarning, "no-encryption", "terms.security",
          "Encryption at rest and in transit are not both committed.");
    }
  }
}

void LintReviewDate(const sla::v1::SlaTerms& t, absl::CivilDay today,
                    std::vector<LintFinding>& out) {
  // Review date.
  if (!t.has_review_date()) {
    Add(out, Severity::kError, "no-review-date", "terms.review_date",
        "The terms have no review date; SLAs must be reviewed regularly.");
  } else {
    const auto& d = t.review_date();
    const absl::CivilDay review(d.year(), d.month(), d.day());
    const absl::CivilDay limit = absl::CivilDay(absl::CivilMonth(today) + 12) + (today.day() - 1);
    if (review > limit) {
      Add(out, Severity::kWarning, "review-date-too-far", "terms.review_date",
          absl::StrCat("The review date ", absl::FormatCivilTime(review),
                       " is more than 12 months away."));
    } else if (review < today) {
      Add(out, Severity::kWarning, "review-date-passed", "terms.review_date",
          absl::StrCat("The review date ", absl::FormatCivilTime(review), " has passed."));
    }
  }
}

void LintAvailability(const sla::v1::SlaTerms& t, std::vector<LintFinding>& out) {
  // Availability of five nines or tighter.
  for (int i = 0; i < t.availability_targets_size(); ++i) {
    const auto& a = t.availability_targets(i);
    if (a.target_ppm() >= kFiveNinesPpm) {
      const AllowedDowntime dt = AllowedDowntimeFor(a.target_ppm());
      Add(out, Severity::kWarning, "five-nines",
          absl::StrCat("terms.availability_targets[", i, "].target_ppm"),
          absl::StrCat("An availability of ", a.target_ppm() / 10000, ".",
                       absl::StrFormat("%04d", a.target_ppm() % 10000), " % for `", a.service_id(),
                       "` allows only ", FormatDuration(dt.per_month_seconds),
                       " of downtime a month (", FormatDuration(dt.per_year_seconds),
                       " a year); few services achieve it."));
    }
  }
}

void LintTargets(const sla::v1::SlaTerms& t, const CalendarsByName& calendars,
                 std::vector<LintFinding>& out) {
  // Around-the-clock targets without after-hours terms.
  bool after_hours_priced = false;
  for (const auto& x : t.pricing().extra_charges())
    after_hours_priced |= !x.outside_calendar().empty();
  for (int i = 0; i < t.priority_targets_size() && !after_hours_priced; ++i) {
    const auto& pt = t.priority_targets(i);
    if (IsAroundTheClock(pt.first_response(), calendars) ||
        IsAroundTheClock(pt.resolution(), calendars)) {
      Add(out, Severity::kWarning, "twenty-four-seven-without-after-hours-terms",
          absl::StrCat("terms.priority_targets[", i, "]"),
          "This priority is covered around the clock, but the pricing has no after-hours terms or "
          "fees.");
      break;
    }
  }

  // Credit schedule without a cap.
  const auto& cs = t.credit_schedule();
  const bool has_credits =
      cs.per_event_rules_size() + cs.availability_rules_size() + cs.linear_shortfall_rules_size() >
      0;
  if (has_credits && cs.period_cap_ppm() == 0 && !cs.has_at_risk_pool()) {
    Add(out, Severity::kWarning, "credits-without-cap", "terms.credit_schedule.period_cap_ppm",
        "The credit schedule has no cap: credits in a bad month could exceed the fee.");
  }

  // Resolution shorter than response (validation refuses it for one basis; here across bases).
  for (int i = 0; i < t.priority_targets_size(); ++i) {
    const auto& pt = t.priority_targets(i);
    if (pt.resolution().target_seconds() < pt.first_response().target_seconds()) {
      Add(out, Severity::kError, "resolution-before-response",
          absl::StrCat("terms.priority_targets[", i, "].resolution"),
          "The resolution target is shorter than the response target.");
    }
  }
}

void LintWording(const sla::v1::SlaTerms& t, std::vector<LintFinding>& out) {
  // Vague or marketing wording in free text.
  WalkStrings(t, "terms", [&](const std::string& path, const std::string& text) {
    if (!IsProse(path)) return;
    const std::string lower = absl::AsciiStrToLower(text);
    for (const char* phrase : kVaguePhrases) {
      if (lower.find(phrase) != std::string::npos) {
        Add(out, Severity::kWarning, "vague-wording", path,
            absl::StrCat("\"", phrase,
                         "\" is vague or marketing wording: state a measurable term."));
        return;
      }
    }
  });
}

}  // namespace

std::vector<LintFinding> LintTerms(const sla::v1::SlaTerms& t, const CalendarsByName& calendars,
                                   absl::CivilDay today) {
  std::vector<LintFinding> out;
  LintParties(t, out);
  LintSecurity(t, out);
  LintReviewDate(t, today, out);
  LintAvailability(t, out);
  LintTargets(t, calendars, out);
  LintWording(t, out);
  return out;
}

std::vector<LintFinding> HistoryFindings(const sla::v1::SlaTerms& terms,
                                         const sla::reporting::v1::SimulateTermsResponse& replay) {
  std::vector<LintFinding> out;
  const int periods = replay.periods_size();
  for (int i = 0; i < terms.priority_targets_size(); ++i) {
    const sla::v1::PriorityTargets& pt = terms.priority_targets(i);
    struct Clock {
      const char* field;
      const char* label;
      const sla::v1::ClockTarget& target;
      int64_t (sla::reporting::v1::PriorityCompliance::*decided)() const;
      int64_t (sla::reporting::v1::PriorityCompliance::*met)() const;
    };
    const Clock clocks[] = {
        {"first_response", "first response", pt.first_response(),
         &sla::reporting::v1::PriorityCompliance::response_decided,
         &sla::reporting::v1::PriorityCompliance::response_met},
        {"resolution", "resolution", pt.resolution(),
         &sla::reporting::v1::PriorityCompliance::resolution_decided,
         &sla::reporting::v1::PriorityCompliance::resolution_met},
    };
    for (const Clock& c : clocks) {
      if (c.target.target_seconds() <= 0) continue;
      int64_t decided = 0, met = 0;
      int missed_periods = 0;
      for (const auto& period : replay.periods()) {
        for (const auto& pc : period.predicted()) {
          if (pc.priority() != pt.priority()) continue;
          decided += (pc.*c.decided)();
          met += (pc.*c.met)();
          if ((pc.*c.met)() < (pc.*c.decided)()) ++missed_periods;
        }
      }
      if (decided == 0) continue;  // no history to judge the target by
      const std::string what = absl::StrCat("P", static_cast<int>(pt.priority()), " ", c.label,
                                            " within ", FormatDuration(c.target.target_seconds()));
      const std::string tally = absl::StrCat(met, " of ", decided, " met");
      const std::string path = absl::StrCat("terms.priority_targets[", i, "].", c.field);
      if (missed_periods > 0) {
        const std::string when =
            periods == 1 ? std::string("in the last month")
                         : absl::StrCat("in ", missed_periods, " of the last ", periods, " months");
        out.push_back({Severity::kWarning, "missed-in-history", path,
                       absl::StrCat(what, " would have been missed ", when, " (", tally, ")")});
      } else {
        const std::string when = periods == 1
                                     ? std::string("in the last month")
                                     : absl::StrCat("in each of the last ", periods, " months");
        out.push_back({Severity::kInfo, "met-in-history", path,
                       absl::StrCat(what, " would have been met ", when, " (", tally, ")")});
      }
    }
  }
  return out;
}

absl::CivilDay TermsToday(absl::Time now, const sla::v1::SlaTerms& t) {
  absl::TimeZone tz = absl::UTCTimeZone();
  absl::LoadTimeZone(t.pricing().billing_time_zone(), &tz);
  return absl::ToCivilDay(now, tz);
}

}  // namespace sla::contract
