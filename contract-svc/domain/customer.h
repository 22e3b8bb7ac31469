// Customers: the MSP's tenants. Resource name `customers/{customer}`.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sla::contract {

struct Customer {
  enum class State { kActive = 1, kSuspended = 2, kArchived = 3 };

  std::string id;
  std::string display_name;
  State state = State::kActive;
  std::string time_zone;  // IANA; may be empty
  int64_t version = 0;    // bumped by every update; the etag
  absl::Time create_time;
  absl::Time update_time;

  std::string name() const { return "customers/" + id; }
  std::string etag() const { return std::to_string(version); }
};

// Validates the fields a client sets; INVALID_ARGUMENT naming `customer.<field>`.
absl::Status ValidateCustomer(const Customer& c);

// "customers/cust-1" → "cust-1"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCustomerName(absl::string_view name, absl::string_view field);

}  // namespace sla::contract
