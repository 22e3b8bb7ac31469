#include "common/api/list_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace sla::api {
namespace {

constexpr absl::string_view kTokenVersion = "p1";

std::string FilterHash(absl::string_view filter) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across processes and builds
  for (unsigned char c : filter) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", h);
}

bool IsFieldChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '.'; }

}  // namespace

absl::StatusOr<int> PageSize(int requested) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return InvalidField("page_size", absl::StrCat("must be within 0..", kMaxPageSize));
  }
  return requested;
}

absl::Status CheckFilterField(const Restriction& r,
                              std::initializer_list<absl::string_view> fields) {
  const std::string path = absl::StrCat("filter.", r.field);
  bool known = false;
  for (absl::string_view f : fields) known = known || f == r.field;
  if (!known)
    return InvalidField(path, absl::StrCat("unknown field (", absl::StrJoin(fields, ", "), ")"));
  if (r.op != '=') return InvalidField(path, "supports only `=`");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<OrderBy>> ParseOrderBy(
    absl::string_view order_by, std::initializer_list<absl::string_view> fields) {
  const std::vector<absl::string_view> words =
      absl::StrSplit(order_by, ' ', absl::SkipWhitespace());
  if (words.empty()) return std::optional<OrderBy>();
  const std::string known =
      absl::StrCat("sort by one of ", absl::StrJoin(fields, ", "), ", optionally with ` desc`");
  if (absl::StrContains(order_by, ','))
    return InvalidField("order_by", absl::StrCat("one field only: ", known));
  OrderBy out;
  out.field = std::string(words[0]);
  if (words.size() == 2 && (words[1] == "desc" || words[1] == "asc")) {
    out.descending = words[1] == "desc";
  } else if (words.size() != 1) {
    return InvalidField("order_by",
                        absl::StrCat("`", order_by, "` is not `field` or `field desc`: ", known));
  }
  bool ok = false;
  for (absl::string_view f : fields) ok = ok || f == out.field;
  if (!ok)
    return InvalidField("order_by", absl::StrCat("`", out.field, "` cannot be sorted on: ", known));
  return std::optional<OrderBy>(std::move(out));
}

std::string PageBinding(absl::string_view filter, absl::string_view order_by) {
  if (absl::StripAsciiWhitespace(order_by).empty()) return std::string(filter);
  return absl::StrCat(filter, "\norder_by=", absl::StripAsciiWhitespace(order_by));
}

absl::StatusOr<std::vector<Restriction>> ParseFilter(absl::string_view f) {
  if (f.size() > 1000) return InvalidField("filter", "at most 1000 characters");
  std::vector<Restriction> out;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < f.size() && absl::ascii_isspace(f[i])) ++i;
  };
  auto fail = [&](absl::string_view why) {
    return InvalidField("filter", absl::StrCat(why, " at position ", i));
  };
  skip_space();
  while (i < f.size()) {
    Restriction r;
    while (i < f.size() && IsFieldChar(f[i])) r.field.push_back(f[i++]);
    if (r.field.empty()) return fail("expected a field name");
    skip_space();
    if (i >= f.size() || (f[i] != '=' && f[i] != ':')) return fail("expected `=` or `:`");
    r.op = f[i++];
    skip_space();
    if (i < f.size() && f[i] == '"') {
      ++i;
      while (i < f.size() && f[i] != '"') {
        if (f[i] == '\\' && i + 1 < f.size()) ++i;
        r.value.push_back(f[i++]);
      }
      if (i >= f.size()) return fail("unterminated string");
      ++i;
    } else {
      while (i < f.size() && !absl::ascii_isspace(f[i])) r.value.push_back(f[i++]);
      if (r.value.empty()) return fail("expected a value");
    }
    out.push_back(std::move(r));
    skip_space();
    if (i < f.size()) {
      if (f.substr(i, 3) != "AND" || (i + 3 < f.size() && !absl::ascii_isspace(f[i + 3]))) {
        return fail("expected AND");
      }
      i += 3;
      skip_space();
      if (i >= f.size()) return fail("expected a restriction after AND");
    }
  }
  return out;
}

std::string EncodePageToken(absl::string_view last_key, absl::string_view filter) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kTokenVersion, "|", FilterHash(filter), "|", last_key));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view filter) {
  if (token.empty()) return std::string();
  std::string raw;
  if (token.size() > 2048 || !absl::WebSafeBase64Unescape(token, &raw)) {
    return InvalidField("page_token", "is not a token this service issued");
  }
  const std::string prefix = absl::StrCat(kTokenVersion, "|", FilterHash(filter), "|");
  if (!absl::StartsWith(raw, prefix)) {
    return InvalidField("page_token",
                        "was issued for another filter, or is not a token this service issued");
  }
  return raw.substr(prefix.size());
}

}  // namespace sla::api
