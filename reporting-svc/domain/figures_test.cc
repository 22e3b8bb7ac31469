#include "reporting-svc/domain/figures.h"

#include "common/core/test_terms.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla::reporting {
namespace {

using core::testing::Utc;
using ::testing::HasSubstr;

TEST(FiguresTest, P90IsTheNearestRank) {
  std::vector<int64_t> ten = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  EXPECT_EQ(P90(ten), 9);  // ⌈0.9 × 10⌉ = 9th smallest
  std::vector<int64_t> eleven = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  EXPECT_EQ(P90(eleven), 10);  // ⌈9.9⌉ = 10th
  std::vector<int64_t> one = {42};
  EXPECT_EQ(P90(one), 42);
  std::vector<int64_t> none;
  EXPECT_EQ(P90(none), 0);
}

TEST(FiguresTest, MeanRoundsHalfUpAndSharesRoundDown) {
  EXPECT_EQ(MeanHalfUp(5, 2), 3);  // 2.5 → 3
  EXPECT_EQ(MeanHalfUp(7, 3), 2);  // 2.33 → 2
  EXPECT_EQ(MeanHalfUp(0, 0), 0);
  EXPECT_EQ(SharePpm(2, 3), 666'666);
  EXPECT_EQ(SharePpm(0, 0), 1'000'000);  // nothing decided: nothing missed
}

TEST(FiguresTest, AggregatesPerPriorityAndInAll) {
  // P1: three tickets — met on time (600 s business / 600 s wall), breached and met late
  // (1,200 / 1,200), still pending; one reopened, one closed with its RCA, one closed without.
  // P3: one ticket met (3,600 business / 86,400 wall: overnight).
  std::vector<TicketFigures> rows(4);
  rows[0] = {sla::v1::PRIORITY_P1,
             kMetOnTime,
             600,
             600,
             kMetOnTime,
             3000,
             3000,
             0,
             1,
             true,
             true,
             true,
             true};
  rows[1] = {sla::v1::PRIORITY_P1,
             kBreached,
             1200,
             1200,
             kBreached,
             -1,
             -1,
             2,
             0,
             false,
             true,
             false,
             true};
  rows[2] = {
      sla::v1::PRIORITY_P1, kPending, -1, -1, kPending, -1, -1, 0, 0, false, true, false, false};
  rows[3] = {sla::v1::PRIORITY_P3,
             kMetOnTime,
             3600,
             86400,
             kPending,
             -1,
             -1,
             0,
             0,
             false,
             false,
             false,
             false};
  google::protobuf::RepeatedPtrField<v1::PriorityCompliance> per;
  v1::PriorityCompliance total;
  Aggregate(rows, &per, &total);
  ASSERT_EQ(per.size(), 2);
  const v1::PriorityCompliance& p1 = per[0];
  EXPECT_EQ(p1.priority(), sla::v1::PRIORITY_P1);
  EXPECT_EQ(p1.ticket_count(), 3);
  EXPECT_EQ(p1.response_decided(), 2);
  EXPECT_EQ(p1.response_met(), 1);
  EXPECT_EQ(p1.response_met_ppm(), 500'000);
  EXPECT_EQ(p1.resolution_decided(), 2);
  EXPECT_EQ(p1.resolution_met_ppm(), 500'000);
  EXPECT_EQ(p1.time_to_respond().count(), 2);
  EXPECT_EQ(p1.time_to_respond().mean_business_seconds(), 900);
  EXPECT_EQ(p1.time_to_respond().p90_business_seconds(), 1200);
  EXPECT_EQ(p1.time_to_resolve().count(), 1);
  EXPECT_EQ(p1.breach_count(), 2);
  EXPECT_EQ(p1.reopened(), 1);
  EXPECT_EQ(p1.reopen_rate_ppm(), 1'000'000);  // the one resolved ticket was reopened
  EXPECT_EQ(p1.rca_required(), 2);
  EXPECT_EQ(p1.rca_completed(), 1);
  EXPECT_EQ(per[1].time_to_respond().mean_wall_seconds(), 86400);
  EXPECT_EQ(per[1].resolution_met_ppm(), 1'000'000);
  EXPECT_EQ(total.ticket_count(), 4);
  EXPECT_EQ(total.response_decided(), 3);
  EXPECT_EQ(total.response_met_ppm(), 666'666);
  EXPECT_EQ(total.time_to_respond().p90_business_seconds(), 3600);
}

TEST(FiguresTest, WordingComesFromTheTerms) {
  const sla::v1::SlaTerms terms = core::testing::BangkokTerms();
  google::protobuf::RepeatedPtrField<v1::PriorityCompliance> per;
  per.Add()->set_priority(sla::v1::PRIORITY_P1);
  per.Add()->set_priority(sla::v1::PRIORITY_P2);
  AddTargetWording(terms, &per);
  EXPECT_EQ(per[0].response_target_text(), "First response within 15 minutes (around the clock)");
  EXPECT_THAT(per[1].resolution_target_text(), HasSubstr("4 hours of business time"));
}

TEST(FiguresTest, AvailabilityUsesTheExactPeriodComputation) {
  sla::v1::SlaTerms terms = core::testing::BangkokTerms();
  terms.mutable_pricing()->set_billing_time_zone("Asia/Bangkok");
  terms.mutable_pricing()->mutable_monthly_fee()->set_currency_code("THB");
  auto* target = terms.add_availability_targets();
  target->set_service_id("email-hosting");
  target->set_target_ppm(999'000);
  // December 2026 in Bangkok: 44,640 minutes. 100 min unplanned, 60 min planned, 120 excluded.
  std::vector<OutageRow> outages = {
      {"email-hosting", Utc(2026, 12, 9, 3), Utc(2026, 12, 9, 4, 40), false, ""},
      {"email-hosting", Utc(2026, 12, 10, 3), Utc(2026, 12, 10, 4), true, ""},
      {"email-hosting", Utc(2026, 12, 15, 3), Utc(2026, 12, 15, 5), false, "force-majeure"},
  };
  auto figures = AvailabilityFigures(terms, "v1", 2026, 12, outages, Utc(2027, 1, 5, 0));
  ASSERT_TRUE(figures.ok()) << figures.status();
  ASSERT_EQ(figures->size(), 1u);
  const v1::ServiceAvailabilityFigure& a = (*figures)[0];
  EXPECT_EQ(a.period_minutes(), 44'640);
  EXPECT_EQ(a.eligible_minutes(), 44'580);  // planned outage leaves the denominator
  EXPECT_EQ(a.downtime_minutes(), 100);
  EXPECT_EQ(a.planned_minutes(), 60);
  EXPECT_EQ(a.excluded_minutes(), 120);
  EXPECT_EQ(a.actual_ppm(), (44'580 - 100) * int64_t{1'000'000} / 44'580);  // 99.7756 %
  EXPECT_FALSE(a.met());
  EXPECT_EQ(a.target_text(), "Availability of at least 99.9 % per month");
}

TEST(FiguresTest, PeriodsAreMonths) {
  EXPECT_EQ(PeriodText(2026 * 12 + 11), "2026-12");
  auto p = ParsePeriod("2026-12", "name");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, 2026 * 12 + 11);
  for (const char* bad : {"2026-13", "2026-1", "26-12", "2026/12", "1999-12", ""}) {
    auto e = ParsePeriod(bad, "name");
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(e.status().message(), HasSubstr("name")) << bad;
  }
}

}  // namespace
}  // namespace sla::reporting
