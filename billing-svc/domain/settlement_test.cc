#include "billing-svc/domain/settlement.h"

#include "gtest/gtest.h"

namespace sla::billing {
namespace {

core::CreditResult Credit(int64_t total, bool below_minimum, bool deferred) {
  core::CreditResult r;
  r.total_minor = total;
  r.below_minimum = below_minimum;
  r.deferred = deferred;
  core::CreditLine l;
  l.rule_id = "p1-response";
  l.exact = core::Rational(total);
  l.amount_minor = total;
  r.lines.push_back(l);
  return r;
}

sla::v1::CreditSchedule Minimum(int64_t minor) {
  sla::v1::CreditSchedule s;
  s.mutable_minimum_credit()->set_currency_code("THB");
  s.mutable_minimum_credit()->set_amount_minor(minor);
  return s;
}

TEST(SettlementTest, ACreditBelowTheMinimumWaitsUntilLaterCreditsReachIt) {
  // 300 of a 1,000 minimum, deferred by the terms: it waits.
  Settlement s = SettleCredit(Credit(300, true, true), Minimum(1000), /*waiting_minor=*/0, false);
  EXPECT_EQ(s.status, core::CreditStatus::kDeferred);
  EXPECT_FALSE(s.releases_deferred);
  EXPECT_EQ(s.note_total_minor, 300);  // not issued: no note pays it yet
  // 400 more with 700 waiting reaches it: both are paid on this period's note.
  s = SettleCredit(Credit(400, true, true), Minimum(1000), /*waiting_minor=*/700, false);
  EXPECT_EQ(s.status, core::CreditStatus::kIssued);
  EXPECT_TRUE(s.releases_deferred);
  EXPECT_EQ(s.released_minor, 700);
  EXPECT_EQ(s.note_total_minor, 1100);
}

TEST(SettlementTest, TheLastPeriodPaysWhateverWaitsAndDroppedCreditsStayDropped) {
  Settlement s = SettleCredit(Credit(100, true, true), Minimum(1000), 200, /*last_period=*/true);
  EXPECT_EQ(s.status, core::CreditStatus::kIssued);
  EXPECT_EQ(s.note_total_minor, 300);
  s = SettleCredit(Credit(100, true, /*deferred=*/false), Minimum(1000), 0, false);
  EXPECT_EQ(s.status, core::CreditStatus::kDropped);
  EXPECT_FALSE(s.releases_deferred);
}

TEST(SettlementTest, TheCapCutIsTheExactCreditRoundedOnceLessTheCreditComputed) {
  core::CreditResult r = Credit(500, false, false);
  r.lines[0].exact = core::Rational(1501, 2);  // 750.5 before the cap
  const Settlement s = SettleCredit(r, sla::v1::CreditSchedule(), 0, false);
  EXPECT_EQ(s.cap_cut_minor, 251);  // 751 − 500
  EXPECT_EQ(s.status, core::CreditStatus::kIssued);
  EXPECT_EQ(s.note_total_minor, 500);
}

TEST(SettlementTest, ARuleMissedInKOfTheLastMPeriodsAccruesATerminationRight) {
  sla::v1::ChronicBreachRule rule;
  rule.set_breached_periods(3);
  rule.set_window_periods(6);
  rule.set_exercise_within_days(60);
  const int feb = 2027 * 12 + 1;
  const core::CreditResult credits = Credit(100, false, false);
  // Two earlier misses inside the window, one outside it, one of another rule.
  const std::vector<PastCredit> past = {{"p1-response", feb - 1},
                                        {"p1-response", feb - 3},
                                        {"p1-response", feb - 7},
                                        {"email", feb - 2}};
  const std::vector<TerminationRight> rights =
      AccruedTerminationRights(credits, rule, feb, 1'000, past);
  ASSERT_EQ(rights.size(), 1u);
  EXPECT_EQ(rights[0].rule_id, "p1-response");
  EXPECT_EQ(rights[0].breached_periods, 3);
  EXPECT_EQ(rights[0].window_periods, 6);
  EXPECT_EQ(rights[0].exercise_by, 1'000 + 60 * 86'400);
  // One miss fewer in the window: nothing yet.
  EXPECT_TRUE(AccruedTerminationRights(credits, rule, feb, 1'000, {past[0], past[2]}).empty());
  // No clause in the terms: nothing.
  EXPECT_TRUE(
      AccruedTerminationRights(credits, sla::v1::ChronicBreachRule(), feb, 1'000, past).empty());
}

}  // namespace
}  // namespace sla::billing
