// The two RPCs that serve an outbox: ListEvents (a page after a position) and WatchEvents
// (the same pages, then new events as the sequencer numbers them, until the client goes, its
// token expires or the server drains). Templated on the messages: sla.v1.EventService's typed
// envelope, and the services' earlier envelope (sequence, epoch, type, subject, event_time,
// customer, payload_json), served for one more release, whose requests have the same fields
// (after, epoch, after_digest, page_size, max_bytes).
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <string>
#include <type_traits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "common/outbox/payload.h"
#include "common/outbox/sequencer.h"
#include "common/server/identity.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "sla/v1/event_service.pb.h"

namespace sla::outbox {

// Event streams carry every customer's events: for the MSP's staff and systems only.
inline absl::Status RequireEventReader(const server::Identity& who) {
  if (who.HasAnyRole({"msp_admin", "msp_agent", "service", "billing_system"}))
    return absl::OkStatus();
  return PermissionDenied("events are for the MSP's staff and systems");
}

inline constexpr int64_t kDefaultPageBytes = int64_t{1} << 20;
// Under gRPC's default 4 MiB receive limit, with room for the envelope's own fields.
inline constexpr int64_t kMaxPageBytes = int64_t{3} << 20;

// Open WatchEvents streams, bounded in total and per caller: each holds a server thread and
// polls the database, so a client that opens streams in a loop must not starve the others.
class WatchSlots {
 public:
  WatchSlots(int total, int per_subject) : total_(total), per_subject_(per_subject) {}
  // RESOURCE_EXHAUSTED when full; otherwise the caller holds a slot until Release.
  absl::Status Acquire(const std::string& subject) {
    absl::MutexLock lock(&mu_);
    if (open_ >= total_)
      return absl::ResourceExhaustedError("too many event streams are open; retry later");
    int& mine = by_subject_[subject];
    if (mine >= per_subject_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("at most ", per_subject_, " event streams per caller; close one first"));
    }
    ++mine;
    ++open_;
    return absl::OkStatus();
  }
  void Release(const std::string& subject) {
    absl::MutexLock lock(&mu_);
    --open_;
    if (--by_subject_[subject] == 0) by_subject_.erase(subject);
  }

 private:
  const int total_;
  const int per_subject_;
  absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, int> by_subject_ ABSL_GUARDED_BY(mu_);
};

// The earlier envelope: the payload as JSON (as stored, for rows of earlier releases).
template <typename Event>
void ToEvent(const Stored& e, const std::string& /*stream*/, const std::string& epoch, Event* out) {
  out->set_sequence(e.seq);
  out->set_epoch(epoch);
  out->set_type(e.row.type);
  out->set_subject(e.row.subject);
  out->mutable_event_time()->set_seconds(e.row.event_time);
  out->set_customer(absl::StrCat("customers/", e.row.customer_id));
  out->set_payload_json(e.legacy_json.empty() ? PayloadJson(e.row.payload) : e.legacy_json);
}

inline void ToEvent(const Stored& e, const std::string& stream, const std::string& epoch,
                    sla::v1::Event* out) {
  out->set_stream(stream);
  out->set_epoch(epoch);
  out->set_sequence(e.seq);
  out->mutable_event_time()->set_seconds(e.row.event_time);
  out->set_producer(stream);
  out->set_type(e.row.type);
  out->set_subject(e.row.subject);
  out->set_customer(absl::StrCat("customers/", e.row.customer_id));
  *out->mutable_payload() = e.row.payload;
}

// `page_size` 0 → 100, 1..1000; `max_bytes` 0 → 1 MiB, at most 3 MiB.
template <typename Request, typename Response>
absl::Status ListPage(mysql::ConnectionPool& pool, const std::string& stream, const Request& req,
                      Response* out) {
  if (req.after() < 0) return InvalidField("after", "must not be negative");
  int page_size = req.page_size() == 0 ? 100 : req.page_size();
  if (page_size < 1 || page_size > 1000) return InvalidField("page_size", "must be within 1..1000");
  const int64_t max_bytes = req.max_bytes() == 0 ? kDefaultPageBytes : req.max_bytes();
  if (max_bytes < 1 || max_bytes > kMaxPageBytes) {
    return InvalidField("max_bytes", absl::StrCat("must be within 1..", kMaxPageBytes));
  }
  Head head;
  std::vector<Stored> events;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(head, ReadHead(c));
    SLA_RETURN_IF_ERROR(CheckPosition(c, head, req.epoch(), req.after(), req.after_digest()));
    SLA_ASSIGN_OR_RETURN(events, List(c, req.after(), page_size, max_bytes));
    return absl::OkStatus();
  }));
  if constexpr (std::is_same_v<Response, sla::v1::ListEventsResponse>) out->set_stream(stream);
  out->set_epoch(head.epoch);
  out->set_last_sequence(head.last_seq);
  for (const Stored& e : events) ToEvent(e, stream, head.epoch, out->add_events());
  return absl::OkStatus();
}

// A watch's place in the stream. The first read checks the caller's position (`epoch`,
// `digest` of the event at `after`); later reads check that the stream's history has not
// changed under the watch.
struct WatchCursor {
  WatchCursor(int64_t after, std::string epoch, std::string digest)
      : position(after), asked_epoch(std::move(epoch)), asked_digest(std::move(digest)) {}
  int64_t position;  // the last event sent
  std::string asked_epoch;
  std::string asked_digest;
  std::string epoch;  // the stream's, once checked
  bool checked = false;
};
inline constexpr int kWatchPage = 500;
// The next page after `w.position` (not advanced: the caller advances it as events go out).
absl::StatusOr<std::vector<Stored>> ReadWatchPage(mysql::ConnectionPool& pool, WatchCursor& w);
// Why a watch ends before its client leaves, if it must: the server drains (UNAVAILABLE), or
// the caller's credential expired (UNAUTHENTICATED); both say where to resume.
absl::Status WatchMayGoOn(const std::atomic<bool>& draining, absl::Time now, absl::Time expires,
                          int64_t position);

// Ends with UNAVAILABLE (and the position to resume from) once `draining` is set: the server
// is shutting down, and the client should reconnect, to this replica or another. Ends with
// UNAUTHENTICATED when the caller's credential expires (`who.expires`, against `clock`), and
// with STREAM_REWOUND when the stream's history changes under it. Holds a server thread for
// the stream's life: the services' earlier WatchEvents; sla.v1.EventService's holds none.
template <typename Request, typename Event>
absl::Status Watch(mysql::ConnectionPool& pool, Sequencer& sequencer, const std::string& stream,
                   const Request& req, const server::Identity& who,
                   const std::function<absl::Time()>& clock, grpc::ServerContext* ctx,
                   grpc::ServerWriter<Event>* writer, const std::atomic<bool>& draining,
                   WatchSlots& slots) {
  if (req.after() < 0) return InvalidField("after", "must not be negative");
  SLA_RETURN_IF_ERROR(slots.Acquire(who.subject));
  struct Release {
    WatchSlots& slots;
    const std::string& subject;
    ~Release() { slots.Release(subject); }
  } release{slots, who.subject};
  WatchCursor w(req.after(), req.epoch(), req.after_digest());
  // Headers (with the request id) go out now: the stream may stay quiet for a long time.
  writer->SendInitialMetadata();
  while (!ctx->IsCancelled()) {
    SLA_RETURN_IF_ERROR(WatchMayGoOn(draining, clock(), who.expires, w.position));
    // Observe the generation before reading, so a pass that lands in between wakes us.
    const int64_t generation = sequencer.generation();
    SLA_ASSIGN_OR_RETURN(const std::vector<Stored> events, ReadWatchPage(pool, w));
    for (const Stored& e : events) {
      Event out;
      ToEvent(e, stream, w.epoch, &out);
      if (!writer->Write(out)) return absl::OkStatus();  // the client went away
      w.position = e.seq;
    }
    if (events.size() < static_cast<size_t>(kWatchPage))
      sequencer.WaitForEvents(generation, absl::Milliseconds(250));
  }
  return absl::OkStatus();
}

}  // namespace sla::outbox
