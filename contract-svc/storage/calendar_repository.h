// Storage of named business calendars (sla.v1.BusinessCalendar), in domain terms.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/request_key.h"
#include "sla/v1/calendar.pb.h"

namespace sla::contract {

// A stored calendar: the message (output-only fields filled) and its version (the etag).
struct StoredCalendar {
  sla::v1::BusinessCalendar calendar;
  int64_t version = 0;
  // Set by Update only: whether an activated contract version names this calendar.
  bool in_use = false;
};

class CalendarRepository {
 public:
  virtual ~CalendarRepository() = default;
  // Inserts calendar `id`, or returns the one an earlier request with `request_id` created.
  virtual absl::StatusOr<StoredCalendar> Create(const std::string& id,
                                                const sla::v1::BusinessCalendar& calendar,
                                                absl::Time now, const api::RequestKey& request_id,
                                                const std::string& caller) = 0;
  virtual absl::StatusOr<StoredCalendar> Get(const std::string& id) = 0;
  // Ordered by id, ids after `after_id`, at most `limit` + 1.
  virtual absl::StatusOr<std::vector<StoredCalendar>> List(const std::string& after_id,
                                                           int limit) = 0;
  // Read, mutate, write with version + 1, atomically.
  virtual absl::StatusOr<StoredCalendar> Update(
      const std::string& id, const std::function<absl::Status(StoredCalendar&)>& mutate,
      absl::Time now) = 0;
};

}  // namespace sla::contract
