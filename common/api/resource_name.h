// Resource names of customer-owned resources, `customers/{customer}/{collection}/{id}`, as
// ticket-svc and billing-svc spell them. Ids are 1..63 characters of [A-Za-z0-9_-].
#pragma once

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla::api {

bool ValidId(absl::string_view id);

// `customers/{c}/{collection}/{id}` → {c, id}; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::pair<std::string, std::string>> ParseCustomerChild(absl::string_view name,
                                                                       absl::string_view collection,
                                                                       absl::string_view field);

// `customers/{c}` → c; with `allow_all`, `customers/-` → "" (every customer the caller may see).
// INVALID_ARGUMENT naming `parent` otherwise.
absl::StatusOr<std::string> ParseCustomerParent(absl::string_view parent, bool allow_all);

}  // namespace sla::api
