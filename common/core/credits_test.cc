// The credit rules of the billing-svc issue, with its test vectors (exact, minor units).
#include "common/core/credits.h"

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla::core {
namespace {

using ::testing::ElementsAre;

int64_t Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone()));
}

sla::v1::AvailabilityBand Band(int64_t lower, bool lower_inclusive, int64_t upper,
                               bool upper_inclusive, int64_t credit_ppm) {
  sla::v1::AvailabilityBand b;
  if (lower >= 0) {
    b.mutable_lower()->set_ppm(lower);
    b.mutable_lower()->set_inclusive(lower_inclusive);
  }
  if (upper >= 0) {
    b.mutable_upper()->set_ppm(upper);
    b.mutable_upper()->set_inclusive(upper_inclusive);
  }
  b.set_credit_ppm(credit_ppm);
  return b;
}

// December 2026 (31 days, 44,640 min), 120 min announced maintenance, 38 min down.
Availability December(int64_t down_minutes = 38) {
  AvailabilityInput in;
  in.period_start = Utc(2026, 12, 1);
  in.period_end = Utc(2027, 1, 1);
  in.maintenance = {{Utc(2026, 12, 6, 2), Utc(2026, 12, 6, 4)}};
  in.outages = {{Utc(2026, 12, 10, 8), Utc(2026, 12, 10, 8) + down_minutes * 60}};
  return *ComputeAvailability(in);
}

sla::v1::SlaTerms BandTerms(bool half_even = false) {
  sla::v1::SlaTerms t;
  auto* target = t.add_availability_targets();
  target->set_service_id("email");
  target->set_target_ppm(999'500);
  auto* rule = t.mutable_credit_schedule()->add_availability_rules();
  rule->set_rule_id("email-availability");
  rule->set_service_id("email");
  *rule->add_bands() = Band(990'000, true, 999'500, false, 100'000);  // [99.0, 99.95): 10 %
  *rule->add_bands() = Band(950'000, true, 990'000, false, 250'000);  // [95.0, 99.0): 25 %
  *rule->add_bands() = Band(-1, false, 950'000, false, 1'000'000);    // < 95.0: 100 %
  if (half_even) t.mutable_credit_schedule()->set_rounding(sla::v1::ROUNDING_HALF_EVEN);
  return t;
}

CreditInput Input(const sla::v1::SlaTerms& terms, int64_t fee_minor) {
  CreditInput in;
  in.terms = &terms;
  in.terms_version = "customers/c/contracts/k/versions/1";
  in.fee = CreditBase::Of(*money::Money::Create("THB", fee_minor));
  return in;
}

TEST(AvailabilityTest, VectorDecemberWithMaintenance) {
  const Availability a = December();
  EXPECT_EQ(a.period_minutes, 44'640);
  EXPECT_EQ(a.eligible_minutes, 44'520);
  EXPECT_EQ(a.downtime_minutes, 38);
  EXPECT_EQ((a.ratio() * Rational(100)).ToDecimal(4), "99.9146…");
  EXPECT_FALSE(a.Meets(999'500));
  EXPECT_TRUE(a.Meets(999'000));
}

TEST(AvailabilityTest, VectorThirtyDaysAt9999FourMinutesPassFiveFail) {
  for (int down : {4, 5}) {
    AvailabilityInput in;
    in.period_start = Utc(2026, 11, 1);
    in.period_end = Utc(2026, 12, 1);
    in.outages = {{Utc(2026, 11, 3, 1), Utc(2026, 11, 3, 1) + down * 60}};
    const Availability a = *ComputeAvailability(in);
    EXPECT_EQ(a.eligible_minutes, 43'200);
    EXPECT_EQ(a.Meets(999'900), down == 4) << down;
  }
}

TEST(AvailabilityTest, IntervalsAreClippedUnionedAndExcluded) {
  AvailabilityInput in;
  in.period_start = Utc(2026, 12, 1);
  in.period_end = Utc(2027, 1, 1);
  // Over the month end: 30 min in December, 20 min in January.
  in.outages = {{Utc(2026, 12, 31, 23, 30), Utc(2027, 1, 1, 0, 20)},
                // Two overlapping reports of one outage: 10:00–10:40 counted once.
                {Utc(2026, 12, 10, 10), Utc(2026, 12, 10, 10, 30)},
                {Utc(2026, 12, 10, 10, 15), Utc(2026, 12, 10, 10, 40)},
                // 20 s of downtime is a started minute: 1 min.
                {Utc(2026, 12, 11, 9, 0, 10), Utc(2026, 12, 11, 9, 0, 30)},
                // Inside announced maintenance: not down.
                {Utc(2026, 12, 6, 2, 30), Utc(2026, 12, 6, 3)}};
  in.exclusions = {{Utc(2026, 12, 10, 10, 30), Utc(2026, 12, 10, 11)}};  // verified: 10 min off
  in.maintenance = {{Utc(2026, 12, 6, 2), Utc(2026, 12, 6, 4)}};
  const Availability dec = *ComputeAvailability(in);
  EXPECT_EQ(dec.downtime_minutes, 30 + 30 + 1);
  EXPECT_EQ(dec.eligible_minutes, 44'640 - 120);
  in.period_start = Utc(2027, 1, 1);
  in.period_end = Utc(2027, 2, 1);
  EXPECT_EQ(ComputeAvailability(in)->downtime_minutes, 20);
  in.maintenance_counts_as_up = true;
  in.period_start = Utc(2026, 12, 1);
  in.period_end = Utc(2027, 1, 1);
  const Availability up = *ComputeAvailability(in);
  EXPECT_EQ(up.eligible_minutes, 44'640);
  EXPECT_EQ(up.downtime_minutes, 61);
}

TEST(CreditsTest, VectorAvailabilityBandAndRounding) {
  const sla::v1::SlaTerms up = BandTerms(), even = BandTerms(true);
  for (auto [terms, fee, expected] :
       {std::tuple{&up, 1'234'567, 123'457}, std::tuple{&up, 1'234'565, 123'457},
        std::tuple{&even, 1'234'565, 123'456}}) {
    CreditInput in = Input(*terms, fee);
    in.availability = {{"email", December()}};
    const CreditResult r = *ComputeCredits(in);
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0].amount_minor, expected) << fee;
    EXPECT_EQ(r.total_minor, expected);
    EXPECT_EQ(r.lines[0].kind, "availability");
  }
}

TEST(CreditsTest, CumulativeBandTableGivesTheWorstBandOnly) {
  sla::v1::SlaTerms t = BandTerms();
  auto* bands = t.mutable_credit_schedule()->mutable_availability_rules(0)->mutable_bands();
  bands->Clear();
  *bands->Add() = Band(-1, false, 999'500, false, 100'000);  // < 99.95 %: 10 %
  *bands->Add() = Band(-1, false, 990'000, false, 250'000);  // < 99.0 %: 25 %
  *bands->Add() = Band(-1, false, 950'000, false, 1'000'000);
  CreditInput in = Input(t, 1'234'567);
  in.availability = {{"email", December()}};
  EXPECT_EQ(ComputeCredits(in)->total_minor, 123'457);
  in.availability = {{"email", December(600)}};         // 98.65 %: both < 99.95 and < 99.0 match
  EXPECT_EQ(ComputeCredits(in)->total_minor, 308'642);  // 25 % of 1,234,567 = 308,641.75
}

TEST(CreditsTest, VectorPerEventRuleCap) {
  sla::v1::SlaTerms t;
  auto* rule = t.mutable_credit_schedule()->add_per_event_rules();
  rule->set_rule_id("p1-response");
  rule->set_clock(sla::v1::CLOCK_FIRST_RESPONSE);
  rule->set_priority(sla::v1::PRIORITY_P1);
  rule->set_fee_share_ppm(20'000);
  CreditInput in = Input(t, 500'000);  // 5,000.00
  for (int i = 0; i < 7; ++i) {
    in.breaches.push_back({"customers/c/tickets/t" + std::to_string(i),
                           sla::v1::CLOCK_FIRST_RESPONSE, sla::v1::PRIORITY_P1,
                           Utc(2026, 12, 2 + i)});
  }
  in.breaches.push_back(
      {"customers/c/tickets/p2", sla::v1::CLOCK_FIRST_RESPONSE, sla::v1::PRIORITY_P2, 0});
  EXPECT_EQ(ComputeCredits(in)->total_minor, 70'000);  // 700.00
  rule->set_rule_cap_ppm(100'000);
  const CreditResult capped = *ComputeCredits(in);
  EXPECT_EQ(capped.total_minor, 50'000);  // 500.00
  EXPECT_THAT(capped.notes, ElementsAre(::testing::HasSubstr("cap cut 20000")));
  rule->set_free_occurrences(5);
  EXPECT_EQ(ComputeCredits(in)->total_minor, 20'000);  // two beyond the five free
}

TEST(CreditsTest, PeriodCapSpreadsTheCutSoLinesStillSum) {
  sla::v1::SlaTerms t;
  for (const char* id : {"a", "b", "c"}) {
    auto* rule = t.mutable_credit_schedule()->add_per_event_rules();
    rule->set_rule_id(id);
    rule->set_clock(sla::v1::CLOCK_RESOLUTION);
    rule->mutable_fixed_amount()->set_currency_code("THB");
    rule->mutable_fixed_amount()->set_amount_minor(std::string(id) == "a" ? 1000 : 500);
  }
  t.mutable_credit_schedule()->set_period_cap_ppm(1'001);  // 0.1001 % of 1,000,000 = 1,001
  CreditInput in = Input(t, 1'000'000);
  in.breaches = {{"t1", sla::v1::CLOCK_RESOLUTION, sla::v1::PRIORITY_P3, 0}};
  const CreditResult r = *ComputeCredits(in);
  ASSERT_EQ(r.lines.size(), 3u);
  // 2,000 exact, capped to 1,001: 500.5, 250.25, 250.25 → 501 + 250 + 250.
  EXPECT_EQ(r.total_minor, 1'001);
  EXPECT_EQ(r.lines[0].amount_minor + r.lines[1].amount_minor + r.lines[2].amount_minor, 1'001);
  EXPECT_EQ(r.lines[0].amount_minor, 501);
}

TEST(CreditsTest, LinearShortfallIsClamped) {
  sla::v1::SlaTerms t = BandTerms();
  t.mutable_credit_schedule()->clear_availability_rules();
  auto* rule = t.mutable_credit_schedule()->add_linear_shortfall_rules();
  rule->set_rule_id("email-linear");
  rule->set_service_id("email");
  rule->set_multiplier_permille(10'000);  // × 10
  rule->set_max_credit_ppm(50'000);       // at most 5 %
  CreditInput in = Input(t, 1'000'000);
  in.availability = {{"email", December()}};
  // (99.95 − 44482/44520·100) % × 10 = 0.3535…% → 3,535.48… → 3,535.
  EXPECT_EQ(ComputeCredits(in)->total_minor, 3'535);
  in.availability = {{"email", December(600)}};
  EXPECT_EQ(ComputeCredits(in)->total_minor, 50'000);  // clamped to 5 %
}

TEST(CreditsTest, AtRiskPoolAllocationAndPoolCap) {
  sla::v1::SlaTerms t = BandTerms();
  auto* pool = t.mutable_credit_schedule()->mutable_at_risk_pool();
  pool->set_at_risk_ppm(120'000);  // 12 % of the invoice is at risk
  auto* alloc = pool->add_allocations();
  alloc->set_rule_id("email-availability");
  alloc->set_allocation_ppm(250'000);  // a quarter of the pool
  CreditInput in = Input(t, 1'000'000);
  in.availability = {{"email", December()}};
  const CreditResult r = *ComputeCredits(in);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].kind, "at_risk");
  EXPECT_EQ(r.total_minor, 30'000);  // 12 % × 25 % of 1,000,000
  alloc->set_allocation_ppm(1'200'000);
  EXPECT_EQ(ComputeCredits(in).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CreditsTest, MinimumPayableCreditDefersOrDrops) {
  sla::v1::SlaTerms t = BandTerms();
  t.mutable_credit_schedule()->mutable_minimum_credit()->set_currency_code("THB");
  t.mutable_credit_schedule()->mutable_minimum_credit()->set_amount_minor(200'000);
  CreditInput in = Input(t, 1'234'567);
  in.availability = {{"email", December()}};
  CreditResult r = *ComputeCredits(in);
  EXPECT_TRUE(r.below_minimum);
  EXPECT_TRUE(r.deferred);
  t.mutable_credit_schedule()->set_minimum_credit_handling(sla::v1::MINIMUM_CREDIT_DROP);
  r = *ComputeCredits(in);
  EXPECT_FALSE(r.deferred);
}

TEST(CreditsTest, ServiceCapIsTheServicesFee) {
  sla::v1::SlaTerms t = BandTerms();
  CreditInput in = Input(t, 1'000'000);
  in.service_fees.emplace("email", CreditBase::Of(*money::Money::Create("THB", 100'000)));
  in.availability = {{"email", December(3000)}};  // < 95 %: 100 % of the service's fee
  const CreditResult r = *ComputeCredits(in);
  EXPECT_EQ(r.total_minor, 100'000);
}

TEST(CreditsTest, LargestRemainderKeepsTheSum) {
  EXPECT_THAT(LargestRemainder({Rational(1), Rational(1), Rational(1)}, 100),
              ElementsAre(34, 33, 33));
  EXPECT_THAT(LargestRemainder({Rational(2), Rational(1)}, 0), ElementsAre(0, 0));
  EXPECT_THAT(LargestRemainder({Rational(5, 2), Rational(7, 2)}, 6),
              ElementsAre(3, 3));  // tie: earlier
  EXPECT_THAT(LargestRemainder({Rational(1), Rational(2)}, 10), ElementsAre(3, 7));
}

TEST(CreditsTest, ChronicBreachCountsWithinTheWindow) {
  sla::v1::ChronicBreachRule rule;
  rule.set_breached_periods(3);
  rule.set_window_periods(6);
  EXPECT_TRUE(ChronicBreachAccrued({true, false, true, false, false, true}, rule));
  EXPECT_FALSE(ChronicBreachAccrued({true, false, false, true, false, false, false, true}, rule));
  EXPECT_FALSE(ChronicBreachAccrued({true, true}, rule));
}

TEST(RationalTest, ExactArithmeticAndOneRounding) {
  const Rational third(1, 3);
  EXPECT_EQ(third + third + third, Rational(1));
  EXPECT_EQ((Rational(1'234'565) * Rational(100'000, 1'000'000)).Round(money::Rounding::kHalfUp),
            123'457);
  EXPECT_EQ((Rational(1'234'565) * Rational(100'000, 1'000'000)).Round(money::Rounding::kHalfEven),
            123'456);
  EXPECT_EQ(Rational(-3, 2).ToDecimal(), "-1.5");
  EXPECT_EQ(Rational(-3, 2).Floor(), -2);
}

}  // namespace
}  // namespace sla::core
