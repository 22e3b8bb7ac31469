#include "common/core/terms_validation.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/calendar/business_calendar.h"
#include "common/money/money.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::core {
namespace {

using sla::v1::SlaTerms;

// A field path under construction: Path("terms").Field("services").Index(2).
class Path {
 public:
  explicit Path(absl::string_view p) : p_(p) {}
  Path Field(absl::string_view f) const {
    return Path(p_.empty() ? std::string(f) : absl::StrCat(p_, ".", f));
  }
  Path Index(int i) const { return Path(absl::StrCat(p_, "[", i, "]")); }
  Path Item(absl::string_view f, int i) const { return Field(f).Index(i); }
  const std::string& str() const { return p_; }
  absl::Status Error(absl::string_view reason) const { return InvalidField(p_, reason); }

 private:
  std::string p_;
};

absl::Status MaxLength(const Path& p, const std::string& s, size_t max) {
  if (s.size() > max) return p.Error(absl::StrCat("at most ", max, " characters"));
  return absl::OkStatus();
}

absl::Status Required(const Path& p, const std::string& s, size_t max) {
  if (absl::StripAsciiWhitespace(s).empty()) return p.Error("is required");
  return MaxLength(p, s, max);
}

template <typename List>
absl::Status MaxItems(const Path& p, const List& list, int max) {
  if (list.size() > max) return p.Error(absl::StrCat("at most ", max, " items"));
  return absl::OkStatus();
}

absl::Status Identifier(const Path& p, const std::string& id) {
  if (id.empty() || id.size() > 63) return p.Error("must be 1 to 63 characters of [a-z0-9-]");
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) {
      return p.Error("must be 1 to 63 characters of [a-z0-9-]");
    }
  }
  return absl::OkStatus();
}

absl::Status Ppm(const Path& p, int64_t v, int64_t lo, int64_t hi, absl::string_view what) {
  if (v < lo || v > hi)
    return p.Error(absl::StrCat("must be within ", lo, "..", hi, " ppm (", what, ")"));
  return absl::OkStatus();
}

absl::Status Range(const Path& p, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi) return p.Error(absl::StrCat("must be within ", lo, "..", hi));
  return absl::OkStatus();
}

bool ValidZone(const std::string& zone) {
  absl::TimeZone tz;
  return !zone.empty() && zone.size() <= calendar::kMaxTimeZoneLength &&
         absl::LoadTimeZone(zone, &tz);
}

class Validator {
 public:
  Validator(const SlaTerms& t, const CalendarExists& calendar_exists)
      : t_(t), calendar_exists_(calendar_exists) {}

  absl::Status Run(const Path& root) {
    SLA_RETURN_IF_ERROR(Pricing(root.Field("pricing")));
    SLA_RETURN_IF_ERROR(Services(root));
    SLA_RETURN_IF_ERROR(Kpis(root));
    SLA_RETURN_IF_ERROR(Responsibilities(root.Field("responsibilities")));
    SLA_RETURN_IF_ERROR(Targets(root));
    SLA_RETURN_IF_ERROR(Escalation(root.Field("escalation")));
    SLA_RETURN_IF_ERROR(Availability(root));
    SLA_RETURN_IF_ERROR(Credits(root.Field("credit_schedule")));
    SLA_RETURN_IF_ERROR(Termination(root.Field("termination")));
    SLA_RETURN_IF_ERROR(Security(root.Field("security")));
    SLA_RETURN_IF_ERROR(Exclusions(root));
    SLA_RETURN_IF_ERROR(Channels(root));
    SLA_RETURN_IF_ERROR(ReviewDate(root.Field("review_date")));
    return Range(root.Field("reopen_window_days"), t_.reopen_window_days(), 0, 365);
  }

 private:
  absl::Status Calendar(const Path& p, const std::string& name, bool required) {
    if (name.empty()) return required ? p.Error("is required") : absl::OkStatus();
    if (!calendar_exists_(name))
      return p.Error(absl::StrCat("calendar `", name, "` does not exist"));
    return absl::OkStatus();
  }

  absl::Status Money(const Path& p, const sla::v1::Money& m, bool allow_negative = false) {
    if (!money::MinorUnitDigits(m.currency_code()).ok()) {
      return p.Field("currency_code").Error("must be an active ISO 4217 code, e.g. THB");
    }
    if (!currency_.empty() && m.currency_code() != currency_) {
      return p.Field("currency_code")
          .Error(absl::StrCat("must be the contract's currency ", currency_));
    }
    if (!allow_negative && m.amount_minor() < 0)
      return p.Field("amount_minor").Error("must not be negative");
    if (m.amount_minor() > money::kMaxAmountMinor || m.amount_minor() < -money::kMaxAmountMinor) {
      return p.Field("amount_minor")
          .Error(absl::StrCat("must be at most ", money::kMaxAmountMinor, " in magnitude"));
    }
    return absl::OkStatus();
  }

  absl::Status Contact(const Path& p, const sla::v1::Contact& c) {
    SLA_RETURN_IF_ERROR(Required(p.Field("name"), c.name(), 200));
    if (c.channel() == sla::v1::CHANNEL_UNSPECIFIED) return p.Field("channel").Error("is required");
    SLA_RETURN_IF_ERROR(Required(p.Field("address"), c.address(), 500));
    return Calendar(p.Field("calendar"), c.calendar(), false);
  }

  absl::Status Pricing(const Path& p) {
    if (!t_.has_pricing()) return p.Error("is required");
    const auto& pr = t_.pricing();
    if (!pr.has_monthly_fee()) return p.Field("monthly_fee").Error("is required");
    SLA_RETURN_IF_ERROR(Money(p.Field("monthly_fee"), pr.monthly_fee()));
    currency_ = pr.monthly_fee().currency_code();
    SLA_RETURN_IF_ERROR(MaxItems(p.Field("service_fees"), pr.service_fees(), kMaxServices));
    int64_t service_fee_sum = 0;
    for (int i = 0; i < pr.service_fees_size(); ++i) {
      const Path f = p.Item("service_fees", i);
      SLA_RETURN_IF_ERROR(Money(f.Field("monthly_fee"), pr.service_fees(i).monthly_fee()));
      service_fee_sum += pr.service_fees(i).monthly_fee().amount_minor();
      if (service_fee_sum > pr.monthly_fee().amount_minor()) {
        return f.Field("monthly_fee")
            .Error("service fees must not add up to more than the monthly fee");
      }
    }
    SLA_RETURN_IF_ERROR(MaxItems(p.Field("discounts"), pr.discounts(), 20));
    for (int i = 0; i < pr.discounts_size(); ++i) {
      const Path d = p.Item("discounts", i);
      SLA_RETURN_IF_ERROR(Required(d.Field("description"), pr.discounts(i).description(), 500));
      SLA_RETURN_IF_ERROR(
          Ppm(d.Field("share_ppm"), pr.discounts(i).share_ppm(), 1, kPpm, "share of the fee"));
    }
    SLA_RETURN_IF_ERROR(MaxItems(p.Field("extra_charges"), pr.extra_charges(), 50));
    for (int i = 0; i < pr.extra_charges_size(); ++i) {
      const Path e = p.Item("extra_charges", i);
      const auto& x = pr.extra_charges(i);
      SLA_RETURN_IF_ERROR(Required(e.Field("description"), x.description(), 500));
      SLA_RETURN_IF_ERROR(Money(e.Field("unit_price"), x.unit_price()));
      SLA_RETURN_IF_ERROR(Required(e.Field("unit"), x.unit(), 50));
      SLA_RETURN_IF_ERROR(Calendar(e.Field("outside_calendar"), x.outside_calendar(), false));
    }
    SLA_RETURN_IF_ERROR(Range(p.Field("payment_due_days"), pr.payment_due_days(), 0, 365));
    SLA_RETURN_IF_ERROR(Ppm(p.Field("late_interest_ppm_per_month"),
                            pr.late_interest_ppm_per_month(), 0, kPpm, "share per month"));
    if (!ValidZone(pr.billing_time_zone())) {
      return p.Field("billing_time_zone").Error("must be an IANA time zone, e.g. Asia/Bangkok");
    }
    return absl::OkStatus();
  }

  absl::Status Services(const Path& root) {
    const Path p = root.Field("services");
    if (t_.services().empty()) return p.Error("at least one service is required");
    SLA_RETURN_IF_ERROR(MaxItems(p, t_.services(), kMaxServices));
    for (int i = 0; i < t_.services_size(); ++i) {
      const Path s = root.Item("services", i);
      const auto& svc = t_.services(i);
      SLA_RETURN_IF_ERROR(Identifier(s.Field("service_id"), svc.service_id()));
      if (!service_ids_.insert(svc.service_id()).second) {
        return s.Field("service_id").Error(absl::StrCat("`", svc.service_id(), "` is used twice"));
      }
      SLA_RETURN_IF_ERROR(Required(s.Field("display_name"), svc.display_name(), 200));
      SLA_RETURN_IF_ERROR(MaxLength(s.Field("description"), svc.description(), 4000));
      for (const char* list : {"inclusions", "exclusions"}) {
        const auto& items = std::string(list) == "inclusions" ? svc.inclusions() : svc.exclusions();
        SLA_RETURN_IF_ERROR(MaxItems(s.Field(list), items, kMaxListItems));
        for (int k = 0; k < items.size(); ++k) {
          SLA_RETURN_IF_ERROR(Required(s.Item(list, k), items[k], 500));
        }
      }
      SLA_RETURN_IF_ERROR(Calendar(s.Field("service_calendar"), svc.service_calendar(), false));
      SLA_RETURN_IF_ERROR(MaxItems(s.Field("limits"), svc.limits(), 20));
      for (int k = 0; k < svc.limits_size(); ++k) {
        const Path l = s.Item("limits", k);
        SLA_RETURN_IF_ERROR(Required(l.Field("metric"), svc.limits(k).metric(), 200));
        if (svc.limits(k).quantity() <= 0) return l.Field("quantity").Error("must be positive");
        SLA_RETURN_IF_ERROR(Required(l.Field("unit"), svc.limits(k).unit(), 50));
      }
    }
    for (int i = 0; i < t_.pricing().service_fees_size(); ++i) {
      SLA_RETURN_IF_ERROR(
          ServiceRef(root.Field("pricing").Item("service_fees", i).Field("service_id"),
                     t_.pricing().service_fees(i).service_id()));
    }
    return absl::OkStatus();
  }

  absl::Status ServiceRef(const Path& p, const std::string& id) {
    if (!service_ids_.contains(id))
      return p.Error(absl::StrCat("no service `", id, "` in services"));
    return absl::OkStatus();
  }

  absl::Status Kpis(const Path& root) {
    SLA_RETURN_IF_ERROR(MaxItems(root.Field("kpis"), t_.kpis(), 50));
    absl::flat_hash_set<std::string> ids;
    for (int i = 0; i < t_.kpis_size(); ++i) {
      const Path k = root.Item("kpis", i);
      const auto& kpi = t_.kpis(i);
      SLA_RETURN_IF_ERROR(Identifier(k.Field("kpi_id"), kpi.kpi_id()));
      if (!ids.insert(kpi.kpi_id()).second) return k.Field("kpi_id").Error("is used twice");
      SLA_RETURN_IF_ERROR(Required(k.Field("description"), kpi.description(), 500));
      SLA_RETURN_IF_ERROR(Required(k.Field("measurement"), kpi.measurement(), 2000));
      SLA_RETURN_IF_ERROR(Required(k.Field("unit"), kpi.unit(), 50));
    }
    return absl::OkStatus();
  }

  absl::Status Responsibilities(const Path& p) {
    const auto& r = t_.responsibilities();
    for (const char* side : {"msp", "customer"}) {
      const auto& list = std::string(side) == "msp" ? r.msp() : r.customer();
      SLA_RETURN_IF_ERROR(MaxItems(p.Field(side), list, kMaxListItems));
      for (int i = 0; i < list.size(); ++i) {
        SLA_RETURN_IF_ERROR(Required(p.Item(side, i).Field("area"), list[i].area(), 200));
        SLA_RETURN_IF_ERROR(
            Required(p.Item(side, i).Field("description"), list[i].description(), 2000));
      }
    }
    SLA_RETURN_IF_ERROR(MaxItems(p.Field("issue_reporting"), r.issue_reporting(), 20));
    for (int i = 0; i < r.issue_reporting_size(); ++i) {
      SLA_RETURN_IF_ERROR(Contact(p.Item("issue_reporting", i), r.issue_reporting(i)));
    }
    return absl::OkStatus();
  }

  absl::Status Clock(const Path& p, const sla::v1::ClockTarget& c) {
    if (c.target_seconds() <= 0) return p.Field("target_seconds").Error("must be positive");
    if (c.target_seconds() > kMaxTargetSeconds)
      return p.Field("target_seconds").Error("must be at most a year");
    if (c.basis() == sla::v1::TIME_BASIS_UNSPECIFIED) return p.Field("basis").Error("is required");
    return Calendar(p.Field("calendar"), c.calendar(), c.basis() == sla::v1::TIME_BASIS_BUSINESS);
  }

  absl::Status Targets(const Path& root) {
    if (t_.priority_targets().empty())
      return root.Field("priority_targets").Error("at least one priority is required");
    SLA_RETURN_IF_ERROR(MaxItems(root.Field("priority_targets"), t_.priority_targets(), 5));
    for (int i = 0; i < t_.priority_targets_size(); ++i) {
      const Path p = root.Item("priority_targets", i);
      const auto& pt = t_.priority_targets(i);
      if (pt.priority() == sla::v1::PRIORITY_UNSPECIFIED)
        return p.Field("priority").Error("is required");
      if (!priorities_.insert(pt.priority()).second)
        return p.Field("priority").Error("is listed twice");
      SLA_RETURN_IF_ERROR(Required(p.Field("definition"), pt.definition(), 2000));
      if (!pt.has_first_response()) return p.Field("first_response").Error("is required");
      if (!pt.has_resolution()) return p.Field("resolution").Error("is required");
      SLA_RETURN_IF_ERROR(Clock(p.Field("first_response"), pt.first_response()));
      SLA_RETURN_IF_ERROR(Clock(p.Field("resolution"), pt.resolution()));
      if (pt.has_resolution_plan())
        SLA_RETURN_IF_ERROR(Clock(p.Field("resolution_plan"), pt.resolution_plan()));
      if (pt.has_update_interval())
        SLA_RETURN_IF_ERROR(Clock(p.Field("update_interval"), pt.update_interval()));
      if (pt.first_response().basis() == pt.resolution().basis() &&
          pt.resolution().target_seconds() < pt.first_response().target_seconds()) {
        return p.Field("resolution")
            .Field("target_seconds")
            .Error("must not be shorter than first_response");
      }
      for (int k = 0; k < pt.response_events_size(); ++k) {
        if (pt.response_events(k) == sla::v1::RESPONSE_EVENT_UNSPECIFIED) {
          return p.Item("response_events", k).Error("must be a response event");
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Escalation(const Path& p) {
    const auto& e = t_.escalation();
    SLA_RETURN_IF_ERROR(MaxItems(p.Field("levels"), e.levels(), kMaxEscalationLevels));
    int64_t previous = 0;
    for (int i = 0; i < e.levels_size(); ++i) {
      const Path l = p.Item("levels", i);
      const auto& lv = e.levels(i);
      if (lv.level() != i + 1)
        return l.Field("level").Error(
            absl::StrCat("must be ", i + 1, " (levels are numbered in order from 1)"));
      if (lv.threshold_ppm() <= 0 || lv.threshold_ppm() > kPpm) {
        return l.Field("threshold_ppm").Error("must be within (0, 1000000] ppm of the target");
      }
      if (lv.threshold_ppm() <= previous) {
        return l.Field("threshold_ppm")
            .Error("must be greater than the previous level's threshold");
      }
      previous = lv.threshold_ppm();
      for (int k = 0; k < lv.priorities_size(); ++k) {
        if (!priorities_.contains(lv.priorities(k))) {
          return l.Item("priorities", k).Error("is not a priority the terms set targets for");
        }
      }
      if (lv.notify().empty()) return l.Field("notify").Error("at least one contact is required");
      SLA_RETURN_IF_ERROR(MaxItems(l.Field("notify"), lv.notify(), 20));
      for (int k = 0; k < lv.notify_size(); ++k)
        SLA_RETURN_IF_ERROR(Contact(l.Item("notify", k), lv.notify(k)));
    }
    return absl::OkStatus();
  }

  absl::Status Availability(const Path& root) {
    SLA_RETURN_IF_ERROR(
        MaxItems(root.Field("availability_targets"), t_.availability_targets(), kMaxServices));
    for (int i = 0; i < t_.availability_targets_size(); ++i) {
      const Path p = root.Item("availability_targets", i);
      const auto& a = t_.availability_targets(i);
      SLA_RETURN_IF_ERROR(ServiceRef(p.Field("service_id"), a.service_id()));
      if (!availability_services_.insert(a.service_id()).second) {
        return p.Field("service_id").Error("has a target already");
      }
      if (a.target_ppm() <= 0 || a.target_ppm() >= kPpm) {
        return p.Field("target_ppm")
            .Error("must be within (0, 1000000) ppm, e.g. 999000 for 99.9 %");
      }
      SLA_RETURN_IF_ERROR(Calendar(p.Field("calendar"), a.calendar(), false));
      SLA_RETURN_IF_ERROR(MaxItems(p.Field("maintenance_windows"), a.maintenance_windows(), 20));
      for (int k = 0; k < a.maintenance_windows_size(); ++k) {
        const Path w = p.Item("maintenance_windows", k);
        const auto& mw = a.maintenance_windows(k);
        if (mw.day() == sla::v1::DAY_OF_WEEK_UNSPECIFIED)
          return w.Field("day").Error("is required");
        SLA_RETURN_IF_ERROR(Range(w.Field("start_minute"), mw.start_minute(), 0, 1439));
        SLA_RETURN_IF_ERROR(Range(w.Field("duration_minutes"), mw.duration_minutes(), 1, 1440));
        SLA_RETURN_IF_ERROR(Calendar(w.Field("calendar"), mw.calendar(), true));
        SLA_RETURN_IF_ERROR(Range(w.Field("notice_hours"), mw.notice_hours(), 0, 720));
      }
      for (int k = 0; k < a.downtime_contacts_size(); ++k) {
        SLA_RETURN_IF_ERROR(Contact(p.Item("downtime_contacts", k), a.downtime_contacts(k)));
      }
      SLA_RETURN_IF_ERROR(MaxLength(p.Field("downtime_costs"), a.downtime_costs(), 2000));
    }
    return absl::OkStatus();
  }

  absl::Status RuleId(const Path& p, const std::string& id) {
    SLA_RETURN_IF_ERROR(Identifier(p, id));
    if (!rule_ids_.insert(id).second) return p.Error(absl::StrCat("`", id, "` is used twice"));
    return absl::OkStatus();
  }

  // A band as the half-open range [lo, hi) over doubled ppm, so that inclusive and exclusive
  // bounds compare as integers: value v lies in the band iff lo <= 2v < hi.
  struct Band {
    int64_t lo, hi, credit;
    int index;
  };

  absl::Status Bands(const Path& p, const sla::v1::AvailabilityCreditRule& rule) {
    if (rule.bands().empty()) return p.Field("bands").Error("at least one band is required");
    SLA_RETURN_IF_ERROR(MaxItems(p.Field("bands"), rule.bands(), 20));
    std::vector<Band> bands;
    for (int i = 0; i < rule.bands_size(); ++i) {
      const Path b = p.Item("bands", i);
      const auto& band = rule.bands(i);
      if (band.has_lower())
        SLA_RETURN_IF_ERROR(
            Ppm(b.Field("lower").Field("ppm"), band.lower().ppm(), 0, kPpm, "availability"));
      if (band.has_upper())
        SLA_RETURN_IF_ERROR(
            Ppm(b.Field("upper").Field("ppm"), band.upper().ppm(), 0, kPpm, "availability"));
      SLA_RETURN_IF_ERROR(
          Ppm(b.Field("credit_ppm"), band.credit_ppm(), 0, kPpm, "share of the fee"));
      const int64_t lo =
          !band.has_lower() ? 0 : 2 * band.lower().ppm() + (band.lower().inclusive() ? 0 : 1);
      const int64_t hi = !band.has_upper()
                             ? 2 * kPpm + 1
                             : 2 * band.upper().ppm() + (band.upper().inclusive() ? 1 : 0);
      if (lo >= hi) return b.Error("is empty: its lower bound is not below its upper bound");
      bands.push_back({lo, hi, band.credit_ppm(), i});
    }
    std::sort(bands.begin(), bands.end(), [](const Band& a, const Band& b) { return a.lo < b.lo; });
    for (size_t k = 1; k < bands.size(); ++k) {
      const Path later = p.Item("bands", std::max(bands[k].index, bands[k - 1].index));
      const int other = std::min(bands[k].index, bands[k - 1].index);
      if (bands[k].lo < bands[k - 1].hi)
        return later.Error(absl::StrCat("overlaps bands[", other, "]"));
      // Lower availability must never earn less credit.
      if (bands[k].credit > bands[k - 1].credit) {
        return p.Item("bands", bands[k].index)
            .Field("credit_ppm")
            .Error(absl::StrCat("must not exceed the credit of bands[", bands[k - 1].index,
                                "], which covers lower availability"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status PerEventRule(const Path& r, const sla::v1::PerEventCreditRule& rule) {
    SLA_RETURN_IF_ERROR(RuleId(r.Field("rule_id"), rule.rule_id()));
    if (rule.clock() == sla::v1::CLOCK_KIND_UNSPECIFIED)
      return r.Field("clock").Error("is required");
    if (!priorities_.contains(rule.priority())) {
      return r.Field("priority").Error("must be a priority the terms set targets for");
    }
    switch (rule.amount_case()) {
      case sla::v1::PerEventCreditRule::kFixedAmount:
        SLA_RETURN_IF_ERROR(Money(r.Field("fixed_amount"), rule.fixed_amount()));
        if (rule.fixed_amount().amount_minor() <= 0)
          return r.Field("fixed_amount").Field("amount_minor").Error("must be positive");
        break;
      case sla::v1::PerEventCreditRule::kFeeSharePpm:
        SLA_RETURN_IF_ERROR(
            Ppm(r.Field("fee_share_ppm"), rule.fee_share_ppm(), 1, kPpm, "share of the fee"));
        break;
      default:
        return r.Error("needs fixed_amount or fee_share_ppm");
    }
    SLA_RETURN_IF_ERROR(Range(r.Field("free_occurrences"), rule.free_occurrences(), 0, 1000));
    return Ppm(r.Field("rule_cap_ppm"), rule.rule_cap_ppm(), 0, kPpm, "share of the fee");
  }

  absl::Status AtRiskPool(const Path& a) {
    const auto& pool = t_.credit_schedule().at_risk_pool();
    SLA_RETURN_IF_ERROR(
        Ppm(a.Field("at_risk_ppm"), pool.at_risk_ppm(), 1, kPpm, "share of the invoice"));
    int64_t sum = 0;
    for (int i = 0; i < pool.allocations_size(); ++i) {
      const Path al = a.Item("allocations", i);
      const auto& x = pool.allocations(i);
      if (!rule_ids_.contains(x.rule_id()))
        return al.Field("rule_id").Error("is not a rule of this schedule");
      SLA_RETURN_IF_ERROR(
          Ppm(al.Field("allocation_ppm"), x.allocation_ppm(), 1, kPpm, "share of the pool"));
      sum += x.allocation_ppm();
      if (sum > kPpm)
        return al.Field("allocation_ppm")
            .Error("allocations must add up to at most 1000000 ppm of the pool");
    }
    return absl::OkStatus();
  }

  absl::Status Credits(const Path& p) {
    const auto& c = t_.credit_schedule();
    SLA_RETURN_IF_ERROR(MaxItems(p.Field("per_event_rules"), c.per_event_rules(), 50));
    for (int i = 0; i < c.per_event_rules_size(); ++i) {
      SLA_RETURN_IF_ERROR(PerEventRule(p.Item("per_event_rules", i), c.per_event_rules(i)));
    }
    SLA_RETURN_IF_ERROR(
        MaxItems(p.Field("availability_rules"), c.availability_rules(), kMaxServices));
    for (int i = 0; i < c.availability_rules_size(); ++i) {
      const Path r = p.Item("availability_rules", i);
      SLA_RETURN_IF_ERROR(RuleId(r.Field("rule_id"), c.availability_rules(i).rule_id()));
      SLA_RETURN_IF_ERROR(ServiceRef(r.Field("service_id"), c.availability_rules(i).service_id()));
      SLA_RETURN_IF_ERROR(Bands(r, c.availability_rules(i)));
    }
    SLA_RETURN_IF_ERROR(
        MaxItems(p.Field("linear_shortfall_rules"), c.linear_shortfall_rules(), kMaxServices));
    for (int i = 0; i < c.linear_shortfall_rules_size(); ++i) {
      const Path r = p.Item("linear_shortfall_rules", i);
      const auto& rule = c.linear_shortfall_rules(i);
      SLA_RETURN_IF_ERROR(RuleId(r.Field("rule_id"), rule.rule_id()));
      if (!availability_services_.contains(rule.service_id())) {
        return r.Field("service_id").Error("must be a service with an availability target");
      }
      SLA_RETURN_IF_ERROR(
          Range(r.Field("multiplier_permille"), rule.multiplier_permille(), 1, 1'000'000));
      SLA_RETURN_IF_ERROR(
          Ppm(r.Field("max_credit_ppm"), rule.max_credit_ppm(), 0, kPpm, "share of the fee"));
    }
    if (c.has_at_risk_pool()) SLA_RETURN_IF_ERROR(AtRiskPool(p.Field("at_risk_pool")));
    SLA_RETURN_IF_ERROR(
        Ppm(p.Field("period_cap_ppm"), c.period_cap_ppm(), 0, kPpm, "share of the monthly fee"));
    if (c.has_minimum_credit())
      SLA_RETURN_IF_ERROR(Money(p.Field("minimum_credit"), c.minimum_credit()));
    if (c.has_chronic_breach()) {
      const Path ch = p.Field("chronic_breach");
      const auto& x = c.chronic_breach();
      SLA_RETURN_IF_ERROR(Range(ch.Field("window_periods"), x.window_periods(), 1, 120));
      SLA_RETURN_IF_ERROR(
          Range(ch.Field("breached_periods"), x.breached_periods(), 1, x.window_periods()));
      SLA_RETURN_IF_ERROR(
          Range(ch.Field("exercise_within_days"), x.exercise_within_days(), 1, 365));
    }
    return Range(p.Field("close_grace_hours"), c.close_grace_hours(), 0, 720);
  }

  absl::Status Termination(const Path& p) {
    const auto& x = t_.termination();
    SLA_RETURN_IF_ERROR(Range(p.Field("notice_days"), x.notice_days(), 0, 3650));
    SLA_RETURN_IF_ERROR(Range(p.Field("minimum_term_months"), x.minimum_term_months(), 0, 240));
    SLA_RETURN_IF_ERROR(
        MaxItems(p.Field("for_cause_conditions"), x.for_cause_conditions(), kMaxListItems));
    for (int i = 0; i < x.for_cause_conditions_size(); ++i) {
      SLA_RETURN_IF_ERROR(
          Required(p.Item("for_cause_conditions", i), x.for_cause_conditions(i), 1000));
    }
    return MaxLength(p.Field("exit_assistance"), x.exit_assistance(), 4000);
  }

  absl::Status Security(const Path& p) {
    const auto& s = t_.security();
    if (s.has_backup()) {
      SLA_RETURN_IF_ERROR(Range(p.Field("backup").Field("interval_hours"),
                                s.backup().interval_hours(), 1, 24 * 31));
      SLA_RETURN_IF_ERROR(
          Range(p.Field("backup").Field("retention_days"), s.backup().retention_days(), 1, 3650));
      SLA_RETURN_IF_ERROR(Range(p.Field("backup").Field("restore_test_interval_days"),
                                s.backup().restore_test_interval_days(), 0, 3650));
    }
    if (s.has_disaster_recovery()) {
      const Path d = p.Field("disaster_recovery");
      SLA_RETURN_IF_ERROR(
          Range(d.Field("rpo_minutes"), s.disaster_recovery().rpo_minutes(), 1, 525600));
      SLA_RETURN_IF_ERROR(
          Range(d.Field("rto_minutes"), s.disaster_recovery().rto_minutes(), 1, 525600));
      SLA_RETURN_IF_ERROR(Range(d.Field("test_interval_months"),
                                s.disaster_recovery().test_interval_months(), 0, 120));
    }
    SLA_RETURN_IF_ERROR(Range(p.Field("audit_interval_months"), s.audit_interval_months(), 0, 120));
    SLA_RETURN_IF_ERROR(MaxLength(p.Field("audit_standard"), s.audit_standard(), 200));
    SLA_RETURN_IF_ERROR(
        Range(p.Field("anti_malware_update_hours"), s.anti_malware_update_hours(), 0, 24 * 31));
    return Range(p.Field("breach_notification_hours"), s.breach_notification_hours(), 0, 24 * 31);
  }

  absl::Status Exclusions(const Path& root) {
    SLA_RETURN_IF_ERROR(MaxItems(root.Field("exclusions"), t_.exclusions(), kMaxListItems));
    absl::flat_hash_set<std::string> ids;
    for (int i = 0; i < t_.exclusions_size(); ++i) {
      const Path e = root.Item("exclusions", i);
      SLA_RETURN_IF_ERROR(Identifier(e.Field("exclusion_id"), t_.exclusions(i).exclusion_id()));
      if (!ids.insert(t_.exclusions(i).exclusion_id()).second)
        return e.Field("exclusion_id").Error("is used twice");
      if (t_.exclusions(i).kind() == sla::v1::EXCLUSION_KIND_UNSPECIFIED)
        return e.Field("kind").Error("is required");
      SLA_RETURN_IF_ERROR(Required(e.Field("description"), t_.exclusions(i).description(), 2000));
    }
    return absl::OkStatus();
  }

  absl::Status Channels(const Path& root) {
    SLA_RETURN_IF_ERROR(
        MaxItems(root.Field("communication_channels"), t_.communication_channels(), 20));
    for (int i = 0; i < t_.communication_channels_size(); ++i) {
      SLA_RETURN_IF_ERROR(Contact(root.Item("communication_channels", i).Field("contact"),
                                  t_.communication_channels(i).contact()));
    }
    const auto& rep = t_.reporting();
    const Path r = root.Field("reporting");
    SLA_RETURN_IF_ERROR(
        Range(r.Field("delivery_business_days"), rep.delivery_business_days(), 0, 60));
    for (int i = 0; i < rep.recipients_size(); ++i)
      SLA_RETURN_IF_ERROR(Contact(r.Item("recipients", i), rep.recipients(i)));
    return absl::OkStatus();
  }

  absl::Status ReviewDate(const Path& p) {
    if (!t_.has_review_date()) return absl::OkStatus();  // lint reports a missing review date
    const auto& d = t_.review_date();
    const absl::CivilDay day(d.year(), d.month(), d.day());
    if (d.year() < 1970 || d.year() > 9999 || day.month() != d.month() || day.day() != d.day()) {
      return p.Error("must be a valid date");
    }
    return absl::OkStatus();
  }

  const SlaTerms& t_;
  const CalendarExists& calendar_exists_;
  std::string currency_;
  absl::flat_hash_set<std::string> service_ids_;
  absl::flat_hash_set<std::string> availability_services_;
  absl::flat_hash_set<std::string> rule_ids_;
  absl::flat_hash_set<int> priorities_;
};

}  // namespace

absl::Status ValidateTerms(const SlaTerms& terms, const CalendarExists& calendar_exists,
                           absl::string_view prefix) {
  return Validator(terms, calendar_exists).Run(Path(prefix));
}

}  // namespace sla::core
