// ticket-svc's request messages as the use cases take them (domain/inputs.h). Header-only and
// free of gRPC, so the fuzzers convert the messages they build the way the service does.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "common/status/errors.h"
#include "google/protobuf/timestamp.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "ticket-svc/domain/inputs.h"

namespace sla::ticket::convert {

namespace pb = ::sla::ticket::v1;

inline NewTicketInput FromRequest(const pb::CreateTicketRequest& req) {
  const pb::Ticket& t = req.ticket();
  return {req.parent(), t.contract(),    t.service_id(), t.priority(),
          t.title(),    t.description(), t.reporter(),   req.request_id()};
}

inline NewCommentInput FromRequest(const pb::AddCommentRequest& req) {
  const pb::Comment& c = req.comment();
  return {req.parent(), c.body(), c.visibility(), c.kind(), c.awaits_reply(), req.request_id()};
}

// A timestamp field in Unix seconds (nullopt when unset); INVALID_ARGUMENT naming `field`
// outside years 1970..9999 or with nanos out of range.
inline absl::StatusOr<std::optional<int64_t>> Seconds(bool has,
                                                      const google::protobuf::Timestamp& t,
                                                      const char* field) {
  if (!has) return std::optional<int64_t>();
  if (t.seconds() < 0 || t.seconds() > 253402300799 || t.nanos() < 0 || t.nanos() > 999999999) {
    return InvalidField(field, "is not a valid timestamp");
  }
  return std::optional<int64_t>(t.seconds());
}

inline absl::StatusOr<NewOutageInput> FromRequest(const pb::CreateOutageRequest& req) {
  const pb::Outage& o = req.outage();
  NewOutageInput in{req.parent(), o.contract(),     o.service_id(), std::nullopt, std::nullopt,
                    o.planned(),  o.exclusion_id(), o.ticket(),     o.summary(),  req.request_id()};
  absl::StatusOr<std::optional<int64_t>> start =
      Seconds(o.has_start_time(), o.start_time(), "outage.start_time");
  if (!start.ok()) return start.status();
  absl::StatusOr<std::optional<int64_t>> end =
      Seconds(o.has_end_time(), o.end_time(), "outage.end_time");
  if (!end.ok()) return end.status();
  in.start_time = *start;
  in.end_time = *end;
  return in;
}

}  // namespace sla::ticket::convert
