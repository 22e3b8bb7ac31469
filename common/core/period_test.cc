#include "common/core/period.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace sla::core {
namespace {

int64_t Bangkok(int y, int mo, int d, int h = 0, int mi = 0) {
  absl::TimeZone tz;
  absl::LoadTimeZone("Asia/Bangkok", &tz);
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), tz));
}

sla::v1::SlaTerms Terms() {
  sla::v1::SlaTerms t;
  t.mutable_pricing()->mutable_monthly_fee()->set_currency_code("THB");
  t.mutable_pricing()->mutable_monthly_fee()->set_amount_minor(3'100'000);
  t.mutable_pricing()->set_billing_time_zone("Asia/Bangkok");
  auto* target = t.add_availability_targets();
  target->set_service_id("email");
  target->set_target_ppm(999'500);
  auto* w = target->add_maintenance_windows();
  w->set_day(sla::v1::SUNDAY);
  w->set_start_minute(120);
  w->set_duration_minutes(120);
  auto* rule = t.mutable_credit_schedule()->add_availability_rules();
  rule->set_rule_id("email-availability");
  rule->set_service_id("email");
  auto* band = rule->add_bands();
  band->mutable_upper()->set_ppm(999'500);
  band->set_credit_ppm(100'000);
  return t;
}

TEST(PeriodTest, WeeklyMaintenanceWindowsLeaveTheDenominator) {
  // Sundays of December 2026 in Bangkok: 6, 13, 20, 27 → 4 × 120 min.
  PeriodFacts facts;
  facts.outages = {
      {"o1", "email", Bangkok(2026, 12, 9, 10), Bangkok(2026, 12, 9, 10, 38), false, ""},
      // Down during a maintenance window: not counted.
      {"o2", "email", Bangkok(2026, 12, 13, 2, 30), Bangkok(2026, 12, 13, 3), false, ""},
      // Excluded by a verified clause: not counted.
      {"o3", "email", Bangkok(2026, 12, 15, 1), Bangkok(2026, 12, 15, 2), false, "force-majeure"}};
  const PeriodComputation pc =
      *ComputePeriod(Terms(), "v1", {2026, 12}, 0, 0, facts, Bangkok(2027, 1, 2));
  ASSERT_EQ(pc.availability.size(), 1u);
  const Availability& a = pc.availability[0].availability;
  EXPECT_EQ(a.maintenance_minutes, 480);
  EXPECT_EQ(a.eligible_minutes, 44'640 - 480);
  EXPECT_EQ(a.downtime_minutes, 38);
  // (44,160 − 38) / 44,160 = 99.9139 % < 99.95 %: 10 % of 3,100,000.
  EXPECT_EQ(pc.credits.total_minor, 310'000);
}

TEST(PeriodTest, MidMonthStartProratesTheFeeAndTheAvailabilityPeriod) {
  PeriodFacts facts;
  // Before the contract started: not counted.
  facts.outages = {{"o1", "email", Bangkok(2026, 12, 2, 10), Bangkok(2026, 12, 2, 12), false, ""}};
  const PeriodComputation pc = *ComputePeriod(Terms(), "v1", {2026, 12}, Bangkok(2026, 12, 16), 0,
                                              facts, Bangkok(2027, 1, 2));
  EXPECT_EQ(pc.active_days, 16);
  EXPECT_EQ(pc.fee.amount_minor(), 1'600'000);
  EXPECT_EQ(pc.availability[0].availability.period_minutes, 16 * 1440);
  EXPECT_EQ(pc.availability[0].availability.downtime_minutes, 0);
  EXPECT_EQ(pc.credits.total_minor, 0);
}

TEST(PeriodTest, AProratedCreditIsRoundedOnceFromTheExactFee) {
  // 1,000,002 a month, in force 22 of November's 30 days, a 50 % band missed:
  // 1,000,002 × 22/30 × 1/2 = 366,667.4 → 366,667. Rounding the prorated fee first
  // (733,334.8 → 733,335) and then the credit (366,667.5 → 366,668) is one unit too many.
  sla::v1::SlaTerms terms = Terms();
  terms.mutable_pricing()->mutable_monthly_fee()->set_amount_minor(1'000'002);
  terms.mutable_credit_schedule()->mutable_availability_rules(0)->mutable_bands(0)->set_credit_ppm(
      500'000);
  PeriodFacts facts;
  facts.outages = {
      {"o1", "email", Bangkok(2026, 11, 20, 10), Bangkok(2026, 11, 20, 12), false, ""}};
  const PeriodComputation pc =
      *ComputePeriod(terms, "v1", {2026, 11}, Bangkok(2026, 11, 9), 0, facts, Bangkok(2026, 12, 2));
  ASSERT_EQ(pc.active_days, 22);
  EXPECT_EQ(pc.credits.total_minor, 366'667);
  ASSERT_EQ(pc.credits.lines.size(), 1u);
  EXPECT_EQ(pc.credits.lines[0].amount_minor, 366'667);
  // The trace states the exact figure, not one computed from a rounded fee.
  EXPECT_EQ(pc.credits.lines[0].capped, Rational(1'000'002 * 22, 30 * 2));
}

TEST(PeriodTest, OpenOutageCountsUntilNow) {
  PeriodFacts facts;
  facts.outages = {{"o1", "email", Bangkok(2026, 12, 31, 23), 0, false, ""}};
  const PeriodComputation pc =
      *ComputePeriod(Terms(), "v1", {2026, 12}, 0, 0, facts, Bangkok(2027, 1, 1, 5));
  EXPECT_EQ(pc.availability[0].availability.downtime_minutes, 60);  // clipped at month end
}

}  // namespace
}  // namespace sla::core
