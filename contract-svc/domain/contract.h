// Contracts and their versions. A contract is a DRAFT (terms editable), then ACTIVE with
// immutable versions of its terms, each in force from its `effective_from` until the next
// one's, and finally TERMINATED at its termination time.
// Resource names: `customers/{customer}/contracts/{contract}` and `…/versions/{n}`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sla/v1/terms.pb.h"

namespace sla::contract {

struct Contract {
  enum class State { kDraft = 1, kActive = 2, kTerminated = 3 };

  std::string customer_id;
  std::string id;
  std::string display_name;
  State state = State::kDraft;
  sla::v1::SlaTerms draft_terms;  // meaningful while kDraft
  int latest_version = 0;         // 0 while kDraft
  std::optional<absl::Time> termination_time;
  std::string termination_reason;
  int64_t version = 0;  // the etag
  absl::Time create_time;
  absl::Time update_time;

  std::string name() const { return "customers/" + customer_id + "/contracts/" + id; }
  std::string etag() const { return std::to_string(version); }
};

struct ContractVersion {
  std::string customer_id;
  std::string contract_id;
  int version = 0;
  sla::v1::SlaTerms terms;  // calendars snapshotted, effective_from set
  absl::Time effective_from;

  std::string name() const {
    return "customers/" + customer_id + "/contracts/" + contract_id + "/versions/" +
           std::to_string(version);
  }
};

struct ContractName {
  std::string customer_id;
  std::string contract_id;
};

// "customers/a/contracts/b" → {a, b}; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<ContractName> ParseContractName(absl::string_view name, absl::string_view field);

}  // namespace sla::contract
