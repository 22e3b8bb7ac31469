#include "common/api/resource_name.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace sla::api {

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    return absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
  });
}

absl::StatusOr<std::pair<std::string, std::string>> ParseCustomerChild(absl::string_view name,
                                                                       absl::string_view collection,
                                                                       absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "customers" || parts[2] != collection ||
      !ValidId(parts[1]) || !ValidId(parts[3])) {
    return InvalidField(field, absl::StrCat("must be customers/{customer}/", collection, "/{id}"));
  }
  return std::make_pair(std::string(parts[1]), std::string(parts[3]));
}

absl::StatusOr<std::string> ParseCustomerParent(absl::string_view parent, bool allow_all) {
  std::vector<absl::string_view> parts = absl::StrSplit(parent, '/');
  if (parts.size() == 2 && parts[0] == "customers" &&
      (ValidId(parts[1]) || (allow_all && parts[1] == "-"))) {
    return std::string(parts[1] == "-" ? "" : parts[1]);
  }
  return InvalidField("parent", allow_all ? "must be customers/{customer} or customers/-"
                                          : "must be customers/{customer}");
}

}  // namespace sla::api
