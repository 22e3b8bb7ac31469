#include "reporting-svc/domain/render.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla::reporting {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Report Sample() {
  v1::Report r;
  r.set_name("customers/acme/contracts/k1/reports/2026-12");
  r.set_revision(1);
  r.set_period("2026-12");
  auto* p = r.add_priorities();
  p->set_priority(sla::v1::PRIORITY_P1);
  p->set_ticket_count(7);
  p->set_response_met_ppm(428'571);
  p->set_response_met(3);
  p->set_response_decided(7);
  p->set_breach_count(4);
  p->set_response_target_text("First response within 15 minutes (around the clock)");
  auto* a = r.add_availability();
  a->set_service_id("email-hosting");
  a->set_target_ppm(999'000);
  a->set_actual_ppm(997'756);
  a->set_target_text("Availability of at least 99.9 % per month");
  for (int m = 1; m <= 12; ++m) {
    auto* t = r.add_trend();
    t->set_period(absl::StrCat("2026-", m < 10 ? "0" : "", m));
    t->set_response_met_ppm(900'000 + m * 5'000);
    t->set_resolution_met_ppm(800'000);
  }
  auto* b = r.add_breaches();
  b->set_ticket("customers/acme/tickets/t<1>");
  b->set_clock(sla::v1::CLOCK_FIRST_RESPONSE);
  return r;
}

TEST(RenderTest, HtmlIsSelfContainedWithChartsAndTheContractsWording) {
  const std::string html = RenderHtml(Sample());
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("First response within 15 minutes (around the clock)"));
  EXPECT_THAT(html, HasSubstr("42.8571 %"));
  EXPECT_THAT(html, HasSubstr("aria-label=\"Compliance trend\""));
  EXPECT_THAT(html, HasSubstr("aria-label=\"Availability against target\""));
  EXPECT_THAT(html, HasSubstr("aria-label=\"Breaches by priority\""));
  EXPECT_THAT(html, HasSubstr("t&lt;1&gt;"));  // escaped
  EXPECT_THAT(html, Not(HasSubstr("t<1>")));
  // Self-contained: nothing loaded from elsewhere.
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
}

TEST(RenderTest, CsvQuotesAndListsEveryFigure) {
  const std::string csv = RenderCsv(Sample());
  EXPECT_THAT(csv, HasSubstr("section,key,metric,value\n"));
  EXPECT_THAT(csv, HasSubstr("compliance,P1,response_met_ppm,428571\n"));
  EXPECT_THAT(csv, HasSubstr("availability,email-hosting,actual_ppm,997756\n"));
  EXPECT_THAT(csv, HasSubstr("trend,2026-12,response_met_ppm,960000\n"));
  EXPECT_THAT(
      csv,
      HasSubstr(
          "compliance,P1,response_target,First response within 15 minutes (around the clock)\n"));
}

TEST(RenderTest, JsonKeepsProtoFieldNames) {
  const std::string json = RenderJson(Sample());
  EXPECT_THAT(json, HasSubstr("\"response_met_ppm\": \"428571\""));
  EXPECT_THAT(json, HasSubstr("\"name\": \"customers/acme/contracts/k1/reports/2026-12\""));
}

TEST(RenderTest, DurationsReadAsMinutesOrHours) {
  EXPECT_EQ(DurationText(905), "15 min 05 s");
  EXPECT_EQ(DurationText(3 * 3600 + 5 * 60), "3 h 05 min");
}

}  // namespace
}  // namespace sla::reporting
