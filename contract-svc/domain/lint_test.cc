#include "contract-svc/domain/lint.h"

#include "absl/strings/str_cat.h"
#include "common/test_util/example_terms.h"
#include "gtest/gtest.h"

namespace sla::contract {
namespace {

using sla::v1::SlaTerms;

const absl::CivilDay kToday(2026, 11, 25);

SlaTerms Example() { return test::ExampleTerms(); }

CalendarsByName Calendars() {
  CalendarsByName c;
  c["calendars/bangkok-office"].set_time_zone("Asia/Bangkok");
  c["calendars/always-on"].set_always_open(true);
  return c;
}

std::vector<LintFinding> Lint(const SlaTerms& t) { return LintTerms(t, Calendars(), kToday); }

// The finding of `rule`, or a finding with an empty rule if there is none.
LintFinding Find(const std::vector<LintFinding>& findings, const std::string& rule) {
  for (const auto& f : findings) {
    if (f.rule == rule) return f;
  }
  return {Severity::kInfo, "", "", ""};
}

TEST(LintTest, ShippedExampleIsClean) {
  const auto findings = Lint(Example());
  for (const auto& f : findings)
    ADD_FAILURE() << f.rule << " at " << f.field_path << ": " << f.message;
  EXPECT_FALSE(HasErrors(findings));
}

TEST(LintTest, MissingCustomerResponsibilitiesIsAnError) {
  SlaTerms t = Example();
  t.mutable_responsibilities()->clear_customer();
  const auto findings = Lint(t);
  const auto f = Find(findings, "no-customer-responsibilities");
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.field_path, "terms.responsibilities.customer");
  EXPECT_TRUE(HasErrors(findings));
}

TEST(LintTest, NoExclusionsWarns) {
  SlaTerms t = Example();
  t.clear_exclusions();
  EXPECT_EQ(Find(Lint(t), "no-exclusions").severity, Severity::kWarning);
}

TEST(LintTest, SecurityTermsAreNotOptional) {
  SlaTerms t = Example();
  t.clear_security();
  EXPECT_EQ(Find(Lint(t), "no-security-commitments").severity, Severity::kError);
  SlaTerms partial = Example();
  partial.mutable_security()->clear_disaster_recovery();
  const auto f = Find(Lint(partial), "no-disaster-recovery");
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_EQ(f.field_path, "terms.security.disaster_recovery");
  EXPECT_FALSE(HasErrors(Lint(partial)));
}

TEST(LintTest, ReviewDateMissingTooFarOrPassed) {
  SlaTerms none = Example();
  none.clear_review_date();
  EXPECT_EQ(Find(Lint(none), "no-review-date").severity, Severity::kError);

  SlaTerms far = Example();
  far.mutable_review_date()->set_year(2027);
  far.mutable_review_date()->set_month(11);
  far.mutable_review_date()->set_day(26);  // 12 months and a day
  EXPECT_EQ(Find(Lint(far), "review-date-too-far").severity, Severity::kWarning);
  far.mutable_review_date()->set_day(25);  // exactly 12 months: fine
  EXPECT_EQ(Find(Lint(far), "review-date-too-far").rule, "");

  SlaTerms passed = Example();
  passed.mutable_review_date()->set_year(2026);
  passed.mutable_review_date()->set_month(1);
  EXPECT_EQ(Find(Lint(passed), "review-date-passed").severity, Severity::kWarning);
}

TEST(LintTest, FiveNinesShowsAllowedDowntime) {
  SlaTerms t = Example();
  t.mutable_availability_targets(0)->set_target_ppm(999990);
  const auto f = Find(Lint(t), "five-nines");
  EXPECT_EQ(f.field_path, "terms.availability_targets[0].target_ppm");
  EXPECT_EQ(f.message,
            "An availability of 99.9990 % for `email-hosting` allows only 25 s of downtime a month "
            "(5 min 15 s a year); few services achieve it.");
  t.mutable_availability_targets(0)->set_target_ppm(999989);
  EXPECT_EQ(Find(Lint(t), "five-nines").rule, "");
}

TEST(LintTest, AllowedDowntimeMatchesDomainExamples) {
  // 99.9 % over a 30-day month: 43.2 minutes.
  EXPECT_EQ(AllowedDowntimeFor(999000).per_month_seconds, 2592);
  EXPECT_EQ(FormatDuration(2592), "43 min 12 s");
  // 99.999 % over a year: 5.26 minutes.
  EXPECT_EQ(AllowedDowntimeFor(999990).per_year_seconds, 315);
  EXPECT_EQ(FormatDuration(AllowedDowntimeFor(990000).per_year_seconds), "3 d 15 h 36 min");
}

TEST(LintTest, AroundTheClockTargetsNeedAfterHoursTerms) {
  SlaTerms t = Example();
  t.mutable_pricing()->clear_extra_charges();
  const auto f = Find(Lint(t), "twenty-four-seven-without-after-hours-terms");
  EXPECT_EQ(f.field_path, "terms.priority_targets[0]");
  // An always-open calendar counts as around the clock too.
  SlaTerms business = t;
  business.mutable_priority_targets(0)->mutable_first_response()->set_basis(
      sla::v1::TIME_BASIS_BUSINESS);
  business.mutable_priority_targets(0)->mutable_resolution()->set_basis(
      sla::v1::TIME_BASIS_BUSINESS);
  EXPECT_EQ(Find(Lint(business), "twenty-four-seven-without-after-hours-terms").field_path,
            "terms.priority_targets[0]");
  // Business-hours-only targets do not.
  business.mutable_priority_targets(0)->mutable_first_response()->set_calendar(
      "calendars/bangkok-office");
  business.mutable_priority_targets(0)->mutable_resolution()->set_calendar(
      "calendars/bangkok-office");
  EXPECT_EQ(Find(Lint(business), "twenty-four-seven-without-after-hours-terms").rule, "");
}

TEST(LintTest, CreditsWithoutCapWarn) {
  SlaTerms t = Example();
  t.mutable_credit_schedule()->set_period_cap_ppm(0);
  EXPECT_EQ(Find(Lint(t), "credits-without-cap").field_path,
            "terms.credit_schedule.period_cap_ppm");
}

TEST(LintTest, ResolutionShorterThanResponseIsAnError) {
  SlaTerms t = Example();
  t.mutable_priority_targets(1)->mutable_resolution()->set_target_seconds(60);
  const auto f = Find(Lint(t), "resolution-before-response");
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.field_path, "terms.priority_targets[1].resolution");
}

TEST(LintTest, VagueWordingIsFoundInAnyFreeText) {
  SlaTerms t = Example();
  t.mutable_services(1)->set_description("World-class e-mail with guaranteed delivery.");
  t.mutable_responsibilities()->mutable_msp(0)->set_description(
      "Patches servers as soon as possible.");
  t.mutable_termination()->set_for_cause_conditions(0, "Best effort cure period");
  std::vector<std::string> paths;
  for (const auto& f : Lint(t)) {
    if (f.rule == "vague-wording") paths.push_back(f.field_path);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"terms.services[1].description",
                                             "terms.responsibilities.msp[0].description",
                                             "terms.termination.for_cause_conditions[0]"}));
  // Identifiers are not prose.
  SlaTerms ids = Example();
  ids.mutable_services(0)->set_service_id("guaranteed-desk");
  for (const auto& f : Lint(ids)) EXPECT_NE(f.rule, "vague-wording") << f.field_path;
}

}  // namespace
}  // namespace sla::contract

namespace sla::contract {
namespace {

// A replay in which `p` had these (decided, met) first responses per month.
sla::reporting::v1::SimulateTermsResponse Replay(sla::v1::Priority p,
                                                 std::vector<std::pair<int, int>> responses) {
  sla::reporting::v1::SimulateTermsResponse r;
  int month = 1;
  for (const auto& [decided, met] : responses) {
    auto* period = r.add_periods();
    period->set_period(absl::StrCat("2026-", month < 10 ? "0" : "", month));
    ++month;
    auto* pc = period->add_predicted();
    pc->set_priority(p);
    pc->set_response_decided(decided);
    pc->set_response_met(met);
  }
  return r;
}

TEST(HistoryFindingsTest, WarnsForATargetMissedInSomeMonthsOfTheReplay) {
  const SlaTerms terms = Example();
  ASSERT_EQ(terms.priority_targets(0).priority(), sla::v1::PRIORITY_P1);
  // Six months of P1 tickets: responses late in months 2 and 5.
  const auto findings = HistoryFindings(
      terms, Replay(sla::v1::PRIORITY_P1, {{4, 4}, {5, 3}, {2, 2}, {0, 0}, {6, 5}, {3, 3}}));
  ASSERT_EQ(findings.size(), 1u);  // resolutions were never decided: nothing to say of them
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_EQ(findings[0].rule, "missed-in-history");
  EXPECT_EQ(findings[0].field_path, "terms.priority_targets[0].first_response");
  EXPECT_EQ(
      findings[0].message,
      absl::StrCat("P1 first response within ",
                   FormatDuration(terms.priority_targets(0).first_response().target_seconds()),
                   " would have been missed in 2 of the last 6 months (17 of 20 met)"));
}

TEST(HistoryFindingsTest, ATargetMetEveryMonthIsInfoAndNoHistoryIsSilent) {
  const SlaTerms terms = Example();
  auto findings = HistoryFindings(terms, Replay(sla::v1::PRIORITY_P1, {{3, 3}}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kInfo);
  EXPECT_EQ(findings[0].rule, "met-in-history");
  EXPECT_NE(findings[0].message.find("met in the last month (3 of 3 met)"), std::string::npos);
  EXPECT_TRUE(HistoryFindings(terms, Replay(sla::v1::PRIORITY_P1, {{0, 0}})).empty());
  EXPECT_TRUE(HistoryFindings(terms, sla::reporting::v1::SimulateTermsResponse()).empty());
}

}  // namespace
}  // namespace sla::contract
