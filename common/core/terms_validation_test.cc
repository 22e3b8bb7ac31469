#include "common/core/terms_validation.h"

#include "common/status/errors.h"
#include "common/test_util/example_terms.h"
#include "gtest/gtest.h"

namespace sla::core {
namespace {

using sla::v1::SlaTerms;

// docs/examples/acme-managed-it-terms.json: the example shipped to clients.
SlaTerms Example() { return test::ExampleTerms(); }

bool KnownCalendar(absl::string_view name) {
  return name == "calendars/bangkok-office" || name == "calendars/always-on";
}

TEST(TermsValidationTest, ShippedExampleIsValid) {
  const SlaTerms terms = Example();
  ASSERT_EQ(terms.services_size(), 2);
  const absl::Status s = ValidateTerms(terms, KnownCalendar);
  EXPECT_TRUE(s.ok()) << s;
}

struct Case {
  const char* name;
  std::function<void(SlaTerms&)> mutate;
  const char* path;
};

class TermsRuleTest : public ::testing::TestWithParam<Case> {};

TEST_P(TermsRuleTest, RejectsWithFieldPath) {
  SlaTerms terms = Example();
  GetParam().mutate(terms);
  const absl::Status s = ValidateTerms(terms, KnownCalendar);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(InvalidFieldPath(s), GetParam().path) << s;
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, TermsRuleTest,
    ::testing::Values(
        // Amounts are bounded: sums of them never overflow.
        Case{"FeeBounded",
             [](SlaTerms& m) {
               m.mutable_pricing()->mutable_monthly_fee()->set_amount_minor(
                   9'000'000'000'000'000'000);
             },
             "terms.pricing.monthly_fee.amount_minor"},
        // Targets positive.
        Case{"TargetPositive",
             [](SlaTerms& m) {
               m.mutable_priority_targets(1)->mutable_resolution()->set_target_seconds(0);
             },
             "terms.priority_targets[1].resolution.target_seconds"},
        Case{"TargetAtMostAYear",
             [](SlaTerms& m) {
               m.mutable_priority_targets(0)->mutable_first_response()->set_target_seconds(400LL *
                                                                                           86400);
             },
             "terms.priority_targets[0].first_response.target_seconds"},
        // Response ≤ resolution per priority.
        Case{"ResolutionNotShorterThanResponse",
             [](SlaTerms& m) {
               m.mutable_priority_targets(2)->mutable_resolution()->set_target_seconds(3600);
             },
             "terms.priority_targets[2].resolution.target_seconds"},
        // Every priority in use has targets and a calendar.
        Case{"ResolutionRequired",
             [](SlaTerms& m) { m.mutable_priority_targets(2)->clear_resolution(); },
             "terms.priority_targets[2].resolution"},
        Case{"BusinessTargetNeedsCalendar",
             [](SlaTerms& m) {
               m.mutable_priority_targets(1)->mutable_first_response()->clear_calendar();
             },
             "terms.priority_targets[1].first_response.calendar"},
        Case{"CalendarMustExist",
             [](SlaTerms& m) {
               m.mutable_priority_targets(1)->mutable_first_response()->set_calendar(
                   "calendars/nowhere");
             },
             "terms.priority_targets[1].first_response.calendar"},
        Case{"BasisRequired",
             [](SlaTerms& m) {
               m.mutable_priority_targets(0)->mutable_resolution()->set_basis(
                   sla::v1::TIME_BASIS_UNSPECIFIED);
             },
             "terms.priority_targets[0].resolution.basis"},
        Case{"PriorityOnce",
             [](SlaTerms& m) { m.mutable_priority_targets(2)->set_priority(sla::v1::PRIORITY_P1); },
             "terms.priority_targets[2].priority"},
        Case{"AtLeastOnePriority",
             [](SlaTerms& m) {
               m.clear_priority_targets();
               m.clear_escalation();
             },
             "terms.priority_targets"},
        Case{"CreditRuleForUnknownPriority",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()->mutable_per_event_rules(0)->set_priority(
                   sla::v1::PRIORITY_P5);
             },
             "terms.credit_schedule.per_event_rules[0].priority"},
        // Escalation thresholds strictly increasing, within (0, 100 %].
        Case{"ThresholdsIncrease",
             [](SlaTerms& m) {
               m.mutable_escalation()->mutable_levels(1)->set_threshold_ppm(500000);
             },
             "terms.escalation.levels[1].threshold_ppm"},
        Case{"ThresholdAtMostWholeTarget",
             [](SlaTerms& m) {
               m.mutable_escalation()->mutable_levels(2)->set_threshold_ppm(1000001);
             },
             "terms.escalation.levels[2].threshold_ppm"},
        Case{"ThresholdPositive",
             [](SlaTerms& m) { m.mutable_escalation()->mutable_levels(0)->set_threshold_ppm(0); },
             "terms.escalation.levels[0].threshold_ppm"},
        Case{"LevelsNumberedInOrder",
             [](SlaTerms& m) { m.mutable_escalation()->mutable_levels(1)->set_level(5); },
             "terms.escalation.levels[1].level"},
        Case{"LevelNotifiesSomeone",
             [](SlaTerms& m) { m.mutable_escalation()->mutable_levels(0)->clear_notify(); },
             "terms.escalation.levels[0].notify"},
        // Availability within (0, 100 %) as integer ppm.
        Case{"AvailabilityBelowHundred",
             [](SlaTerms& m) { m.mutable_availability_targets(0)->set_target_ppm(1000000); },
             "terms.availability_targets[0].target_ppm"},
        Case{"AvailabilityPositive",
             [](SlaTerms& m) { m.mutable_availability_targets(0)->set_target_ppm(0); },
             "terms.availability_targets[0].target_ppm"},
        Case{"AvailabilityForKnownService",
             [](SlaTerms& m) { m.mutable_availability_targets(0)->set_service_id("dns"); },
             "terms.availability_targets[0].service_id"},
        Case{"MaintenanceWindowLength",
             [](SlaTerms& m) {
               m.mutable_availability_targets(0)
                   ->mutable_maintenance_windows(0)
                   ->set_duration_minutes(0);
             },
             "terms.availability_targets[0].maintenance_windows[0].duration_minutes"},
        // Credit tiers monotonic and non-overlapping.
        Case{"BandsDoNotOverlap",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()
                   ->mutable_availability_rules(0)
                   ->mutable_bands(1)
                   ->mutable_upper()
                   ->set_ppm(995000);
             },
             "terms.credit_schedule.availability_rules[0].bands[1]"},
        Case{"LowerAvailabilityNeverEarnsLess",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()
                   ->mutable_availability_rules(0)
                   ->mutable_bands(1)
                   ->set_credit_ppm(50000);
             },
             "terms.credit_schedule.availability_rules[0].bands[0].credit_ppm"},
        Case{"BandNotEmpty",
             [](SlaTerms& m) {
               auto* b =
                   m.mutable_credit_schedule()->mutable_availability_rules(0)->mutable_bands(0);
               b->mutable_upper()->set_ppm(990000);
             },
             "terms.credit_schedule.availability_rules[0].bands[0]"},
        Case{"RuleIdsUnique",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()->mutable_per_event_rules(1)->set_rule_id("p1-response");
             },
             "terms.credit_schedule.per_event_rules[1].rule_id"},
        Case{"RuleNeedsAnAmount",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()->mutable_per_event_rules(0)->clear_fee_share_ppm();
             },
             "terms.credit_schedule.per_event_rules[0]"},
        // Cap within [0, 100 %].
        Case{"CapAtMostWholeFee",
             [](SlaTerms& m) { m.mutable_credit_schedule()->set_period_cap_ppm(1000001); },
             "terms.credit_schedule.period_cap_ppm"},
        Case{"RuleCapAtMostWholeFee",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()->mutable_per_event_rules(0)->set_rule_cap_ppm(-1);
             },
             "terms.credit_schedule.per_event_rules[0].rule_cap_ppm"},
        Case{"ChronicBreachKWithinM",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()->mutable_chronic_breach()->set_breached_periods(7);
             },
             "terms.credit_schedule.chronic_breach.breached_periods"},
        Case{"PoolAllocationsSumToPool",
             [](SlaTerms& m) {
               auto* pool = m.mutable_credit_schedule()->mutable_at_risk_pool();
               pool->set_at_risk_ppm(120000);
               auto* a = pool->add_allocations();
               a->set_rule_id("p1-response");
               a->set_allocation_ppm(600000);
               auto* b = pool->add_allocations();
               b->set_rule_id("email-availability");
               b->set_allocation_ppm(500000);
             },
             "terms.credit_schedule.at_risk_pool.allocations[1].allocation_ppm"},
        // ISO 4217 currency, one currency per contract.
        Case{"CurrencyIsIso4217",
             [](SlaTerms& m) {
               m.mutable_pricing()->mutable_monthly_fee()->set_currency_code("BAHT");
             },
             "terms.pricing.monthly_fee.currency_code"},
        Case{"OneCurrencyPerContract",
             [](SlaTerms& m) {
               m.mutable_credit_schedule()
                   ->mutable_per_event_rules(1)
                   ->mutable_fixed_amount()
                   ->set_currency_code("USD");
             },
             "terms.credit_schedule.per_event_rules[1].fixed_amount.currency_code"},
        Case{
            "ServiceFeesWithinMonthlyFee",
            [](SlaTerms& m) {
              m.mutable_pricing()->mutable_service_fees(1)->mutable_monthly_fee()->set_amount_minor(
                  9999999);
            },
            "terms.pricing.service_fees[1].monthly_fee"},
        Case{"BillingZoneIsIana",
             [](SlaTerms& m) { m.mutable_pricing()->set_billing_time_zone("ICT"); },
             "terms.pricing.billing_time_zone"},
        Case{"PricingRequired", [](SlaTerms& m) { m.clear_pricing(); }, "terms.pricing"},
        // Services, identifiers, sizes.
        Case{"AtLeastOneService",
             [](SlaTerms& m) {
               m.clear_services();
               m.mutable_pricing()->clear_service_fees();
             },
             "terms.services"},
        Case{"ServiceIdsUnique",
             [](SlaTerms& m) { m.mutable_services(1)->set_service_id("service-desk"); },
             "terms.services[1].service_id"},
        Case{"ServiceIdShape",
             [](SlaTerms& m) { m.mutable_services(0)->set_service_id("Service Desk"); },
             "terms.services[0].service_id"},
        Case{"DescriptionBounded",
             [](SlaTerms& m) { m.mutable_services(0)->set_description(std::string(4001, 'x')); },
             "terms.services[0].description"},
        Case{"ListBounded",
             [](SlaTerms& m) {
               for (int i = 0; i < 101; ++i) m.mutable_services(0)->add_exclusions("x");
             },
             "terms.services[0].exclusions"},
        Case{"ListItemsNotBlank",
             [](SlaTerms& m) { m.mutable_services(0)->set_exclusions(0, "   "); },
             "terms.services[0].exclusions[0]"},
        Case{"LimitPositive",
             [](SlaTerms& m) { m.mutable_services(0)->mutable_limits(0)->set_quantity(0); },
             "terms.services[0].limits[0].quantity"},
        Case{"ContactNeedsChannel",
             [](SlaTerms& m) {
               m.mutable_responsibilities()->mutable_issue_reporting(0)->clear_channel();
             },
             "terms.responsibilities.issue_reporting[0].channel"},
        Case{"ExclusionKindRequired", [](SlaTerms& m) { m.mutable_exclusions(1)->clear_kind(); },
             "terms.exclusions[1].kind"},
        Case{"ReviewDateValid", [](SlaTerms& m) { m.mutable_review_date()->set_month(13); },
             "terms.review_date"},
        Case{"BackupIntervalPositive",
             [](SlaTerms& m) { m.mutable_security()->mutable_backup()->set_interval_hours(0); },
             "terms.security.backup.interval_hours"},
        Case{"NoticeBounded", [](SlaTerms& m) { m.mutable_termination()->set_notice_days(-1); },
             "terms.termination.notice_days"}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace sla::core
