// Pieces of AIP list requests every service shares: page size bounds, opaque page tokens, and
// a small filter language (AIP-160 subset).
//
// Filter: restrictions joined by AND, each `field = value` (equality) or `field : value`
// (contains, case-insensitive); values are bare words or "double-quoted" strings.
//   state = ACTIVE AND display_name : "acme"
//
// Page token: opaque to clients; it carries the last key of the previous page and a hash of
// the filter, so a token used with another filter is INVALID_ARGUMENT rather than wrong data.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla::api {

// A page request of a List RPC (AIP-132/158/160 fields), as use cases take it.
struct PageRequest {
  std::string parent;
  int page_size = 0;
  std::string page_token;
  std::string filter;    // "" where the RPC has none
  std::string order_by;  // "" where the RPC has none
};

// The PageRequest of a List request message (any with parent, page_size and page_token; filter
// and order_by where it has them).
template <typename ListRequest>
PageRequest PageOf(const ListRequest& req) {
  PageRequest p{req.parent(), req.page_size(), req.page_token(), "", ""};
  if constexpr (requires { req.filter(); }) p.filter = req.filter();
  if constexpr (requires { req.order_by(); }) p.order_by = req.order_by();
  return p;
}

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// 0 → the default; 1..1000 as given; anything else INVALID_ARGUMENT naming `page_size`.
absl::StatusOr<int> PageSize(int requested);

struct Restriction {
  std::string field;
  char op;  // '=' or ':'
  std::string value;
};

// OK if `r` names one of `fields` with `=`. Otherwise INVALID_ARGUMENT naming `filter.<field>`:
// an unknown field lists the known ones (whatever the operator), a known one with `:` says
// that only `=` is supported for it.
absl::Status CheckFilterField(const Restriction& r,
                              std::initializer_list<absl::string_view> fields);

// INVALID_ARGUMENT naming `filter` for a malformed expression, at most 1,000 characters.
absl::StatusOr<std::vector<Restriction>> ParseFilter(absl::string_view filter);

// AIP-132 `order_by`: one field, optionally followed by ` desc` ("next_due_time",
// "issue_time desc"). Empty: nullopt, the list's natural order. INVALID_ARGUMENT naming
// `order_by` for another field (listing `fields`), several fields or a malformed text.
struct OrderBy {
  std::string field;
  bool descending = false;
};
absl::StatusOr<std::optional<OrderBy>> ParseOrderBy(
    absl::string_view order_by, std::initializer_list<absl::string_view> fields);

// What a page token is bound to: the filter and, when one is given, the order. A token made
// under another filter or order is refused (tokens made before orders existed stay valid).
std::string PageBinding(absl::string_view filter, absl::string_view order_by);

// The token for the page after `last_key`.
std::string EncodePageToken(absl::string_view last_key, absl::string_view filter);
// The last key of the previous page ("" for an empty token); INVALID_ARGUMENT naming
// `page_token` if it is malformed or was made for another filter.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view filter);

}  // namespace sla::api
