#include "common/money/money.h"

#include <limits>

#include "gtest/gtest.h"

namespace sla::money {
namespace {

Money M(const char* code, int64_t amount) { return *Money::Create(code, amount); }

TEST(MoneyTest, CurrencyDigitsFollowIso4217) {
  EXPECT_EQ(*MinorUnitDigits("THB"), 2);
  EXPECT_EQ(*MinorUnitDigits("JPY"), 0);
  EXPECT_EQ(*MinorUnitDigits("BHD"), 3);
  EXPECT_EQ(MinorUnitDigits("thb").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MinorUnitDigits("XYZ").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Money::Create("", 1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, AddAndSubtractCheckCurrencyAndOverflow) {
  EXPECT_EQ(*Add(M("THB", 150), M("THB", 250)), M("THB", 400));
  EXPECT_EQ(*Subtract(M("THB", 150), M("THB", 250)), M("THB", -100));
  EXPECT_EQ(Add(M("THB", 1), M("USD", 1)).status().code(), absl::StatusCode::kInvalidArgument);
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Add(M("USD", max), M("USD", 1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Subtract(M("USD", -max), M("USD", 2)).status().code(), absl::StatusCode::kOutOfRange);
}

// The billing issue's test vectors: a 10 % band credit on two fees.
TEST(MoneyTest, PercentRoundsHalfUpOrHalfEvenAsStated) {
  EXPECT_EQ(ApplyPpm(M("THB", 1234567), 100000, Rounding::kHalfUp)->amount_minor(), 123457);
  EXPECT_EQ(ApplyPpm(M("THB", 1234565), 100000, Rounding::kHalfUp)->amount_minor(), 123457);
  EXPECT_EQ(ApplyPpm(M("THB", 1234565), 100000, Rounding::kHalfEven)->amount_minor(), 123456);
  EXPECT_EQ(ApplyPpm(M("THB", 1234575), 100000, Rounding::kHalfEven)->amount_minor(), 123458);
  // 2 % of 5,000.00 is exactly 100.00.
  EXPECT_EQ(ApplyPpm(M("THB", 500000), 20000, Rounding::kHalfUp)->amount_minor(), 10000);
}

TEST(MoneyTest, NegativeAmountsRoundAwayFromZeroOnHalf) {
  EXPECT_EQ(RoundedDivide(-5, 2, Rounding::kHalfUp), -3);
  EXPECT_EQ(RoundedDivide(-5, 2, Rounding::kHalfEven), -2);
  EXPECT_EQ(RoundedDivide(5, -2, Rounding::kHalfUp), -3);
  EXPECT_EQ(RoundedDivide(-4, 3, Rounding::kHalfUp), -1);
  EXPECT_EQ(RoundedDivide(7, 3, Rounding::kHalfUp), 2);
  EXPECT_EQ(RoundedDivide(0, 3, Rounding::kHalfEven), 0);
}

TEST(MoneyTest, RatioIsExactBeyond64BitIntermediates) {
  const int64_t big = 9'000'000'000'000'000'000;  // 9e18: ×3 would overflow int64.
  EXPECT_EQ(ApplyRatio(M("USD", big), 3, 3, Rounding::kHalfUp)->amount_minor(), big);
  EXPECT_EQ(ApplyRatio(M("USD", big), 2, 1, Rounding::kHalfUp).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ApplyRatio(M("USD", 1), 1, 0, Rounding::kHalfUp).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, FormatUsesMinorDigitsAndGrouping) {
  EXPECT_EQ(Format(M("THB", 123456)), "1,234.56 THB");
  EXPECT_EQ(Format(M("JPY", 1234567)), "1,234,567 JPY");
  EXPECT_EQ(Format(M("BHD", -1005)), "-1.005 BHD");
  EXPECT_EQ(Format(M("USD", 5)), "0.05 USD");
  EXPECT_EQ(Format(M("USD", std::numeric_limits<int64_t>::min())),
            "-92,233,720,368,547,758.08 USD");
}

}  // namespace
}  // namespace sla::money
