#include "contract-svc/domain/customer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"

namespace sla::contract {

absl::Status ValidateCustomer(const Customer& c) {
  if (absl::StripAsciiWhitespace(c.display_name).empty()) {
    return InvalidField("customer.display_name", "is required");
  }
  if (c.display_name.size() > 200)
    return InvalidField("customer.display_name", "at most 200 characters");
  if (!c.time_zone.empty()) {
    absl::TimeZone tz;
    if (c.time_zone.size() > 64 || !absl::LoadTimeZone(c.time_zone, &tz)) {
      return InvalidField("customer.time_zone", "must be an IANA time zone, e.g. Asia/Bangkok");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseCustomerName(absl::string_view name, absl::string_view field) {
  absl::string_view id = name;
  bool ok = absl::ConsumePrefix(&id, "customers/") && !id.empty() && id.size() <= 64;
  for (char ch : id) ok = ok && (absl::ascii_isalnum(ch) || ch == '-' || ch == '_');
  if (!ok) return InvalidField(field, "must be `customers/{customer}`");
  return std::string(id);
}

}  // namespace sla::contract
