#include "common/core/rational.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace sla::core {
namespace {

__int128 Abs(__int128 v) { return v < 0 ? -v : v; }

__int128 Gcd(__int128 a, __int128 b) {
  a = Abs(a);
  b = Abs(b);
  while (b != 0) {
    const __int128 t = a % b;
    a = b;
    b = t;
  }
  return a == 0 ? 1 : a;
}

std::string ToString(__int128 v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  std::string digits;
  for (__int128 x = Abs(v); x > 0; x /= 10)
    digits.insert(digits.begin(), static_cast<char>('0' + x % 10));
  return neg ? "-" + digits : digits;
}

}  // namespace

Rational::Rational(__int128 num, __int128 den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const __int128 g = Gcd(num, den);
  num_ = num / g;
  den_ = den / g;
}

Rational operator+(const Rational& a, const Rational& b) {
  const __int128 g = Gcd(a.den_, b.den_);
  return Rational(a.num_ * (b.den_ / g) + b.num_ * (a.den_ / g), a.den_ / g * b.den_);
}
Rational operator-(const Rational& a, const Rational& b) { return a + Rational(-b.num_, b.den_); }
Rational operator*(const Rational& a, const Rational& b) {
  // Cross-reduce first to keep the products small.
  const __int128 g1 = Gcd(a.num_, b.den_), g2 = Gcd(b.num_, a.den_);
  return Rational((a.num_ / g1) * (b.num_ / g2), (a.den_ / g2) * (b.den_ / g1));
}
Rational operator/(const Rational& a, const Rational& b) { return a * Rational(b.den_, b.num_); }
bool operator<(const Rational& a, const Rational& b) { return a.num_ * b.den_ < b.num_ * a.den_; }

int64_t Rational::Round(money::Rounding mode) const {
  return static_cast<int64_t>(money::RoundedDivide(num_, den_, mode));
}

__int128 Rational::Floor() const {
  __int128 q = num_ / den_;
  if (num_ % den_ != 0 && num_ < 0) --q;
  return q;
}

std::string Rational::ToDecimal(int digits) const {
  if (num_ < 0) return "-" + Rational(-num_, den_).ToDecimal(digits);
  const __int128 whole = Floor();
  __int128 rest = num_ - whole * den_;
  std::string out = ToString(whole);
  if (rest == 0) return out;
  out += ".";
  for (int i = 0; i < digits && rest != 0; ++i) {
    rest *= 10;
    out += static_cast<char>('0' + rest / den_);
    rest %= den_;
  }
  if (rest != 0) out += "…";
  return out;
}

}  // namespace sla::core
