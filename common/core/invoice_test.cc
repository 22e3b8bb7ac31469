#include "common/core/invoice.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace sla::core {
namespace {

int64_t Local(int y, int mo, int d, const char* zone = "Asia/Bangkok") {
  absl::TimeZone tz;
  absl::LoadTimeZone(zone, &tz);
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(y, mo, d), tz));
}

sla::v1::Pricing Pricing() {
  sla::v1::Pricing p;
  p.mutable_monthly_fee()->set_currency_code("THB");
  p.mutable_monthly_fee()->set_amount_minor(3'100'000);  // 31,000.00
  auto* d = p.add_discounts();
  d->set_description("Loyalty discount 5 %");
  d->set_share_ppm(50'000);
  p.set_billing_time_zone("Asia/Bangkok");
  return p;
}

TEST(InvoiceTest, PeriodIsALocalCalendarMonth) {
  const PeriodBounds b = *Bounds({2026, 12}, "Asia/Bangkok");
  EXPECT_EQ(b.start, Local(2026, 12, 1));
  EXPECT_EQ(b.end, Local(2027, 1, 1));
  EXPECT_EQ(b.days, 31);
  EXPECT_EQ(Bounds({2027, 2}, "UTC")->days, 28);
  EXPECT_EQ(Bounds({2026, 13}, "UTC").status().code(), absl::StatusCode::kInvalidArgument);
  // 2026-11-30 18:00 UTC is already December in Bangkok.
  EXPECT_EQ(*PeriodOf(Local(2026, 12, 1) + 3600, "Asia/Bangkok"), (Period{2026, 12}));
  EXPECT_EQ(Next({2026, 12}), (Period{2027, 1}));
}

TEST(InvoiceTest, MidMonthStartIsProratedByDaysAndLinesSumToTheTotal) {
  const PeriodBounds b = *Bounds({2026, 12}, "Asia/Bangkok");
  const int days = *ActiveDays(b, "Asia/Bangkok", Local(2026, 12, 16), 0);
  EXPECT_EQ(days, 16);
  const InvoiceDraft inv =
      *BuildInvoice(Pricing(), b, days, {{"credit", "SLA credit November", 123'457, "r"}});
  // 3,100,000 × 16/31 = 1,600,000; 5 % off = 80,000; credit 123,457.
  ASSERT_EQ(inv.lines.size(), 3u);
  EXPECT_EQ(inv.lines[0].amount_minor, 1'600'000);
  EXPECT_EQ(inv.lines[1].amount_minor, -80'000);
  EXPECT_EQ(inv.lines[2].amount_minor, -123'457);
  EXPECT_EQ(inv.total_minor, 1'396'543);
  int64_t sum = 0;
  for (const auto& l : inv.lines) sum += l.amount_minor;
  EXPECT_EQ(sum, inv.total_minor);
}

TEST(InvoiceTest, ContractEndingMidMonthAndCreditsBeyondTheInvoiceCarry) {
  const PeriodBounds b = *Bounds({2026, 12}, "Asia/Bangkok");
  // In force until Dec 10 12:00 local: the 10th is a started day → 10 days.
  EXPECT_EQ(*ActiveDays(b, "Asia/Bangkok", 0, Local(2026, 12, 10) + 12 * 3600), 10);
  EXPECT_EQ(*ActiveDays(b, "Asia/Bangkok", Local(2027, 1, 5), 0), 0);
  const InvoiceDraft inv = *BuildInvoice(Pricing(), b, 1, {{"credit", "big", 200'000, "r"}});
  // 100,000 − 5,000 = 95,000 payable; 105,000 of credit carried.
  EXPECT_EQ(inv.total_minor, 0);
  EXPECT_EQ(inv.credit_carried_minor, 105'000);
}

}  // namespace
}  // namespace sla::core
