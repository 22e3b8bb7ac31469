#include "contract-svc/domain/agreement.h"

#include "absl/strings/match.h"
#include "common/test_util/example_terms.h"
#include "gtest/gtest.h"

namespace sla::contract {
namespace {

sla::v1::SlaTerms ExampleWithCalendars() {
  sla::v1::SlaTerms t = test::ExampleTerms();
  auto* office = t.add_calendars();
  office->set_name("calendars/bangkok-office");
  office->set_display_name("Bangkok office");
  office->set_time_zone("Asia/Bangkok");
  auto* w = office->add_weekly_intervals();
  w->set_day(sla::v1::MONDAY);
  w->set_start_minute(540);
  w->set_end_minute(1020);
  auto* always = t.add_calendars();
  always->set_name("calendars/always-on");
  always->set_display_name("Always on");
  always->set_time_zone("Asia/Bangkok");
  always->set_always_open(true);
  return t;
}

const AgreementInfo kInfo{"Managed IT services 2027", "customers/c/contracts/k", "Acme Co., Ltd.",
                          1, absl::FromUnixSeconds(1'796'059'200)};

TEST(AgreementTest, SectionsFollowTheArticlesOrder) {
  const std::string md = RenderMarkdown(BuildAgreement(kInfo, ExampleWithCalendars()));
  size_t pos = 0;
  for (const char* h :
       {"# Managed IT services 2027", "## 1. Services in scope", "## 2. Performance and KPIs",
        "## 3. Problem management and root-cause analysis", "## 4. Responsibilities",
        "## 5. Escalation", "## 6. Reporting", "## 7. Response and resolution",
        "## 8. Availability", "## 9. Scalability", "## 10. Termination",
        "## 11. Pricing and billing", "## 12. Service level targets and security"}) {
    const size_t at = md.find(h, pos);
    ASSERT_NE(at, std::string::npos) << "missing or out of order: " << h << "\n" << md;
    pos = at;
  }
}

TEST(AgreementTest, NumbersCarryTheirUnits) {
  const std::string md = RenderMarkdown(BuildAgreement(kInfo, ExampleWithCalendars()));
  for (const char* s : {
           "| email-hosting | 99.9 % | 43 min 12 s | 8 h 45 min 36 s |",  // allowed downtime
           "15 minutes (around the clock)",                               // P1 first response
           "1 hour of business time (Bangkok office)",                    // P2 first response
           "Monthly fee: 123,456.00 THB",
           "Bangkok office: Mon 09:00–17:00 (Asia/Bangkok)",  // hours in the calendar's zone
           "P1 first response target missed: 2 % of the monthly fee per occurrence, at most 10 % "
           "of the fee a month",
           "email-hosting availability ≥ 99 % and \\< 99.9 %: 10 % of the service's fee",
           "Disaster recovery: RPO 24 hours, RTO 8 hours, tested every 12 months",
           "Either party may terminate with 90 days' notice, after a minimum term of 12 months.",
       }) {
    EXPECT_TRUE(absl::StrContains(md, s)) << "missing: " << s << "\n" << md;
  }
}

TEST(AgreementTest, HtmlIsSelfContainedAndEscaped) {
  sla::v1::SlaTerms t = ExampleWithCalendars();
  t.mutable_services(0)->set_description("<script>alert('x')</script> & more");
  const std::string html = RenderHtml(BuildAgreement(kInfo, t));
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  EXPECT_TRUE(
      absl::StrContains(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
  EXPECT_FALSE(absl::StrContains(html, "<script>"));
  // Self-contained: nothing is loaded from elsewhere.
  for (const char* ref : {"src=", "href=", "<link", "@import"})
    EXPECT_FALSE(absl::StrContains(html, ref)) << ref;
  EXPECT_TRUE(absl::StrContains(html, "<th>Allowed downtime per 30-day month</th>"));
  const std::string md = RenderMarkdown(BuildAgreement(kInfo, t));
  EXPECT_TRUE(absl::StrContains(md, "\\<script\\>"));
}

TEST(AgreementTest, DraftsSaySoAndFormattersAreExact) {
  AgreementInfo draft = kInfo;
  draft.version = 0;
  EXPECT_TRUE(absl::StrContains(RenderMarkdown(BuildAgreement(draft, ExampleWithCalendars())),
                                "Status: draft — not in force."));
  EXPECT_EQ(FormatPpmPercent(999000), "99.9 %");
  EXPECT_EQ(FormatPpmPercent(999990), "99.999 %");
  EXPECT_EQ(FormatPpmPercent(1000000), "100 %");
  EXPECT_EQ(FormatPpmPercent(25), "0.0025 %");
  EXPECT_EQ(FormatTarget(900), "15 minutes");
  EXPECT_EQ(FormatTarget(5400), "1 hour 30 minutes");
  EXPECT_EQ(FormatTarget(86400), "24 hours");
  EXPECT_EQ(FormatTarget(61), "1 minute 1 second");
}

}  // namespace
}  // namespace sla::contract
