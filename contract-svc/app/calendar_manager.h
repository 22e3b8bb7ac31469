// Use cases of business calendars. msp_admin creates and updates; every authenticated role
// reads (calendars are the MSP's, named in its customers' contracts). Input is validated by
// common/calendar (zone, intervals, holidays), so a stored calendar always compiles.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/request_key.h"
#include "common/server/identity.h"
#include "contract-svc/storage/calendar_repository.h"

namespace sla::contract {

class CalendarManager {
 public:
  CalendarManager(CalendarRepository* repo, std::function<absl::Time()> clock,
                  std::function<std::string()> new_id);

  absl::StatusOr<sla::v1::BusinessCalendar> Create(const server::Identity& caller,
                                                   const sla::v1::BusinessCalendar& calendar,
                                                   const std::string& calendar_id,
                                                   const api::RequestKey& request_id);
  absl::StatusOr<sla::v1::BusinessCalendar> Get(const server::Identity& caller,
                                                const std::string& name);

  struct Page {
    std::vector<sla::v1::BusinessCalendar> calendars;
    std::string next_page_token;
  };
  absl::StatusOr<Page> List(const server::Identity& caller, int page_size,
                            const std::string& page_token);

  // Replaces the fields named in `mask` (display_name, time_zone, always_open,
  // weekly_intervals, holidays) if `patch.etag()` matches; ABORTED on a stale etag;
  // FAILED_PRECONDITION if an activated contract version names the calendar.
  absl::StatusOr<sla::v1::BusinessCalendar> Update(const server::Identity& caller,
                                                   const sla::v1::BusinessCalendar& patch,
                                                   const std::vector<std::string>& mask);

 private:
  CalendarRepository* repo_;
  std::function<absl::Time()> clock_;
  std::function<std::string()> new_id_;
};

// "calendars/bangkok-office" → "bangkok-office"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCalendarName(absl::string_view name, absl::string_view field);

}  // namespace sla::contract
