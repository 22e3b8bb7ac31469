// Exact non-negative-denominator rationals on 128-bit integers: credit arithmetic stays exact
// until the one rounding at the end (fee × share × multiplier / E … never a float).
#pragma once

#include <cstdint>
#include <string>

#include "common/money/money.h"

namespace sla::core {

class Rational {
 public:
  Rational() = default;
  Rational(__int128 num, __int128 den = 1);  // den ≠ 0; normalised, den > 0

  __int128 num() const { return num_; }
  __int128 den() const { return den_; }
  bool is_zero() const { return num_ == 0; }

  friend Rational operator+(const Rational& a, const Rational& b);
  friend Rational operator-(const Rational& a, const Rational& b);
  friend Rational operator*(const Rational& a, const Rational& b);
  friend Rational operator/(const Rational& a, const Rational& b);  // b ≠ 0
  friend bool operator<(const Rational& a, const Rational& b);
  friend bool operator==(const Rational& a, const Rational& b) {
    return a.num_ == b.num_ && a.den_ == b.den_;
  }
  friend bool operator<=(const Rational& a, const Rational& b) { return !(b < a); }
  friend bool operator>(const Rational& a, const Rational& b) { return b < a; }

  // Rounded to an integer with `mode` (the one rounding of a credit).
  int64_t Round(money::Rounding mode) const;
  // Largest integer ≤ the value.
  __int128 Floor() const;
  // "123456.7" style, exact up to `digits` decimals then "…" if longer (for explanations).
  std::string ToDecimal(int digits = 6) const;

 private:
  __int128 num_ = 0;
  __int128 den_ = 1;
};

inline Rational Min(const Rational& a, const Rational& b) { return b < a ? b : a; }
inline Rational Max(const Rational& a, const Rational& b) { return a < b ? b : a; }

}  // namespace sla::core
