// The typed payload of an outbox event (sla.v1.EventPayload), and its JSON form for the
// services' earlier event envelope (`payload_json`), which is still served for one release.
//
// Each event type belongs to one family, one case of the payload's oneof: a producer that
// writes a payload of another family is refused (a programming error, never stored), and a
// consumer reads the case its type names.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sla/v1/events.pb.h"

namespace sla::outbox {

// The payload case events of `type` carry; KIND_NOT_SET for a type of no known family.
sla::v1::EventPayload::KindCase FamilyOf(absl::string_view type);

// INTERNAL unless `payload` is of `type`'s family.
absl::Status CheckFamily(absl::string_view type, const sla::v1::EventPayload& payload);

// For consumers: DATA_LOSS unless `payload` is of `type`'s family (the producer's row could
// not be read as one); the event is then set aside with this reason.
absl::Status RequirePayload(absl::string_view type, const sla::v1::EventPayload& payload);

// The payload of a row written before typed payloads: `json` parsed as the message of
// `type`'s family (keys as the proto's field names; numbers also as strings, as producers
// wrote them). DATA_LOSS when it does not parse, INVALID_ARGUMENT for a type of no family.
absl::StatusOr<sla::v1::EventPayload> PayloadFromJson(absl::string_view type,
                                                      absl::string_view json);

// The earlier envelope's `payload_json`: the family message's proto JSON with the proto's
// field names (snake_case); fields at their default are left out.
std::string PayloadJson(const sla::v1::EventPayload& payload);

}  // namespace sla::outbox
