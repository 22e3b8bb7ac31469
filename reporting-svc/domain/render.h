// A report in the formats people and programs read: JSON (the proto's JSON form), CSV (one
// figure per row: section, key, metric, value) and a self-contained HTML page with inline SVG
// charts (compliance trend, availability against target, breaches by priority) and the
// contract's wording of each target next to the measured figure. No external resources: the
// page opens offline, in a mail client's viewer or a browser.
#pragma once

#include <string>

#include "sla/reporting/v1/reporting_service.pb.h"

namespace sla::reporting {

std::string RenderJson(const v1::Report& report);
std::string RenderCsv(const v1::Report& report);
std::string RenderHtml(const v1::Report& report);

// "99.95 %" from ppm, "1 h 05 min" from seconds.
std::string PercentText(int64_t ppm);
std::string DurationText(int64_t seconds);

}  // namespace sla::reporting
