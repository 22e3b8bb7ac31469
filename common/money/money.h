// Money: an exact integer amount in a currency's minor unit plus its ISO 4217 code.
//
// All arithmetic is exact; the only rounding is where a rate (a percentage, a share in ppm, a
// ratio) is applied, and it is stated: half-up (half away from zero) by default, half-even on
// request. Overflow and currency mismatch are errors, never silent.
//
//   SLA_ASSIGN_OR_RETURN(Money fee, Money::Create("THB", 500000));       // 5,000.00 THB
//   SLA_ASSIGN_OR_RETURN(Money credit, ApplyPpm(fee, 20000, Rounding::kHalfUp));  // 2 %
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla::money {

// The largest amount (in minor units, either sign) any term, fee, credit or document may hold:
// 10^15, ten trillion baht. Far above any real contract, and small enough that sums of the
// bounded numbers of lines, services and periods an invoice or a credit adds up stay far from
// int64's limit, so totals never overflow silently.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;

// How an exact rational result is rounded to an integer count of minor units.
enum class Rounding {
  kHalfUp,    // half away from zero: 2.5 → 3, -2.5 → -3
  kHalfEven,  // half to even: 2.5 → 2, 3.5 → 4
};

// Number of minor-unit digits of an active ISO 4217 currency (THB 2, JPY 0, BHD 3), or
// INVALID_ARGUMENT for an unknown or malformed code.
absl::StatusOr<int> MinorUnitDigits(absl::string_view currency_code);

// Rounds numerator/denominator (denominator != 0) to an integer with `mode`. Exact for every
// 128-bit input; the caller checks that the result fits where it goes.
__int128 RoundedDivide(__int128 numerator, __int128 denominator, Rounding mode);

class Money {
 public:
  // A validated amount: INVALID_ARGUMENT if the code is not an active ISO 4217 currency.
  static absl::StatusOr<Money> Create(absl::string_view currency_code, int64_t amount_minor);

  const std::string& currency_code() const { return currency_code_; }
  int64_t amount_minor() const { return amount_minor_; }

  friend bool operator==(const Money& a, const Money& b) = default;

 private:
  Money(std::string code, int64_t amount)
      : currency_code_(std::move(code)), amount_minor_(amount) {}
  std::string currency_code_;
  int64_t amount_minor_ = 0;
};

// a + b. INVALID_ARGUMENT on currency mismatch, OUT_OF_RANGE on overflow.
absl::StatusOr<Money> Add(const Money& a, const Money& b);
// a − b. INVALID_ARGUMENT on currency mismatch, OUT_OF_RANGE on overflow.
absl::StatusOr<Money> Subtract(const Money& a, const Money& b);
// m × numerator / denominator, rounded once with `mode`. INVALID_ARGUMENT if the denominator
// is not positive, OUT_OF_RANGE if the result does not fit.
absl::StatusOr<Money> ApplyRatio(const Money& m, int64_t numerator, int64_t denominator,
                                 Rounding mode);
// m × ppm / 1,000,000 (a share in parts per million: 2 % = 20,000), rounded once.
absl::StatusOr<Money> ApplyPpm(const Money& m, int64_t ppm, Rounding mode);

// "1,234.56 THB": for documents and logs, with the currency's minor digits.
std::string Format(const Money& m);

}  // namespace sla::money
