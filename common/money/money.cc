#include "common/money/money.h"

#include <algorithm>
#include <array>
#include <limits>

#include "absl/strings/str_cat.h"

namespace sla::money {
namespace {

struct CurrencyDigits {
  const char* code;
  int digits;
};

// Active ISO 4217 codes with a minor unit other than 2; every code in kTwoDigit has 2.
constexpr std::array<CurrencyDigits, 26> kOtherDigits = {{
    {"BHD", 3}, {"BIF", 0}, {"CLF", 4}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"IQD", 3},
    {"ISK", 0}, {"JOD", 3}, {"JPY", 0}, {"KMF", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3},
    {"OMR", 3}, {"PYG", 0}, {"RWF", 0}, {"TND", 3}, {"UGX", 0}, {"UYI", 0}, {"UYW", 4},
    {"VND", 0}, {"VUV", 0}, {"XAF", 0}, {"XOF", 0}, {"XPF", 0},
}};

constexpr std::array<const char*, 143> kTwoDigit = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR",
    "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK",
    "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB",
    "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN",
    "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD",
    "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
};

absl::StatusOr<Money> FromWide(const std::string& code, __int128 v) {
  if (v > std::numeric_limits<int64_t>::max() || v < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError(
        absl::StrCat("amount overflows 64 bits of ", code, " minor units"));
  }
  return Money::Create(code, static_cast<int64_t>(v));
}

absl::Status SameCurrency(const Money& a, const Money& b) {
  if (a.currency_code() != b.currency_code()) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency mismatch: ", a.currency_code(), " and ", b.currency_code()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> MinorUnitDigits(absl::string_view code) {
  for (const auto& c : kOtherDigits) {
    if (code == c.code) return c.digits;
  }
  if (std::find(kTwoDigit.begin(), kTwoDigit.end(), code) != kTwoDigit.end()) return 2;
  return absl::InvalidArgumentError(
      absl::StrCat("`", code, "` is not an active ISO 4217 currency code"));
}

__int128 RoundedDivide(__int128 numerator, __int128 denominator, Rounding mode) {
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const bool negative = numerator < 0;
  const __int128 abs_num = negative ? -numerator : numerator;
  __int128 q = abs_num / denominator;
  const __int128 r = abs_num % denominator;
  const __int128 twice_r = 2 * r;
  if (twice_r > denominator ||
      (twice_r == denominator && (mode == Rounding::kHalfUp || (q % 2) == 1))) {
    ++q;
  }
  return negative ? -q : q;
}

absl::StatusOr<Money> Money::Create(absl::string_view currency_code, int64_t amount_minor) {
  absl::StatusOr<int> digits = MinorUnitDigits(currency_code);
  if (!digits.ok()) return digits.status();
  return Money(std::string(currency_code), amount_minor);
}

absl::StatusOr<Money> Add(const Money& a, const Money& b) {
  if (absl::Status s = SameCurrency(a, b); !s.ok()) return s;
  return FromWide(a.currency_code(), static_cast<__int128>(a.amount_minor()) + b.amount_minor());
}

absl::StatusOr<Money> Subtract(const Money& a, const Money& b) {
  if (absl::Status s = SameCurrency(a, b); !s.ok()) return s;
  return FromWide(a.currency_code(), static_cast<__int128>(a.amount_minor()) - b.amount_minor());
}

absl::StatusOr<Money> ApplyRatio(const Money& m, int64_t numerator, int64_t denominator,
                                 Rounding mode) {
  if (denominator <= 0) return absl::InvalidArgumentError("ratio denominator must be positive");
  return FromWide(
      m.currency_code(),
      RoundedDivide(static_cast<__int128>(m.amount_minor()) * numerator, denominator, mode));
}

absl::StatusOr<Money> ApplyPpm(const Money& m, int64_t ppm, Rounding mode) {
  return ApplyRatio(m, ppm, 1'000'000, mode);
}

std::string Format(const Money& m) {
  const int digits = MinorUnitDigits(m.currency_code()).value_or(2);
  int64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const bool negative = m.amount_minor() < 0;
  // Magnitude in unsigned so that INT64_MIN formats too.
  const uint64_t mag = negative ? 0 - static_cast<uint64_t>(m.amount_minor())
                                : static_cast<uint64_t>(m.amount_minor());
  std::string whole = absl::StrCat(mag / static_cast<uint64_t>(scale));
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, grouped);
  if (digits > 0) {
    std::string frac = absl::StrCat(mag % static_cast<uint64_t>(scale));
    out += "." + std::string(digits - frac.size(), '0') + frac;
  }
  absl::StrAppend(&out, " ", m.currency_code());
  return out;
}

}  // namespace sla::money
