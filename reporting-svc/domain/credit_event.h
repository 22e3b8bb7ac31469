// What billing-svc's events say about a period's credit, read from their typed payloads: the
// part of reporting-svc's billing consumer that needs no database (and is fuzzed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "reporting-svc/domain/report_name.h"
#include "sla/v1/events.pb.h"

namespace sla::reporting {

struct CreditEvent {
  enum class Kind {
    kSet,     // the period's own credit note, or its deferred or dropped credit: the figure
    kAdjust,  // a later delta credit note, debit note (negative) or revised amount: added
  };
  Kind kind = Kind::kSet;
  Scope contract;      // customer and contract
  int period = 0;      // year × 12 + month − 1
  std::string status;  // "issued", "deferred", "dropped"
  std::string note;    // the credit or debit note's name, if any
  std::string currency;
  int64_t amount_minor = 0;
  int64_t cap_cut_minor = 0;
};

// nullopt for event types that do not concern credits. INVALID_ARGUMENT naming `payload.<field>`
// for a field that is missing or out of range.
absl::StatusOr<std::optional<CreditEvent>> ReadCreditEvent(const std::string& type,
                                                           const sla::v1::CreditEventPayload& p);

}  // namespace sla::reporting
