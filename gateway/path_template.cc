#include "gateway/path_template.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sla::gateway {
namespace {

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("path template \"", text, "\": ", why));
}

bool IsIdent(absl::string_view s) {
  if (s.empty() || absl::ascii_isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsLiteral(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != '~') {
      return false;
    }
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool PercentDecode(absl::string_view in, bool keep_reserved, std::string* out) {
  static constexpr absl::string_view kReserved = ":/?#[]@!$&'()*+,;=";
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    const char c = static_cast<char>(hi * 16 + lo);
    if (keep_reserved && kReserved.find(c) != absl::string_view::npos) {
      out->append(in.data() + i, 3);
    } else {
      out->push_back(c);
    }
    i += 2;
  }
  return true;
}

namespace {

// Splits on '/' outside braces (`a/{name=b/*}/c` is three parts).
std::vector<absl::string_view> SplitOutsideBraces(absl::string_view rest) {
  std::vector<absl::string_view> parts;
  size_t start = 0, depth = 0;
  for (size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || (rest[i] == '/' && depth == 0)) {
      parts.push_back(rest.substr(start, i - start));
      start = i + 1;
    } else if (rest[i] == '{') {
      ++depth;
    } else if (rest[i] == '}') {
      --depth;
    }
  }
  return parts;
}

}  // namespace

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  if (!absl::StartsWith(text, "/")) return Bad(text, "must start with \"/\"");
  absl::string_view rest = text.substr(1);
  // The verb follows the last ':' outside braces.
  size_t depth = 0, colon = absl::string_view::npos;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '{') ++depth;
    if (rest[i] == '}') {
      if (depth == 0) return Bad(text, "unbalanced \"}\"");
      --depth;
    }
    if (rest[i] == ':' && depth == 0) colon = i;
  }
  if (depth != 0) return Bad(text, "unbalanced \"{\"");
  if (colon != absl::string_view::npos) {
    t.verb_ = std::string(rest.substr(colon + 1));
    if (!IsLiteral(t.verb_)) return Bad(text, "the verb must be a literal");
    rest = rest.substr(0, colon);
  }
  const std::vector<absl::string_view> parts = SplitOutsideBraces(rest);
  auto add_plain = [&](absl::string_view s) -> absl::Status {
    if (s == "*") {
      t.segments_.push_back({Kind::kSingle, ""});
    } else if (s == "**") {
      t.segments_.push_back({Kind::kMulti, ""});
    } else if (IsLiteral(s)) {
      t.segments_.push_back({Kind::kLiteral, std::string(s)});
    } else {
      return Bad(text, absl::StrCat("segment \"", s, "\" is neither *, ** nor a literal"));
    }
    return absl::OkStatus();
  };
  for (absl::string_view part : parts) {
    if (part.empty()) return Bad(text, "empty segment");
    if (part.front() != '{') {
      if (absl::Status s = add_plain(part); !s.ok()) return s;
      continue;
    }
    if (part.back() != '}') return Bad(text, absl::StrCat("\"", part, "\" must end with \"}\""));
    absl::string_view inner = part.substr(1, part.size() - 2);
    const size_t eq = inner.find('=');
    Variable v;
    v.field_path = std::string(inner.substr(0, eq));
    for (absl::string_view ident : absl::StrSplit(v.field_path, '.')) {
      if (!IsIdent(ident))
        return Bad(text, absl::StrCat("\"", v.field_path, "\" is not a field path"));
    }
    for (const Variable& other : t.variables_) {
      if (other.field_path == v.field_path)
        return Bad(text, absl::StrCat("\"", v.field_path, "\" is bound twice"));
    }
    v.begin = t.segments_.size();
    if (eq == absl::string_view::npos) {
      t.segments_.push_back({Kind::kSingle, ""});
    } else {
      for (absl::string_view s : absl::StrSplit(inner.substr(eq + 1), '/')) {
        if (s.find_first_of("{}") != absl::string_view::npos) return Bad(text, "nested variables");
        if (s.empty()) return Bad(text, "empty segment");
        if (absl::Status st = add_plain(s); !st.ok()) return st;
      }
    }
    v.end = t.segments_.size();
    t.variables_.push_back(std::move(v));
  }
  for (size_t i = 0; i < t.segments_.size(); ++i) {
    if (t.segments_[i].kind == Kind::kMulti && i + 1 != t.segments_.size()) {
      return Bad(text, "\"**\" may only be the last segment");
    }
  }
  return t;
}

bool PathTemplate::Match(absl::string_view path, Bindings* bindings) const {
  if (!absl::StartsWith(path, "/")) return false;
  absl::string_view rest = path.substr(1);
  if (!verb_.empty()) {
    const std::string suffix = absl::StrCat(":", verb_);
    if (!absl::EndsWith(rest, suffix)) return false;
    rest.remove_suffix(suffix.size());
  }
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  // Which request segments each template segment took: [first, last).
  std::vector<std::pair<size_t, size_t>> taken(segments_.size());
  size_t at = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.kind == Kind::kMulti) {
      taken[i] = {at, parts.size()};
      at = parts.size();
      break;
    }
    if (at >= parts.size() || parts[at].empty()) return false;
    if (s.kind == Kind::kLiteral && parts[at] != s.literal) return false;
    taken[i] = {at, at + 1};
    ++at;
  }
  if (at != parts.size()) return false;
  Bindings out;
  for (const Variable& v : variables_) {
    const size_t first = taken[v.begin].first;
    const size_t last = taken[v.end - 1].second;
    const bool single =
        last - first == 1 && segments_[v.begin].kind == Kind::kSingle && v.end - v.begin == 1;
    std::string raw;
    for (size_t k = first; k < last; ++k) absl::StrAppend(&raw, k == first ? "" : "/", parts[k]);
    std::string value;
    if (!PercentDecode(raw, /*keep_reserved=*/!single, &value)) return false;
    out.emplace_back(v.field_path, std::move(value));
  }
  *bindings = std::move(out);
  return true;
}

int PathTemplate::Specificity() const {
  int literals = 0;
  bool multi = false;
  for (const Segment& s : segments_) {
    literals += s.kind == Kind::kLiteral;
    multi = multi || s.kind == Kind::kMulti;
  }
  return (verb_.empty() ? 0 : 10000) + literals * 10 + (multi ? 0 : 1);
}

std::string PathTemplate::OpenApiPath(std::vector<std::string>* params) const {
  std::string out;
  params->clear();
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    out += "/";
    if (s.kind == Kind::kLiteral) {
      out += s.literal;
      continue;
    }
    std::string name;
    for (const Variable& v : variables_) {
      if (v.begin == i && v.end == i + 1) {  // "{message_id}": the field's last name
        const size_t dot = v.field_path.rfind('.');
        name = dot == std::string::npos ? v.field_path : v.field_path.substr(dot + 1);
      }
    }
    if (name.empty() && i > 0 && segments_[i - 1].kind == Kind::kLiteral) {  // "customers/*"
      name = segments_[i - 1].literal;
      if (absl::EndsWith(name, "ies")) {
        name = name.substr(0, name.size() - 3) + "y";
      } else if (absl::EndsWith(name, "s")) {
        name.pop_back();
      }
    }
    if (name.empty()) name = absl::StrCat("segment", i);
    if (s.kind == Kind::kMulti) name += "Path";
    while (std::find(params->begin(), params->end(), name) != params->end()) name += "_";
    params->push_back(name);
    absl::StrAppend(&out, "{", name, "}");
  }
  if (!verb_.empty()) absl::StrAppend(&out, ":", verb_);
  return out;
}

std::vector<std::string> PathTemplate::FieldPaths() const {
  std::vector<std::string> out;
  for (const Variable& v : variables_) out.push_back(v.field_path);
  return out;
}

}  // namespace sla::gateway
