#include "common/text/format.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace sla::text {

std::string FormatPpmPercent(int64_t ppm) {
  std::string s = absl::StrCat(ppm / 10000);
  int64_t frac = ppm % 10000;
  if (frac != 0) {
    std::string f = absl::StrFormat("%04d", frac);
    while (!f.empty() && f.back() == '0') f.pop_back();
    absl::StrAppend(&s, ".", f);
  }
  return s + " %";
}

std::string FormatTarget(int64_t seconds) {
  const int64_t h = seconds / 3600, m = seconds % 3600 / 60, sec = seconds % 60;
  std::vector<std::string> parts;
  if (h > 0) parts.push_back(absl::StrCat(h, h == 1 ? " hour" : " hours"));
  if (m > 0) parts.push_back(absl::StrCat(m, m == 1 ? " minute" : " minutes"));
  if (sec > 0 || parts.empty())
    parts.push_back(absl::StrCat(sec, sec == 1 ? " second" : " seconds"));
  return absl::StrJoin(parts, " ");
}

std::string HtmlEscape(const std::string& s) {
  return absl::StrReplaceAll(
      s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

}  // namespace sla::text
