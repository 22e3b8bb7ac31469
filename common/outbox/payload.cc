#include "common/outbox/payload.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::outbox {

using sla::v1::EventPayload;

EventPayload::KindCase FamilyOf(absl::string_view type) {
  if (absl::StartsWith(type, "ticket.") || absl::StartsWith(type, "clock.") ||
      absl::StartsWith(type, "escalation.")) {
    return EventPayload::kTicket;
  }
  if (absl::StartsWith(type, "outage.")) return EventPayload::kOutage;
  if (type == "credit_note.issued" || type == "debit_note.issued" ||
      absl::StartsWith(type, "credit.")) {
    return EventPayload::kCredit;
  }
  if (absl::StartsWith(type, "invoice.")) return EventPayload::kInvoice;
  if (absl::StartsWith(type, "termination_right.")) return EventPayload::kTerminationRight;
  if (absl::StartsWith(type, "report.")) return EventPayload::kReport;
  if (type == "event.dead_lettered") return EventPayload::kDeadLetter;
  return EventPayload::KIND_NOT_SET;
}

absl::Status CheckFamily(absl::string_view type, const EventPayload& payload) {
  const EventPayload::KindCase want = FamilyOf(type);
  if (want != EventPayload::KIND_NOT_SET && payload.kind_case() == want) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("an event of type ", type, " carries payload case ",
                                          static_cast<int>(payload.kind_case()), ", not ",
                                          static_cast<int>(want)));
}

absl::Status RequirePayload(absl::string_view type, const EventPayload& payload) {
  if (FamilyOf(type) != EventPayload::KIND_NOT_SET && payload.kind_case() == FamilyOf(type)) {
    return absl::OkStatus();
  }
  return absl::DataLossError(absl::StrCat("the ", type, " event carries no readable payload"));
}

namespace {

// The family's message inside `payload`, created.
google::protobuf::Message* MutableFamily(EventPayload& payload, EventPayload::KindCase kind) {
  const google::protobuf::FieldDescriptor* field =
      EventPayload::descriptor()->FindFieldByNumber(static_cast<int>(kind));
  if (field == nullptr) return nullptr;
  return payload.GetReflection()->MutableMessage(&payload, field);
}

}  // namespace

absl::StatusOr<EventPayload> PayloadFromJson(absl::string_view type, absl::string_view json) {
  const EventPayload::KindCase kind = FamilyOf(type);
  if (kind == EventPayload::KIND_NOT_SET) {
    return InvalidField("type", absl::StrCat("\"", type, "\" is of no known event family"));
  }
  EventPayload payload;
  google::protobuf::util::JsonParseOptions options;
  // Rows of an earlier release may hold fields this one no longer declares.
  options.ignore_unknown_fields = true;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      std::string(json), MutableFamily(payload, kind), options);
  if (!parsed.ok()) {
    return absl::DataLossError(
        absl::StrCat("the ", type, " payload does not parse: ", parsed.message().as_string()));
  }
  return payload;
}

std::string PayloadJson(const EventPayload& payload) {
  if (payload.kind_case() == EventPayload::KIND_NOT_SET) return "{}";
  const google::protobuf::FieldDescriptor* field =
      EventPayload::descriptor()->FindFieldByNumber(static_cast<int>(payload.kind_case()));
  const google::protobuf::Message& family = payload.GetReflection()->GetMessage(payload, field);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  // Printing a well-formed message does not fail.
  (void)google::protobuf::util::MessageToJsonString(family, &out, options);
  return out;
}

}  // namespace sla::outbox
