#include "common/outbox/feed.h"

namespace sla::outbox {

absl::StatusOr<std::vector<Stored>> ReadWatchPage(mysql::ConnectionPool& pool, WatchCursor& w) {
  std::vector<Stored> events;
  SLA_RETURN_IF_ERROR(mysql::WithConnection(pool, [&](mysql::Connection& c) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(const Head head, ReadHead(c));
    if (!w.checked) {
      SLA_RETURN_IF_ERROR(CheckPosition(c, head, w.asked_epoch, w.position, w.asked_digest));
      w.epoch = head.epoch;
      w.checked = true;
    } else if (head.epoch != w.epoch || head.last_seq < w.position) {
      return StreamRewound(absl::StrCat("the stream's history changed under the watch at ", w.epoch,
                                        "/", w.position));
    }
    SLA_ASSIGN_OR_RETURN(events, List(c, w.position, kWatchPage, kDefaultPageBytes));
    return absl::OkStatus();
  }));
  return events;
}

absl::Status WatchMayGoOn(const std::atomic<bool>& draining, absl::Time now, absl::Time expires,
                          int64_t position) {
  if (draining.load()) {
    return absl::UnavailableError(
        absl::StrCat("the server is shutting down; resume with after=", position));
  }
  if (now >= expires) {
    return absl::UnauthenticatedError(
        absl::StrCat("the token expired; reconnect with a fresh one and after=", position));
  }
  return absl::OkStatus();
}

}  // namespace sla::outbox
