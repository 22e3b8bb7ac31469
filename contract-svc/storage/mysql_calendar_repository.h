// CalendarRepository on MariaDB (table `calendars`, migration V0003).
#pragma once

#include "common/api/request_key.h"
#include "common/mysql/connection_pool.h"
#include "contract-svc/storage/calendar_repository.h"

namespace sla::contract {

class MySqlCalendarRepository final : public CalendarRepository {
 public:
  explicit MySqlCalendarRepository(mysql::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<StoredCalendar> Create(const std::string& id,
                                        const sla::v1::BusinessCalendar& calendar, absl::Time now,
                                        const api::RequestKey& request_id,
                                        const std::string& caller) override;
  absl::StatusOr<StoredCalendar> Get(const std::string& id) override;
  absl::StatusOr<std::vector<StoredCalendar>> List(const std::string& after_id, int limit) override;
  absl::StatusOr<StoredCalendar> Update(const std::string& id,
                                        const std::function<absl::Status(StoredCalendar&)>& mutate,
                                        absl::Time now) override;

 private:
  mysql::ConnectionPool* pool_;
};

}  // namespace sla::contract
