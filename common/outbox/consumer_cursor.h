// A consumer's position in another service's event stream, kept in its own `consumer_cursor`
// table (source, last_seq) and written in the transaction that applies the events before it:
// the effects and the position commit together, so a crash replays nothing twice and loses
// nothing. Reading it FOR UPDATE serialises replicas that follow the same stream.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/mysql/connection_pool.h"

namespace sla::outbox {

// 0 when the stream was never read.
absl::StatusOr<int64_t> GetCursor(mysql::Connection& c, const std::string& source, bool for_update);
absl::Status SetCursor(mysql::Connection& c, const std::string& source, int64_t seq);

}  // namespace sla::outbox
