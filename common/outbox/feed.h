// The two RPCs that serve an outbox: ListEvents (a page after a cursor) and WatchEvents (the
// same pages, then new events as the sequencer numbers them, until the client goes). Templated
// on the service's Event message, which has sequence, type, subject, event_time, customer and
// payload_json.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "common/outbox/sequencer.h"
#include "common/server/identity.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::outbox {

// Event streams carry every customer's events: for the MSP's staff and systems only.
inline absl::Status RequireEventReader(const server::Identity& who) {
  if (who.HasAnyRole({"msp_admin", "msp_agent", "service", "billing_system"})) return absl::OkStatus();
  return PermissionDenied("events are for the MSP's staff and systems");
}

template <typename Event>
void ToEvent(const Stored& e, Event* out) {
  out->set_sequence(e.seq);
  out->set_type(e.row.type);
  out->set_subject(e.row.subject);
  out->mutable_event_time()->set_seconds(e.row.event_time);
  out->set_customer(absl::StrCat("customers/", e.row.customer_id));
  out->set_payload_json(e.row.payload);
}

// `page_size` 0 → 100, 1..1000.
template <typename Event>
absl::Status ListPage(mysql::ConnectionPool& pool, int64_t after, int page_size,
                      google::protobuf::RepeatedPtrField<Event>* out) {
  if (after < 0) return InvalidField("after", "must not be negative");
  if (page_size == 0) page_size = 100;
  if (page_size < 1 || page_size > 1000) return InvalidField("page_size", "must be within 1..1000");
  std::vector<Stored> events;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(events, List(c, after, page_size));
    return absl::OkStatus();
  }));
  for (const Stored& e : events) ToEvent(e, out->Add());
  return absl::OkStatus();
}

// Ends with UNAVAILABLE (and the cursor to resume from) once `draining` is set: the server is
// shutting down, and the client should reconnect, to this replica or another.
template <typename Event>
absl::Status Watch(mysql::ConnectionPool& pool, Sequencer& sequencer, int64_t after,
                   grpc::ServerContext* ctx, grpc::ServerWriter<Event>* writer,
                   const std::atomic<bool>& draining) {
  if (after < 0) return InvalidField("after", "must not be negative");
  constexpr int kPage = 500;
  int64_t cursor = after;
  // Headers (with the request id) go out now: the stream may stay quiet for a long time.
  writer->SendInitialMetadata();
  while (!ctx->IsCancelled()) {
    if (draining.load()) {
      return absl::UnavailableError(
          absl::StrCat("the server is shutting down; resume with after=", cursor));
    }
    // Observe the generation before reading, so a pass that lands in between wakes us.
    const int64_t generation = sequencer.generation();
    std::vector<Stored> events;
    SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(events, List(c, cursor, kPage));
      return absl::OkStatus();
    }));
    for (const Stored& e : events) {
      Event out;
      ToEvent(e, &out);
      if (!writer->Write(out)) return absl::OkStatus();  // the client went away
      cursor = e.seq;
    }
    if (events.size() < kPage) sequencer.WaitForEvents(generation, absl::Milliseconds(250));
  }
  return absl::OkStatus();
}

}  // namespace sla::outbox
