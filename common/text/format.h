// Text shared by the documents the suite renders (agreements, reports): exact percentages,
// durations in words, HTML escaping.
#pragma once

#include <cstdint>
#include <string>

namespace sla::text {

// 999000 → "99.9 %", 1000000 → "100 %", 25 → "0.0025 %": exact, trailing zeros dropped.
std::string FormatPpmPercent(int64_t ppm);
// 900 → "15 minutes", 14400 → "4 hours", 5400 → "1 hour 30 minutes", 86400 → "24 hours".
std::string FormatTarget(int64_t seconds);
// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(const std::string& s);

}  // namespace sla::text
