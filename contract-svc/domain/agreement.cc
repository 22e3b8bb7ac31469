#include "contract-svc/domain/agreement.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/money/money.h"
#include "contract-svc/domain/lint.h"

namespace sla::contract {
namespace {

using Kind = DocBlock::Kind;

const char* DayName(sla::v1::DayOfWeek d) {
  static const char* kNames[] = {"?", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return kNames[d >= 0 && d <= 7 ? d : 0];
}

std::string Clock(int minute) {
  return absl::StrFormat("%02d:%02d", minute / 60 % 24, minute % 60);
}

std::string PriorityName(sla::v1::Priority p) { return absl::StrCat("P", static_cast<int>(p)); }

std::string ChannelName(sla::v1::Channel c) {
  std::string n = sla::v1::Channel_Name(c);
  absl::StrReplaceAll({{"CHANNEL_", ""}}, &n);
  for (char& ch : n) ch = static_cast<char>(std::tolower(ch));
  return n;
}

std::string MoneyText(const sla::v1::Money& m) {
  absl::StatusOr<money::Money> v = money::Money::Create(m.currency_code(), m.amount_minor());
  return v.ok() ? money::Format(*v)
                : absl::StrCat(m.amount_minor(), " ", m.currency_code(), " (minor units)");
}

class Builder {
 public:
  explicit Builder(const sla::v1::SlaTerms& t) : t_(t) {}

  void H(int level, std::string text) {
    doc_.blocks.push_back({Kind::kHeading, level, std::move(text), {}, {}});
  }
  void P(std::string text) {
    if (!text.empty()) doc_.blocks.push_back({Kind::kParagraph, 0, std::move(text), {}, {}});
  }
  void L(std::vector<std::string> items) {
    if (!items.empty()) doc_.blocks.push_back({Kind::kList, 0, "", std::move(items), {}});
  }
  void T(std::vector<std::vector<std::string>> rows) {
    if (rows.size() > 1) doc_.blocks.push_back({Kind::kTable, 0, "", {}, std::move(rows)});
  }

  std::string CalendarText(const std::string& name) {
    for (const auto& c : t_.calendars()) {
      if (c.name() != name) continue;
      if (c.always_open())
        return absl::StrCat(c.display_name(), ": around the clock (", c.time_zone(), ")");
      std::vector<std::string> spans;
      for (const auto& w : c.weekly_intervals()) {
        spans.push_back(absl::StrCat(DayName(w.day()), " ", Clock(w.start_minute()), "–",
                                     Clock(w.end_minute()),
                                     w.end_minute() <= w.start_minute() ? " (next day)" : ""));
      }
      std::string s = absl::StrCat(c.display_name(), ": ", absl::StrJoin(spans, ", "), " (",
                                   c.time_zone(), ")");
      if (c.holidays_size() > 0)
        absl::StrAppend(&s, ", closed on ", c.holidays_size(), " listed holidays");
      return s;
    }
    return name.empty() ? "" : absl::StrCat("calendar ", name);
  }

  std::string TargetText(const sla::v1::ClockTarget& c) {
    if (c.target_seconds() == 0) return "—";
    if (c.basis() == sla::v1::TIME_BASIS_WALL_CLOCK)
      return absl::StrCat(FormatTarget(c.target_seconds()), " (around the clock)");
    std::string cal = c.calendar();
    for (const auto& k : t_.calendars()) {
      if (k.name() == c.calendar()) cal = k.display_name();
    }
    return absl::StrCat(FormatTarget(c.target_seconds()), " of business time (", cal, ")");
  }

  std::string ContactText(const sla::v1::Contact& c) {
    std::string s = absl::StrCat(c.name(), " — ", ChannelName(c.channel()), " ", c.address());
    if (!c.calendar().empty()) absl::StrAppend(&s, "; hours: ", CalendarText(c.calendar()));
    return s;
  }

  AgreementDocument Build(const AgreementInfo& info) {
    doc_.title = info.title;
    H(1, info.title);
    const std::string party = info.customer.empty() ? "the customer" : info.customer;
    P(absl::StrCat("Service level agreement between the MSP and ", party,
                   absl::EndsWith(party, ".") ? "" : "."));
    // Dates and times are given in the contract's billing zone.
    absl::TimeZone zone = absl::UTCTimeZone();
    absl::LoadTimeZone(t_.pricing().billing_time_zone(), &zone);
    P(info.version == 0
          ? "Status: draft — not in force."
          : absl::StrCat("Version ", info.version, ", in force from ",
                         absl::FormatTime("%Y-%m-%d %H:%M", info.effective_from, zone), " ",
                         zone.name(), "."));
    if (t_.has_review_date()) {
      P(absl::StrFormat("To be reviewed by %04d-%02d-%02d.", t_.review_date().year(),
                        t_.review_date().month(), t_.review_date().day()));
    }

    Services();
    Kpis();
    ProblemManagement();
    Responsibilities();
    Escalation();
    Reporting();
    Targets();
    Availability();
    Scalability();
    Termination();
    Pricing();
    SecurityCommitments();
    return std::move(doc_);
  }

 private:
  void Services() {
    H(2, "1. Services in scope");
    for (const auto& s : t_.services()) {
      H(3, s.display_name());
      P(s.description());
      std::vector<std::string> items;
      for (const auto& i : s.inclusions()) items.push_back("Included: " + i);
      for (const auto& e : s.exclusions()) items.push_back("Excluded: " + e);
      for (const auto& l : s.limits())
        items.push_back(
            absl::StrCat("Limit: ", l.quantity(), " ", l.unit(), " (", l.metric(), ")"));
      if (!s.service_calendar().empty())
        items.push_back("Hours: " + CalendarText(s.service_calendar()));
      L(items);
    }
  }

  void Kpis() {
    H(2, "2. Performance and KPIs");
    std::vector<std::vector<std::string>> kpis = {{"KPI", "Measurement", "Unit"}};
    for (const auto& k : t_.kpis()) kpis.push_back({k.description(), k.measurement(), k.unit()});
    T(kpis);
    if (t_.kpis().empty()) P("No KPIs are defined beyond the service level targets below.");
  }

  void ProblemManagement() {
    H(2, "3. Problem management and root-cause analysis");
    const auto& pm = t_.problem_management();
    P(pm.incident_definition().empty() ? "" : "Incident: " + pm.incident_definition());
    P(pm.problem_definition().empty() ? "" : "Problem: " + pm.problem_definition());
    if (pm.rca_required_for_size() > 0) {
      std::vector<std::string> ps;
      for (int p : pm.rca_required_for())
        ps.push_back(PriorityName(static_cast<sla::v1::Priority>(p)));
      P(absl::StrCat(
          "A root-cause analysis with preventive action is delivered for ", absl::StrJoin(ps, ", "),
          " tickets",
          pm.rca_due_business_days() > 0
              ? absl::StrCat(" within ", pm.rca_due_business_days(), " business days of resolution")
              : "",
          "."));
    }
  }

  void Responsibilities() {
    H(2, "4. Responsibilities");
    H(3, "The MSP");
    std::vector<std::string> msp, customer, reporting;
    for (const auto& r : t_.responsibilities().msp())
      msp.push_back(absl::StrCat(r.area(), ": ", r.description()));
    for (const auto& r : t_.responsibilities().customer())
      customer.push_back(absl::StrCat(r.area(), ": ", r.description()));
    for (const auto& c : t_.responsibilities().issue_reporting())
      reporting.push_back(ContactText(c));
    L(msp);
    H(3, "The customer");
    L(customer);
    if (!reporting.empty()) {
      P("The customer reports issues through:");
      L(reporting);
    }
  }

  void Escalation() {
    H(2, "5. Escalation");
    std::vector<std::vector<std::string>> esc = {
        {"Level", "When", "Who is told", "Outside coverage hours"}};
    for (const auto& l : t_.escalation().levels()) {
      std::vector<std::string> who;
      for (const auto& c : l.notify()) who.push_back(ContactText(c));
      esc.push_back(
          {absl::StrCat(l.level(), l.warning() ? " (at risk)" : ""),
           absl::StrCat(FormatPpmPercent(l.threshold_ppm()), " of the target consumed"),
           absl::StrJoin(who, "; "),
           l.notify_outside_coverage() ? "notified at once" : "waits for the next opening"});
    }
    T(esc);
  }

  void Reporting() {
    H(2, "6. Reporting");
    const auto& rep = t_.reporting();
    if (rep.frequency() != sla::v1::FREQUENCY_UNSPECIFIED) {
      std::string f = sla::v1::Frequency_Name(rep.frequency());
      absl::StrReplaceAll({{"FREQUENCY_", ""}}, &f);
      for (char& ch : f) ch = static_cast<char>(std::tolower(ch));
      P(absl::StrCat("A compliance report is issued ", f,
                     rep.delivery_business_days() > 0
                         ? absl::StrCat(", within ", rep.delivery_business_days(),
                                        " business days of the period's end")
                         : "",
                     "."));
    }
  }

  void Targets() {
    H(2, "7. Response and resolution");
    std::vector<std::vector<std::string>> targets = {{"Priority", "Definition", "First response",
                                                      "Resolution plan", "Updates at least every",
                                                      "Resolution"}};
    for (const auto& p : t_.priority_targets()) {
      targets.push_back({PriorityName(p.priority()), p.definition(), TargetText(p.first_response()),
                         TargetText(p.resolution_plan()), TargetText(p.update_interval()),
                         TargetText(p.resolution())});
    }
    T(targets);
    P("Time spent waiting on the customer does not count towards any target.");
  }

  void Availability() {
    H(2, "8. Availability");
    std::vector<std::vector<std::string>> avail = {{"Service", "Target",
                                                    "Allowed downtime per 30-day month", "Per year",
                                                    "Maintenance windows"}};
    for (const auto& a : t_.availability_targets()) {
      const AllowedDowntime d = AllowedDowntimeFor(a.target_ppm());
      std::vector<std::string> windows;
      for (const auto& w : a.maintenance_windows()) {
        windows.push_back(absl::StrCat(DayName(w.day()), " ", Clock(w.start_minute()), " for ",
                                       w.duration_minutes(), " minutes, announced ",
                                       w.notice_hours(), " hours ahead"));
      }
      avail.push_back({a.service_id(), FormatPpmPercent(a.target_ppm()),
                       FormatDuration(d.per_month_seconds), FormatDuration(d.per_year_seconds),
                       windows.empty() ? "none" : absl::StrJoin(windows, "; ")});
    }
    T(avail);
    for (const auto& a : t_.availability_targets()) {
      std::vector<std::string> contacts;
      for (const auto& c : a.downtime_contacts()) contacts.push_back(ContactText(c));
      if (!contacts.empty()) {
        P(absl::StrCat("During downtime of ", a.service_id(), ", contact:"));
        L(contacts);
      }
      P(a.downtime_costs());
    }
  }

  void Scalability() {
    H(2, "9. Scalability");
    P(t_.scalability().description());
    std::vector<std::string> units;
    for (const auto& u : t_.scalability().units()) {
      units.push_back(absl::StrCat(u.metric(), ": ", u.included_quantity(), " included, then ",
                                   MoneyText(u.unit_price()), " each per month"));
    }
    L(units);
  }

  void Termination() {
    H(2, "10. Termination");
    const auto& term = t_.termination();
    P(absl::StrCat(
        "Either party may terminate with ", term.notice_days(), " days' notice",
        term.minimum_term_months() > 0
            ? absl::StrCat(", after a minimum term of ", term.minimum_term_months(), " months")
            : "",
        "."));
    std::vector<std::string> cause(term.for_cause_conditions().begin(),
                                   term.for_cause_conditions().end());
    if (t_.credit_schedule().has_chronic_breach() && term.chronic_breach_is_cause()) {
      const auto& cb = t_.credit_schedule().chronic_breach();
      cause.push_back(absl::StrCat("Chronic breach: ", cb.breached_periods(),
                                   " breached billing periods of the same rule within ",
                                   cb.window_periods(), ", exercisable within ",
                                   cb.exercise_within_days(), " days"));
    }
    if (!cause.empty()) {
      P("Termination for cause:");
      L(cause);
    }
    P(term.exit_assistance());
  }

  void Pricing() {
    H(2, "11. Pricing and billing");
    const auto& pr = t_.pricing();
    std::vector<std::string> price = {absl::StrCat("Monthly fee: ", MoneyText(pr.monthly_fee()))};
    for (const auto& f : pr.service_fees())
      price.push_back(absl::StrCat("of which ", f.service_id(), ": ", MoneyText(f.monthly_fee())));
    for (const auto& d : pr.discounts())
      price.push_back(absl::StrCat("Discount: ", d.description(), ", ",
                                   FormatPpmPercent(d.share_ppm()), " of the fee"));
    for (const auto& x : pr.extra_charges()) {
      price.push_back(
          absl::StrCat(x.description(), ": ", MoneyText(x.unit_price()), " per ", x.unit(),
                       x.outside_calendar().empty()
                           ? ""
                           : absl::StrCat(", outside ", CalendarText(x.outside_calendar()))));
    }
    price.push_back(absl::StrCat("Invoices are payable within ", pr.payment_due_days(),
                                 " days; billing periods are calendar months in ",
                                 pr.billing_time_zone(), "."));
    L(price);
    const auto& cs = t_.credit_schedule();
    std::vector<std::string> credits;
    for (const auto& r : cs.per_event_rules()) {
      std::string clock = sla::v1::ClockKind_Name(r.clock());
      absl::StrReplaceAll({{"CLOCK_", ""}, {"_", " "}}, &clock);
      for (char& ch : clock) ch = static_cast<char>(std::tolower(ch));
      credits.push_back(absl::StrCat(
          PriorityName(r.priority()), " ", clock, " target missed: ",
          r.has_fixed_amount()
              ? MoneyText(r.fixed_amount())
              : absl::StrCat(FormatPpmPercent(r.fee_share_ppm()), " of the monthly fee"),
          " per occurrence",
          r.free_occurrences() > 0 ? absl::StrCat(" beyond the first ", r.free_occurrences()) : "",
          r.rule_cap_ppm() > 0 ? absl::StrCat(", at most ", FormatPpmPercent(r.rule_cap_ppm()),
                                              " of the fee a month")
                               : ""));
    }
    for (const auto& r : cs.availability_rules()) {
      for (const auto& b : r.bands()) {
        std::string range = b.has_lower() ? absl::StrCat(b.lower().inclusive() ? "≥ " : "> ",
                                                         FormatPpmPercent(b.lower().ppm()))
                                          : "";
        if (b.has_upper())
          absl::StrAppend(&range, range.empty() ? "" : " and ", b.upper().inclusive() ? "≤ " : "< ",
                          FormatPpmPercent(b.upper().ppm()));
        credits.push_back(absl::StrCat(r.service_id(), " availability ", range, ": ",
                                       FormatPpmPercent(b.credit_ppm()), " of the service's fee"));
      }
    }
    if (!credits.empty()) {
      H(3, "Service credits");
      L(credits);
      P(absl::StrCat(
          "Credits are issued automatically and applied to the next month's invoice",
          cs.period_cap_ppm() > 0
              ? absl::StrCat("; all credits of a month are capped at ",
                             FormatPpmPercent(cs.period_cap_ppm()), " of the monthly fee")
              : "",
          cs.has_minimum_credit()
              ? absl::StrCat("; credits below ", MoneyText(cs.minimum_credit()), " are ",
                             cs.minimum_credit_handling() == sla::v1::MINIMUM_CREDIT_DROP
                                 ? "not paid"
                                 : "carried to the next month")
              : "",
          "."));
    }
  }

  void SecurityCommitments() {
    H(2, "12. Service level targets and security");
    const auto& sec = t_.security();
    std::vector<std::string> s;
    if (sec.has_backup()) {
      s.push_back(
          absl::StrCat("Backups every ", sec.backup().interval_hours(), " hours, kept ",
                       sec.backup().retention_days(), " days",
                       sec.backup().offsite_copy() ? ", with an off-site copy" : "",
                       sec.backup().restore_test_interval_days() > 0
                           ? absl::StrCat("; restores tested every ",
                                          sec.backup().restore_test_interval_days(), " days")
                           : ""));
    }
    if (sec.has_disaster_recovery()) {
      s.push_back(absl::StrCat(
          "Disaster recovery: RPO ", FormatTarget(sec.disaster_recovery().rpo_minutes() * 60LL),
          ", RTO ", FormatTarget(sec.disaster_recovery().rto_minutes() * 60LL),
          sec.disaster_recovery().test_interval_months() > 0
              ? absl::StrCat(", tested every ", sec.disaster_recovery().test_interval_months(),
                             " months")
              : ""));
    }
    if (sec.audit_interval_months() > 0)
      s.push_back(
          absl::StrCat("Security audit every ", sec.audit_interval_months(), " months",
                       sec.audit_standard().empty() ? "" : " against " + sec.audit_standard()));
    if (sec.anti_malware())
      s.push_back(absl::StrCat("Anti-malware on managed endpoints",
                               sec.anti_malware_update_hours() > 0
                                   ? absl::StrCat(", signatures updated every ",
                                                  sec.anti_malware_update_hours(), " hours")
                                   : ""));
    if (sec.encryption_at_rest() || sec.encryption_in_transit()) {
      s.push_back(
          absl::StrCat("Encryption ", sec.encryption_at_rest() && sec.encryption_in_transit()
                                          ? "at rest and in transit"
                                      : sec.encryption_at_rest() ? "at rest"
                                                                 : "in transit"));
    }
    if (sec.breach_notification_hours() > 0)
      s.push_back(absl::StrCat("Security incidents notified within ",
                               sec.breach_notification_hours(), " hours"));
    if (s.empty()) s.push_back("No security commitments are stated.");
    L(s);
    std::vector<std::string> excl;
    for (const auto& e : t_.exclusions()) {
      excl.push_back(
          absl::StrCat(e.description(), e.pauses_clocks() ? " (pauses the SLA clocks)" : "",
                       e.excluded_from_availability() ? " (excluded from availability)" : ""));
    }
    if (!excl.empty()) {
      H(3, "Exclusions and hold-harmless");
      L(excl);
    }
  }

 private:
  const sla::v1::SlaTerms& t_;
  AgreementDocument doc_;
};

std::string MdEscape(const std::string& s) {
  return absl::StrReplaceAll(s, {{"\\", "\\\\"},
                                 {"|", "\\|"},
                                 {"*", "\\*"},
                                 {"_", "\\_"},
                                 {"<", "\\<"},
                                 {">", "\\>"},
                                 {"`", "\\`"},
                                 {"\n", " "}});
}

}  // namespace

AgreementDocument BuildAgreement(const AgreementInfo& info, const sla::v1::SlaTerms& terms) {
  return Builder(terms).Build(info);
}

std::string RenderMarkdown(const AgreementDocument& doc) {
  std::string out;
  for (const DocBlock& b : doc.blocks) {
    switch (b.kind) {
      case Kind::kHeading:
        absl::StrAppend(&out, std::string(b.level, '#'), " ", MdEscape(b.text), "\n\n");
        break;
      case Kind::kParagraph:
        absl::StrAppend(&out, MdEscape(b.text), "\n\n");
        break;
      case Kind::kList:
        for (const auto& i : b.items) absl::StrAppend(&out, "- ", MdEscape(i), "\n");
        out += "\n";
        break;
      case Kind::kTable:
        for (size_t r = 0; r < b.rows.size(); ++r) {
          std::vector<std::string> cells;
          for (const auto& c : b.rows[r]) cells.push_back(MdEscape(c));
          absl::StrAppend(&out, "| ", absl::StrJoin(cells, " | "), " |\n");
          if (r == 0)
            absl::StrAppend(&out, "|",
                            absl::StrJoin(std::vector<std::string>(cells.size(), "---"), "|"),
                            "|\n");
        }
        out += "\n";
        break;
    }
  }
  return out;
}

std::string RenderHtml(const AgreementDocument& doc) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
      text::HtmlEscape(doc.title),
      "</title>\n<style>\n"
      "body{font-family:Georgia,'Noto Serif',serif;max-width:60rem;margin:2rem auto;padding:0 "
      "1.5rem;"
      "color:#1d232a;line-height:1.5}\n"
      "h1{font-size:1.9rem;border-bottom:3px solid #1f4e79;padding-bottom:.4rem}\n"
      "h2{font-size:1.3rem;color:#1f4e79;margin-top:2rem;border-bottom:1px solid #c9d3dd}\n"
      "h3{font-size:1.05rem;margin-bottom:.3rem}\n"
      "table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.6rem 0}\n"
      "th,td{border:1px solid #c9d3dd;padding:.35rem .5rem;text-align:left;vertical-align:top}\n"
      "th{background:#eef3f8}\nli{margin:.15rem 0}\n"
      "@media print{body{margin:0;max-width:none}}\n"
      "</style>\n</head>\n<body>\n");
  for (const DocBlock& b : doc.blocks) {
    switch (b.kind) {
      case Kind::kHeading:
        absl::StrAppend(&out, "<h", b.level, ">", text::HtmlEscape(b.text), "</h", b.level, ">\n");
        break;
      case Kind::kParagraph:
        absl::StrAppend(&out, "<p>", text::HtmlEscape(b.text), "</p>\n");
        break;
      case Kind::kList:
        out += "<ul>\n";
        for (const auto& i : b.items) absl::StrAppend(&out, "<li>", text::HtmlEscape(i), "</li>\n");
        out += "</ul>\n";
        break;
      case Kind::kTable:
        out += "<table>\n";
        for (size_t r = 0; r < b.rows.size(); ++r) {
          out += "<tr>";
          for (const auto& c : b.rows[r])
            absl::StrAppend(&out, r == 0 ? "<th>" : "<td>", text::HtmlEscape(c),
                            r == 0 ? "</th>" : "</td>");
          out += "</tr>\n";
        }
        out += "</table>\n";
        break;
    }
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace sla::contract
