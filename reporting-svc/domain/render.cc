#include "reporting-svc/domain/render.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/text/format.h"

namespace sla::reporting {
namespace {

using text::HtmlEscape;

std::string PriorityLabel(sla::v1::Priority p) {
  return p == sla::v1::PRIORITY_UNSPECIFIED ? "All" : absl::StrCat("P", static_cast<int>(p));
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

// Polyline points of values (ppm) over a plot of w × h at (x0, y0), 0 %..100 % bottom to top.
std::string Points(const std::vector<int64_t>& ppm, int x0, int y0, int w, int h) {
  std::string pts;
  const size_t n = ppm.size();
  for (size_t i = 0; i < n; ++i) {
    const int x = x0 + (n == 1 ? w / 2 : static_cast<int>(i * w / (n - 1)));
    const int y =
        y0 + h - static_cast<int>(std::clamp<int64_t>(ppm[i], 0, 1'000'000) * h / 1'000'000);
    absl::StrAppend(&pts, i ? " " : "", x, ",", y);
  }
  return pts;
}

std::string TrendChart(const v1::Report& r) {
  std::vector<int64_t> response, resolution;
  for (const auto& t : r.trend()) {
    response.push_back(t.response_met_ppm());
    resolution.push_back(t.resolution_met_ppm());
  }
  const int x0 = 50, y0 = 20, w = 560, h = 180;
  std::string s = absl::StrCat(
      "<svg role=\"img\" aria-label=\"Compliance trend\" width=\"640\" height=\"250\" viewBox=\"0 "
      "0 640 250\" "
      "xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"",
      x0, "\" y=\"", y0, "\" width=\"", w, "\" height=\"", h,
      "\" fill=\"#f6f8fa\" stroke=\"#999\"/>\n");
  for (int pct : {0, 50, 100}) {
    const int y = y0 + h - pct * h / 100;
    absl::StrAppend(&s, "<text x=\"", x0 - 6, "\" y=\"", y + 4,
                    "\" font-size=\"11\" text-anchor=\"end\">", pct, " %</text>\n");
  }
  const size_t n = r.trend_size();
  for (size_t i = 0; i < n; ++i) {
    const int x = x0 + (n == 1 ? w / 2 : static_cast<int>(i * w / (n - 1)));
    absl::StrAppend(&s, "<text x=\"", x, "\" y=\"", y0 + h + 16,
                    "\" font-size=\"10\" text-anchor=\"middle\">",
                    HtmlEscape(r.trend(static_cast<int>(i)).period().substr(2)), "</text>\n");
  }
  absl::StrAppend(&s, "<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"3\" points=\"",
                  Points(response, x0, y0, w, h), "\"/>\n");
  absl::StrAppend(&s, "<polyline fill=\"none\" stroke=\"#d97706\" stroke-width=\"3\" points=\"",
                  Points(resolution, x0, y0, w, h), "\"/>\n");
  absl::StrAppend(
      &s, "<text x=\"", x0, "\" y=\"245\" font-size=\"12\" fill=\"#1f6feb\">■ response met</text>",
      "<text x=\"", x0 + 160,
      "\" y=\"245\" font-size=\"12\" fill=\"#d97706\">■ resolution met</text>\n", "</svg>\n");
  return s;
}

std::string AvailabilityChart(const v1::Report& r) {
  if (r.availability_size() == 0) return "<p>No availability targets.</p>\n";
  const int row = 34, x0 = 160, w = 440;
  // The axis spans from a little below the lowest figure to 100 %, so 99.9 % and 99.95 % differ.
  int64_t low = 1'000'000;
  for (const auto& a : r.availability()) low = std::min({low, a.actual_ppm(), a.target_ppm()});
  const int64_t floor_ppm = std::max<int64_t>(0, low - (1'000'000 - low) / 4 - 100);
  auto x_of = [&](int64_t ppm) {
    return x0 +
           static_cast<int>((std::max(ppm, floor_ppm) - floor_ppm) * w / (1'000'000 - floor_ppm));
  };
  const int height = 40 + row * r.availability_size();
  std::string s = absl::StrCat(
      "<svg role=\"img\" aria-label=\"Availability against target\" width=\"720\" height=\"",
      height, "\" xmlns=\"http://www.w3.org/2000/svg\">\n");
  int y = 10;
  for (const auto& a : r.availability()) {
    absl::StrAppend(&s, "<text x=\"", x0 - 8, "\" y=\"", y + 17,
                    "\" font-size=\"12\" text-anchor=\"end\">", HtmlEscape(a.service_id()),
                    "</text>\n");
    absl::StrAppend(&s, "<rect x=\"", x0, "\" y=\"", y + 4, "\" width=\"",
                    x_of(a.actual_ppm()) - x0, "\" height=\"20\" fill=\"",
                    a.met() ? "#2da44e" : "#cf222e", "\"/>\n");
    const int tx = x_of(a.target_ppm());
    absl::StrAppend(&s, "<line x1=\"", tx, "\" x2=\"", tx, "\" y1=\"", y, "\" y2=\"", y + 28,
                    "\" stroke=\"#000\" stroke-width=\"2\"/>\n");
    absl::StrAppend(&s, "<text x=\"", x0 + w + 6, "\" y=\"", y + 17, "\" font-size=\"11\">",
                    PercentText(a.actual_ppm()), "</text>\n");
    y += row;
  }
  absl::StrAppend(&s, "<text x=\"", x0, "\" y=\"", y + 20, "\" font-size=\"11\">axis ",
                  PercentText(floor_ppm), " to 100 %; black line: target</text>\n</svg>\n");
  return s;
}

std::string BreachChart(const v1::Report& r) {
  int64_t most = 1;
  for (const auto& p : r.priorities()) most = std::max(most, p.breach_count());
  const int h = 150, bw = 60, x0 = 40;
  std::string s = absl::StrCat("<svg role=\"img\" aria-label=\"Breaches by priority\" width=\"",
                               x0 + 80 * std::max(1, r.priorities_size()) + 20,
                               "\" height=\"200\" xmlns=\"http://www.w3.org/2000/svg\">\n");
  int x = x0;
  for (const auto& p : r.priorities()) {
    const int bh = static_cast<int>(p.breach_count() * h / most);
    absl::StrAppend(&s, "<rect x=\"", x, "\" y=\"", 20 + h - bh, "\" width=\"", bw, "\" height=\"",
                    bh, "\" fill=\"#8250df\"/>\n");
    absl::StrAppend(&s, "<text x=\"", x + bw / 2, "\" y=\"", 14 + h - bh,
                    "\" font-size=\"12\" text-anchor=\"middle\">", p.breach_count(), "</text>\n");
    absl::StrAppend(&s, "<text x=\"", x + bw / 2, "\" y=\"", 20 + h + 16,
                    "\" font-size=\"12\" text-anchor=\"middle\">", PriorityLabel(p.priority()),
                    "</text>\n");
    x += 80;
  }
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

void Row(std::string& out, std::initializer_list<std::string> cells) {
  out += "<tr>";
  for (const std::string& c : cells) absl::StrAppend(&out, "<td>", HtmlEscape(c), "</td>");
  out += "</tr>\n";
}

}  // namespace

std::string PercentText(int64_t ppm) { return text::FormatPpmPercent(ppm); }

namespace {
// "mean / p90" of business time, or a dash when nothing was measured.
std::string MeanP90(const v1::DurationStats& d) {
  if (d.count() == 0) return "—";
  return absl::StrCat(DurationText(d.mean_business_seconds()), " / ",
                      DurationText(d.p90_business_seconds()));
}
}  // namespace

std::string DurationText(int64_t seconds) {
  if (seconds < 3600) return absl::StrFormat("%d min %02d s", seconds / 60, seconds % 60);
  return absl::StrFormat("%d h %02d min", seconds / 3600, seconds % 3600 / 60);
}

std::string RenderJson(const v1::Report& report) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(report, &out, o);
  return out;
}

std::string RenderCsv(const v1::Report& r) {
  std::string out = "section,key,metric,value\n";
  auto add = [&](const std::string& section, const std::string& key, const std::string& metric,
                 const std::string& value) {
    absl::StrAppend(&out, CsvField(section), ",", CsvField(key), ",", CsvField(metric), ",",
                    CsvField(value), "\n");
  };
  add("report", r.name(), "period", r.period());
  add("report", r.name(), "revision", absl::StrCat(r.revision()));
  add("report", r.name(), "terms_version", r.terms_version());
  std::vector<const v1::PriorityCompliance*> all;
  for (const auto& p : r.priorities()) all.push_back(&p);
  all.push_back(&r.total());
  for (const v1::PriorityCompliance* p : all) {
    const std::string key = PriorityLabel(p->priority());
    add("compliance", key, "tickets", absl::StrCat(p->ticket_count()));
    add("compliance", key, "response_met_ppm", absl::StrCat(p->response_met_ppm()));
    add("compliance", key, "resolution_met_ppm", absl::StrCat(p->resolution_met_ppm()));
    add("compliance", key, "mean_response_business_s",
        absl::StrCat(p->time_to_respond().mean_business_seconds()));
    add("compliance", key, "p90_response_business_s",
        absl::StrCat(p->time_to_respond().p90_business_seconds()));
    add("compliance", key, "mean_resolution_business_s",
        absl::StrCat(p->time_to_resolve().mean_business_seconds()));
    add("compliance", key, "p90_resolution_business_s",
        absl::StrCat(p->time_to_resolve().p90_business_seconds()));
    add("compliance", key, "mean_resolution_wall_s",
        absl::StrCat(p->time_to_resolve().mean_wall_seconds()));
    add("compliance", key, "p90_resolution_wall_s",
        absl::StrCat(p->time_to_resolve().p90_wall_seconds()));
    add("compliance", key, "breaches", absl::StrCat(p->breach_count()));
    add("compliance", key, "reopen_rate_ppm", absl::StrCat(p->reopen_rate_ppm()));
    add("compliance", key, "rca_completed",
        absl::StrCat(p->rca_completed(), "/", p->rca_required()));
    if (!p->response_target_text().empty())
      add("compliance", key, "response_target", p->response_target_text());
    if (!p->resolution_target_text().empty())
      add("compliance", key, "resolution_target", p->resolution_target_text());
  }
  for (const auto& a : r.availability()) {
    add("availability", a.service_id(), "target_ppm", absl::StrCat(a.target_ppm()));
    add("availability", a.service_id(), "actual_ppm", absl::StrCat(a.actual_ppm()));
    add("availability", a.service_id(), "met", a.met() ? "yes" : "no");
    add("availability", a.service_id(), "downtime_minutes", absl::StrCat(a.downtime_minutes()));
    add("availability", a.service_id(), "planned_minutes", absl::StrCat(a.planned_minutes()));
    add("availability", a.service_id(), "excluded_minutes", absl::StrCat(a.excluded_minutes()));
  }
  for (const auto& e : r.escalations())
    add("escalations", absl::StrCat("level ", e.level()), "fired", absl::StrCat(e.count()));
  for (const auto& c : r.credits()) {
    add("credits", c.credit_note().empty() ? c.status() : c.credit_note(), "amount_minor",
        absl::StrCat(c.amount_minor(), " ", c.currency()));
    add("credits", c.credit_note().empty() ? c.status() : c.credit_note(), "cap_cut_minor",
        absl::StrCat(c.cap_cut_minor()));
  }
  for (const auto& b : r.breaches()) {
    add("breaches", b.ticket(), sla::v1::ClockKind_Name(b.clock()), TimeText(b.breach_time()));
  }
  for (const auto& t : r.trend()) {
    add("trend", t.period(), "tickets", absl::StrCat(t.ticket_count()));
    add("trend", t.period(), "response_met_ppm", absl::StrCat(t.response_met_ppm()));
    add("trend", t.period(), "resolution_met_ppm", absl::StrCat(t.resolution_met_ppm()));
    add("trend", t.period(), "breaches", absl::StrCat(t.breach_count()));
    add("trend", t.period(), "credits_minor", absl::StrCat(t.credits_minor()));
    if (t.availability_ppm() > 0)
      add("trend", t.period(), "availability_ppm", absl::StrCat(t.availability_ppm()));
  }
  return out;
}

namespace {

// The head of the page and what identifies the report (name, revision, period, terms).
std::string HtmlHeader(const v1::Report& r) {
  const std::string title = absl::StrCat("SLA compliance report ", r.period());
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
      HtmlEscape(title),
      "</title>\n<style>body{font-family:sans-serif;margin:2em;color:#111;max-width:60em}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px "
      "8px;text-align:left}"
      "th{background:#eef}.miss{color:#cf222e;font-weight:bold}.ok{color:#1a7f37}</style>\n</"
      "head>\n<body>\n",
      "<h1>", HtmlEscape(title), "</h1>\n<p>", HtmlEscape(r.name()), " — revision ", r.revision(),
      r.revision() == 0 ? " (figures as of now, not issued)" : "", "<br>Period ",
      TimeText(r.period_start()), " to ", TimeText(r.period_end()), " (", HtmlEscape(r.time_zone()),
      ")<br>Terms: ", HtmlEscape(r.terms_version()), "<br>Issued ", TimeText(r.issue_time()),
      "</p>\n");
  if (!r.revision_note().empty())
    absl::StrAppend(&out, "<p><em>", HtmlEscape(r.revision_note()), "</em></p>\n");

  return out;
}

void HtmlPriorities(const v1::Report& r, std::string& out) {
  out +=
      "<h2>Response and resolution</h2>\n<table>\n<tr><th>Priority</th><th>Tickets</th><th>Target "
      "(contract)</th>"
      "<th>Met</th><th>Mean / p90 (business)</th><th>Breaches</th><th>Reopen "
      "rate</th><th>RCA</th></tr>\n";
  for (const auto& p : r.priorities()) {
    const bool resp_ok = p.response_decided() == p.response_met();
    const bool res_ok = p.resolution_decided() == p.resolution_met();
    absl::StrAppend(
        &out, "<tr><td rowspan=\"2\">", PriorityLabel(p.priority()), "</td><td rowspan=\"2\">",
        p.ticket_count(), "</td><td>", HtmlEscape(p.response_target_text()), "</td><td class=\"",
        resp_ok ? "ok" : "miss", "\">", PercentText(p.response_met_ppm()), " (", p.response_met(),
        "/", p.response_decided(), ")</td><td>", MeanP90(p.time_to_respond()),
        "</td><td rowspan=\"2\">", p.breach_count(), "</td><td rowspan=\"2\">",
        PercentText(p.reopen_rate_ppm()), "</td><td rowspan=\"2\">", p.rca_completed(), "/",
        p.rca_required(), "</td></tr>\n<tr><td>", HtmlEscape(p.resolution_target_text()),
        "</td><td class=\"", res_ok ? "ok" : "miss", "\">", PercentText(p.resolution_met_ppm()),
        " (", p.resolution_met(), "/", p.resolution_decided(), ")</td><td>",
        MeanP90(p.time_to_resolve()), "</td></tr>\n");
  }
  absl::StrAppend(&out, "</table>\n<p>All priorities: ", r.total().ticket_count(),
                  " tickets, response met ", PercentText(r.total().response_met_ppm()),
                  ", resolution met ", PercentText(r.total().resolution_met_ppm()), ", ",
                  r.total().breach_count(), " breaches.</p>\n");
  out += "<h3>Breaches by priority</h3>\n" + BreachChart(r);
}

void HtmlAvailability(const v1::Report& r, std::string& out) {
  out +=
      "<h2>Availability</h2>\n<table>\n<tr><th>Service</th><th>Target "
      "(contract)</th><th>Measured</th>"
      "<th>Downtime (min)</th><th>Planned (min)</th><th>Excluded (min)</th></tr>\n";
  for (const auto& a : r.availability()) {
    absl::StrAppend(&out, "<tr><td>", HtmlEscape(a.service_id()), "</td><td>",
                    HtmlEscape(a.target_text()), "</td><td class=\"", a.met() ? "ok" : "miss",
                    "\">", PercentText(a.actual_ppm()), "</td><td>", a.downtime_minutes(),
                    "</td><td>", a.planned_minutes(), "</td><td>", a.excluded_minutes(),
                    "</td></tr>\n");
  }
  out += "</table>\n" + AvailabilityChart(r);
}

void HtmlEscalationsAndCredits(const v1::Report& r, std::string& out) {
  out += "<h2>Escalations</h2>\n<table>\n<tr><th>Level</th><th>Fired</th><th>By hand</th></tr>\n";
  for (const auto& e : r.escalations())
    Row(out, {absl::StrCat(e.level()), absl::StrCat(e.count()), absl::StrCat(e.manual())});
  out +=
      "</table>\n<h2>Service "
      "credits</h2>\n<table>\n<tr><th>Document</th><th>Status</th><th>Amount</th>"
      "<th>Cut by caps</th></tr>\n";
  for (const auto& c : r.credits()) {
    Row(out, {c.credit_note(), c.status(),
              absl::StrCat(c.amount_minor(), " ", c.currency(), " (minor units)"),
              absl::StrCat(c.cap_cut_minor())});
  }
}

void HtmlTrendAndBreaches(const v1::Report& r, std::string& out) {
  out += "</table>\n<h2>Trend (12 periods)</h2>\n" + TrendChart(r);
  out +=
      "<table>\n<tr><th>Period</th><th>Tickets</th><th>Response met</th><th>Resolution "
      "met</th><th>Breaches</th>"
      "<th>Lowest availability</th><th>Credits (minor)</th></tr>\n";
  for (const auto& t : r.trend()) {
    const bool any = t.ticket_count() > 0;
    Row(out,
        {t.period(), absl::StrCat(t.ticket_count()), any ? PercentText(t.response_met_ppm()) : "—",
         any ? PercentText(t.resolution_met_ppm()) : "—", absl::StrCat(t.breach_count()),
         t.availability_ppm() > 0 ? PercentText(t.availability_ppm()) : "—",
         absl::StrCat(t.credits_minor())});
  }
  out +=
      "</table>\n<h2>Breaches</h2>\n<table>\n<tr><th>Ticket</th><th>Clock</th><th>Priority</"
      "th><th>At</th></tr>\n";
  for (const auto& b : r.breaches()) {
    Row(out, {b.ticket(), sla::v1::ClockKind_Name(b.clock()), PriorityLabel(b.priority()),
              TimeText(b.breach_time())});
  }
  out += "</table>\n";
  if (r.breaches_not_listed() > 0)
    absl::StrAppend(&out, "<p>and ", r.breaches_not_listed(), " more.</p>\n");
}

}  // namespace

std::string RenderHtml(const v1::Report& r) {
  std::string out = HtmlHeader(r);
  HtmlPriorities(r, out);
  HtmlAvailability(r, out);
  HtmlEscalationsAndCredits(r, out);
  HtmlTrendAndBreaches(r, out);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace sla::reporting
