#include "reporting-svc/domain/simulate.h"

#include "common/core/test_terms.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla::reporting {
namespace {

using core::testing::Utc;

sla::v1::SlaTerms Proposed(int64_t p2_response_seconds) {
  sla::v1::SlaTerms terms = core::testing::BangkokTerms();
  terms.mutable_pricing()->set_billing_time_zone("Asia/Bangkok");
  terms.mutable_pricing()->mutable_monthly_fee()->set_currency_code("THB");
  terms.mutable_pricing()->mutable_monthly_fee()->set_amount_minor(10'000'000);
  for (auto& p : *terms.mutable_priority_targets()) {
    if (p.priority() == sla::v1::PRIORITY_P2)
      p.mutable_first_response()->set_target_seconds(p2_response_seconds);
  }
  auto* rule = terms.mutable_credit_schedule()->add_per_event_rules();
  rule->set_rule_id("p2-response");
  rule->set_clock(sla::v1::CLOCK_FIRST_RESPONSE);
  rule->set_priority(sla::v1::PRIORITY_P2);
  rule->mutable_fixed_amount()->set_currency_code("THB");
  rule->mutable_fixed_amount()->set_amount_minor(50'000);
  return terms;
}

SimulationInput Input(const core::TermsContext* ctx) {
  SimulationInput in;
  in.proposed = ctx;
  in.periods = {2026 * 12 + 11};  // December 2026
  in.now = Utc(2027, 1, 10, 0);
  // P2 opened Thu 2026-12-03 16:00 Bangkok (09:00 UTC), answered Fri 09:40 Bangkok: 1 h 40 min
  // of business time (16:00–17:00, 09:00–09:40).
  ReplayTicket a;
  a.ticket = "customers/c1/tickets/a";
  a.priority = sla::v1::PRIORITY_P2;
  a.open_time = Utc(2026, 12, 3, 9);
  a.resp_time = Utc(2026, 12, 4, 2, 40);
  a.res_time = Utc(2026, 12, 4, 5);
  // The same, but waiting on the customer from 16:10 to Fri 09:30 Bangkok: 20 min consumed
  // (16:00–16:10, 09:30–09:40).
  ReplayTicket b = a;
  b.ticket = "customers/c1/tickets/b";
  b.pauses = {{Utc(2026, 12, 3, 9, 10), Utc(2026, 12, 4, 2, 30)}};
  in.tickets = {a, b};
  return in;
}

TEST(SimulateTest, ATighterTargetPredictsTheBreachesAndTheirCredits) {
  auto ctx = core::TermsContext::Build("proposed", Proposed(3600),
                                       absl::FromUnixSeconds(Utc(2026, 11, 1, 0)),
                                       absl::FromUnixSeconds(Utc(2028, 1, 1, 0)));
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  auto out = Simulate(Input(ctx->get()));
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->periods_size(), 1);
  // 1 h 40 min > 1 h: ticket a breaches; b (20 min, paused overnight) does not.
  EXPECT_EQ(out->periods(0).predicted_breaches(), 1);
  EXPECT_EQ(out->periods_with_breaches(), 1);
  ASSERT_EQ(out->predicted_size(), 1);
  EXPECT_EQ(out->predicted(0).response_met_ppm(), 500'000);
  EXPECT_EQ(out->predicted(0).time_to_respond().mean_business_seconds(), (6000 + 1200) / 2);
  EXPECT_EQ(out->credit_exposure_minor(), 50'000);
  EXPECT_EQ(out->currency(), "THB");
  EXPECT_FALSE(out->notes().empty());
}

TEST(SimulateTest, ALooserTargetPredictsNone) {
  auto ctx = core::TermsContext::Build("proposed", Proposed(2 * 3600),
                                       absl::FromUnixSeconds(Utc(2026, 11, 1, 0)),
                                       absl::FromUnixSeconds(Utc(2028, 1, 1, 0)));
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  auto out = Simulate(Input(ctx->get()));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->periods(0).predicted_breaches(), 0);
  EXPECT_EQ(out->predicted(0).response_met_ppm(), 1'000'000);
  EXPECT_EQ(out->credit_exposure_minor(), 0);
}

TEST(SimulateTest, PausesParseAndMerge) {
  auto p = ParsePauses("100-200,150-300,500-600", 550);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].start, 100);
  EXPECT_EQ(p[0].end, 300);
  EXPECT_EQ(p[1].start, 500);
  EXPECT_EQ(p[1].end, calendar::kOpenEnded);
}

}  // namespace
}  // namespace sla::reporting
