#include "common/core/credits.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::core {
namespace {

constexpr int64_t kMillion = 1'000'000;

std::string Pct(int64_t ppm) { return absl::StrCat(Rational(ppm, 10'000).ToDecimal(4), " %"); }
std::string Amount(const Rational& r) { return r.ToDecimal(6); }

// Scales the lines `idx` down to `cap` in proportion when their sum exceeds it.
void ApplyCap(std::vector<CreditLine>& lines, const std::vector<size_t>& idx, const Rational& cap,
              const std::string& what, std::vector<std::string>& notes) {
  Rational sum;
  for (size_t i : idx) sum = sum + lines[i].capped;
  if (sum <= cap || sum.is_zero()) return;
  const Rational factor = cap / sum;
  for (size_t i : idx) {
    const Rational before = lines[i].capped;
    lines[i].capped = before * factor;
    lines[i].explanation.push_back(absl::StrCat(
        what, " binds: ", Amount(before), " × ", Amount(cap), " / ", Amount(sum), " = ",
        Amount(lines[i].capped), " (cut ", Amount(before - lines[i].capped), ")"));
  }
  notes.push_back(absl::StrCat(what, " ", Amount(cap), " cut ", Amount(sum - cap)));
}

}  // namespace

std::vector<int64_t> LargestRemainder(const std::vector<Rational>& parts, int64_t total) {
  std::vector<int64_t> out(parts.size(), 0);
  if (parts.empty()) return out;
  Rational sum;
  for (const Rational& p : parts) sum = sum + p;
  if (sum.is_zero()) return out;
  // Shares of `total` in proportion to the parts, floored; the units left go to the largest
  // remainders.
  std::vector<std::pair<Rational, size_t>> remainders;
  int64_t given = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Rational share = parts[i] * Rational(total) / sum;
    out[i] = static_cast<int64_t>(share.Floor());
    given += out[i];
    remainders.push_back({share - Rational(out[i]), i});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return b.first < a.first; });
  for (size_t k = 0; given < total && k < remainders.size(); ++k, ++given)
    out[remainders[k].second]++;
  return out;
}

bool ChronicBreachAccrued(const std::vector<bool>& breached,
                          const sla::v1::ChronicBreachRule& rule) {
  if (rule.breached_periods() <= 0 || rule.window_periods() <= 0) return false;
  const size_t window = std::min(breached.size(), static_cast<size_t>(rule.window_periods()));
  const int count = static_cast<int>(std::count(breached.end() - window, breached.end(), true));
  return count >= rule.breached_periods();
}

namespace {

// One period's credits, step by step: the rules missed (each a line, from the at-risk pool
// when the rule has an allocation), then the caps, then the one rounding.
class CreditComputation {
 public:
  explicit CreditComputation(const CreditInput& in)
      : in_(in), cs_(in.terms->credit_schedule()), fee_(in.fee.minor) {
    r_.currency = in.fee.currency;
  }

  absl::StatusOr<CreditResult> Run() {
    SLA_RETURN_IF_ERROR(AllocatePool());
    for (const auto& rule : cs_.per_event_rules()) SLA_RETURN_IF_ERROR(PerEvent(rule));
    for (const auto& rule : cs_.availability_rules()) SLA_RETURN_IF_ERROR(Bands(rule));
    for (const auto& rule : cs_.linear_shortfall_rules()) SLA_RETURN_IF_ERROR(Shortfall(rule));
    Caps();
    SLA_RETURN_IF_ERROR(Round());
    return std::move(r_);
  }

 private:
  // Pool allocations by rule (a rule with one earns its share of the at-risk amount).
  absl::Status AllocatePool() {
    int64_t allocated = 0;
    for (const auto& a : cs_.at_risk_pool().allocations()) {
      allocation_[a.rule_id()] = a.allocation_ppm();
      allocated += a.allocation_ppm();
    }
    if (allocated > kMillion) {
      return InvalidField("terms.credit_schedule.at_risk_pool.allocations",
                          "sum to more than 100 %");
    }
    pool_ = fee_ * Rational(cs_.at_risk_pool().at_risk_ppm(), kMillion);
    return absl::OkStatus();
  }

  absl::StatusOr<Rational> BaseFor(const std::string& service) const {
    auto it = in_.service_fees.find(service);
    if (it == in_.service_fees.end()) return fee_;
    if (it->second.currency != r_.currency) {
      return InvalidField("terms.pricing.service_fees", "currency differs from the monthly fee");
    }
    return it->second.minor;
  }

  const Availability* AvailabilityOf(const std::string& service) const {
    for (const auto& a : in_.availability) {
      if (a.service_id == service) return &a.availability;
    }
    return nullptr;
  }

  int64_t TargetOf(const std::string& service) const {
    for (const auto& t : in_.terms->availability_targets()) {
      if (t.service_id() == service) return t.target_ppm();
    }
    return 0;
  }

  // A rule missed this period: its line, from the pool if it has an allocation.
  void Add(const std::string& rule_id, const std::string& kind, const std::string& service,
           Rational own, std::vector<std::string> why) {
    r_.missed_rules.push_back(rule_id);
    CreditLine line{rule_id, kind, service, own, own, 0, std::move(why)};
    if (auto it = allocation_.find(rule_id); it != allocation_.end()) {
      line.kind = "at_risk";
      line.exact = line.capped = pool_ * Rational(it->second, kMillion);
      line.explanation.push_back(absl::StrCat(
          "at-risk pool ", Pct(cs_.at_risk_pool().at_risk_ppm()), " of ", Amount(fee_), " = ",
          Amount(pool_), "; allocation ", Pct(it->second), " → ", Amount(line.exact)));
    }
    if (!line.exact.is_zero()) r_.lines.push_back(std::move(line));
  }

  absl::Status PerEvent(const sla::v1::PerEventCreditRule& rule) {
    std::vector<std::string> tickets;
    for (const BreachFact& b : in_.breaches) {
      if (b.clock == rule.clock() &&
          (rule.priority() == sla::v1::PRIORITY_UNSPECIFIED || b.priority == rule.priority())) {
        tickets.push_back(b.ticket);
      }
    }
    const int64_t n = static_cast<int64_t>(tickets.size());
    const int64_t billable = std::max<int64_t>(0, n - rule.free_occurrences());
    if (billable == 0) return absl::OkStatus();
    std::vector<std::string> why{absl::StrCat(sla::v1::ClockKind_Name(rule.clock()), " missed ", n,
                                              " time(s) (", rule.free_occurrences(),
                                              " free): ", absl::StrJoin(tickets, ", "))};
    Rational each;
    if (rule.has_fixed_amount()) {
      if (rule.fixed_amount().currency_code() != r_.currency) {
        return InvalidField(
            absl::StrCat("terms.credit_schedule.per_event_rules[", rule.rule_id(), "]"),
            "currency differs from the monthly fee");
      }
      each = Rational(rule.fixed_amount().amount_minor());
      why.push_back(
          absl::StrCat(billable, " × ", Amount(each), " = ", Amount(each * Rational(billable))));
    } else {
      each = fee_ * Rational(rule.fee_share_ppm(), kMillion);
      why.push_back(absl::StrCat(billable, " × ", Pct(rule.fee_share_ppm()), " of ", Amount(fee_),
                                 " = ", Amount(each * Rational(billable))));
    }
    Rational amount = each * Rational(billable);
    if (rule.rule_cap_ppm() > 0) {
      const Rational cap = fee_ * Rational(rule.rule_cap_ppm(), kMillion);
      if (cap < amount) {
        why.push_back(absl::StrCat("rule cap ", Pct(rule.rule_cap_ppm()), " of ", Amount(fee_),
                                   " = ", Amount(cap), " binds (cut ", Amount(amount - cap), ")"));
        r_.notes.push_back(
            absl::StrCat("rule ", rule.rule_id(), " cap cut ", Amount(amount - cap)));
        amount = cap;
      }
    }
    Add(rule.rule_id(), "per_event", "", amount, std::move(why));
    return absl::OkStatus();
  }

  absl::Status Bands(const sla::v1::AvailabilityCreditRule& rule) {
    const Availability* a = AvailabilityOf(rule.service_id());
    if (a == nullptr) return absl::OkStatus();
    int band = -1;
    const int64_t ppm = BandCreditPpm(*a, rule.bands(), &band);
    if (ppm == 0) return absl::OkStatus();
    SLA_ASSIGN_OR_RETURN(const Rational base, BaseFor(rule.service_id()));
    std::vector<std::string> why = a->steps;
    why.push_back(absl::StrCat("band ", band, " credits ", Pct(ppm), " of ", Amount(base), " = ",
                               Amount(base * Rational(ppm, kMillion))));
    Add(rule.rule_id(), "availability", rule.service_id(), base * Rational(ppm, kMillion),
        std::move(why));
    return absl::OkStatus();
  }

  absl::Status Shortfall(const sla::v1::LinearShortfallRule& rule) {
    const Availability* a = AvailabilityOf(rule.service_id());
    const int64_t target = TargetOf(rule.service_id());
    if (a == nullptr || target == 0 || a->Meets(target)) return absl::OkStatus();
    SLA_ASSIGN_OR_RETURN(const Rational base, BaseFor(rule.service_id()));
    const Rational shortfall = Rational(target, kMillion) - a->ratio();
    Rational share = shortfall * Rational(rule.multiplier_permille(), 1000);
    std::vector<std::string> why = a->steps;
    why.push_back(absl::StrCat("shortfall ", (shortfall * Rational(100)).ToDecimal(6), " % × ",
                               Rational(rule.multiplier_permille(), 1000).ToDecimal(3), " = ",
                               (share * Rational(100)).ToDecimal(6), " %"));
    if (rule.max_credit_ppm() > 0 && Rational(rule.max_credit_ppm(), kMillion) < share) {
      share = Rational(rule.max_credit_ppm(), kMillion);
      why.push_back(absl::StrCat("clamped to ", Pct(rule.max_credit_ppm())));
    }
    why.push_back(absl::StrCat("× ", Amount(base), " = ", Amount(base * share)));
    Add(rule.rule_id(), "linear_shortfall", rule.service_id(), base * share, std::move(why));
    return absl::OkStatus();
  }

  // Caps, in order: per service (at most that service's fee), then per contract and period.
  void Caps() {
    std::map<std::string, std::vector<size_t>> by_service;
    for (size_t i = 0; i < r_.lines.size(); ++i) {
      if (!r_.lines[i].service_id.empty()) by_service[r_.lines[i].service_id].push_back(i);
    }
    for (const auto& [service, idx] : by_service) {
      auto it = in_.service_fees.find(service);
      if (it != in_.service_fees.end()) {
        ApplyCap(r_.lines, idx, it->second.minor, "service cap (" + service + " fee)", r_.notes);
      }
    }
    std::vector<size_t> all(r_.lines.size());
    std::iota(all.begin(), all.end(), 0);
    if (cs_.period_cap_ppm() > 0) {
      ApplyCap(r_.lines, all, fee_ * Rational(cs_.period_cap_ppm(), kMillion),
               absl::StrCat("period cap ", Pct(cs_.period_cap_ppm())), r_.notes);
    }
    if (cs_.at_risk_pool().at_risk_ppm() > 0) {
      ApplyCap(r_.lines, all, pool_, "at-risk amount", r_.notes);
    }
  }

  // The one rounding: the total of the exact capped lines, spread back over the lines; then
  // the minimum payable credit.
  absl::Status Round() {
    const money::Rounding mode = cs_.rounding() == sla::v1::ROUNDING_HALF_EVEN
                                     ? money::Rounding::kHalfEven
                                     : money::Rounding::kHalfUp;
    Rational total;
    std::vector<Rational> parts;
    for (const CreditLine& l : r_.lines) {
      total = total + l.capped;
      parts.push_back(l.capped);
    }
    // The terms bound every amount (money::kMaxAmountMinor), so this fits; a figure that did
    // not would be refused rather than narrowed.
    if (Rational(money::kMaxAmountMinor) < total) {
      return absl::OutOfRangeError(
          absl::StrCat("a credit of ", total.ToDecimal(0), " minor units is out of range"));
    }
    r_.total_minor = total.Round(mode);
    const std::vector<int64_t> amounts = LargestRemainder(parts, r_.total_minor);
    for (size_t i = 0; i < r_.lines.size(); ++i) {
      r_.lines[i].amount_minor = amounts[i];
      r_.lines[i].explanation.push_back(absl::StrCat("amount ", amounts[i], " minor units (exact ",
                                                     Amount(r_.lines[i].capped), ")"));
    }
    if (r_.total_minor > 0 && cs_.has_minimum_credit() &&
        r_.total_minor < cs_.minimum_credit().amount_minor()) {
      r_.below_minimum = true;
      r_.deferred = cs_.minimum_credit_handling() != sla::v1::MINIMUM_CREDIT_DROP;
      r_.notes.push_back(absl::StrCat("total ", r_.total_minor,
                                      " below the minimum payable credit ",
                                      cs_.minimum_credit().amount_minor(), ": ",
                                      r_.deferred ? "deferred to the next period" : "dropped"));
    }
    return absl::OkStatus();
  }

  const CreditInput& in_;
  const sla::v1::CreditSchedule& cs_;
  const Rational fee_;
  std::map<std::string, int64_t> allocation_;
  Rational pool_;
  CreditResult r_;
};

}  // namespace

absl::StatusOr<CreditResult> ComputeCredits(const CreditInput& in) {
  if (in.terms == nullptr) return absl::InvalidArgumentError("no terms");
  return CreditComputation(in).Run();
}

}  // namespace sla::core
