#include "billing-svc/domain/adjustment.h"

#include "gtest/gtest.h"

namespace sla::billing {
namespace {

core::CreditLine Line(const std::string& rule, const std::string& service, int64_t amount) {
  core::CreditLine l;
  l.rule_id = rule;
  l.kind = service.empty() ? "per_event" : "availability";
  l.service_id = service;
  l.amount_minor = amount;
  l.explanation = {"why"};
  return l;
}

core::CreditResult Result(std::vector<core::CreditLine> lines, bool below_minimum = false,
                          bool deferred = false) {
  core::CreditResult r;
  r.currency = "THB";
  for (const core::CreditLine& l : lines) r.total_minor += l.amount_minor;
  r.lines = std::move(lines);
  r.below_minimum = below_minimum;
  r.deferred = deferred;
  return r;
}

TEST(AdjustmentTest, ALateBreachGrowsAnIssuedCredit) {
  const Adjustment a = ComputeAdjustment(
      Result({Line("p1-response", "", 493'824), Line("email-availability", "email", 334'560)}),
      {{"p1-response", "", 246'912, core::CreditStatus::kIssued},
       {"email-availability", "email", 334'560, core::CreditStatus::kIssued}});
  EXPECT_EQ(a.status, core::CreditStatus::kIssued);
  ASSERT_EQ(a.lines.size(), 1u);
  EXPECT_EQ(a.lines[0].rule_id, "p1-response");
  EXPECT_EQ(a.lines[0].amount_minor, 246'912);
  EXPECT_EQ(a.total_minor, 246'912);
}

TEST(AdjustmentTest, EarlierDeltasCountAndARuleThatNoLongerPaysIsTakenBack) {
  // Recorded: 100 at the close, +50 by a first delta; an outage reclassified as excluded
  // takes the availability credit away.
  const Adjustment a =
      ComputeAdjustment(Result({Line("p1-response", "", 120)}),
                        {{"p1-response", "", 100, core::CreditStatus::kIssued},
                         {"p1-response", "", 50, core::CreditStatus::kIssued},
                         {"email-availability", "email", 70, core::CreditStatus::kIssued}});
  ASSERT_EQ(a.lines.size(), 2u);
  EXPECT_EQ(a.lines[0].rule_id, "email-availability");
  EXPECT_EQ(a.lines[0].kind, "adjustment");
  EXPECT_EQ(a.lines[0].amount_minor, -70);
  EXPECT_EQ(a.lines[1].amount_minor, -30);
  EXPECT_EQ(a.total_minor, -100);
}

TEST(AdjustmentTest, NothingChangedMeansNoLines) {
  const Adjustment a = ComputeAdjustment(Result({Line("p1-response", "", 100)}),
                                         {{"p1-response", "", 100, core::CreditStatus::kIssued}});
  EXPECT_TRUE(a.lines.empty());
  EXPECT_EQ(a.total_minor, 0);
}

TEST(AdjustmentTest, ADroppedPeriodThatNowReachesTheMinimumPaysInFull) {
  const Adjustment a = ComputeAdjustment(Result({Line("p1-response", "", 1'500)}),
                                         {{"p1-response", "", 400, core::CreditStatus::kDropped}});
  EXPECT_EQ(a.status, core::CreditStatus::kIssued);
  ASSERT_EQ(a.lines.size(), 1u);
  EXPECT_EQ(a.lines[0].amount_minor, 1'500);  // the dropped 400 was never paid
}

TEST(AdjustmentTest, ADroppedPeriodStillBelowTheMinimumStaysDropped) {
  const Adjustment a =
      ComputeAdjustment(Result({Line("p1-response", "", 600)}, /*below_minimum=*/true),
                        {{"p1-response", "", 400, core::CreditStatus::kDropped}});
  EXPECT_EQ(a.status, core::CreditStatus::kDropped);
  ASSERT_EQ(a.lines.size(), 1u);
  EXPECT_EQ(a.lines[0].amount_minor, 200);
}

TEST(AdjustmentTest, ADeferredPeriodsDeltaJoinsTheWaitingAmount) {
  const Adjustment a = ComputeAdjustment(Result({Line("p1-response", "", 1'500)}),
                                         {{"p1-response", "", 400, core::CreditStatus::kDeferred}});
  EXPECT_EQ(a.status, core::CreditStatus::kDeferred);
  EXPECT_EQ(a.total_minor, 1'100);
}

TEST(AdjustmentTest, APeriodThatRecordedNothingTakesItsRecomputedStatus) {
  EXPECT_EQ(ComputeAdjustment(Result({Line("p1-response", "", 300)}, true, true), {}).status,
            core::CreditStatus::kDeferred);
  EXPECT_EQ(ComputeAdjustment(Result({Line("p1-response", "", 300)}, true, false), {}).status,
            core::CreditStatus::kDropped);
  EXPECT_EQ(ComputeAdjustment(Result({Line("p1-response", "", 300)}), {}).status,
            core::CreditStatus::kIssued);
}

}  // namespace
}  // namespace sla::billing
