// Conversion of the shared proto model's calendars (sla.v1.BusinessCalendar) into the
// engine's CalendarSpec, validating on the way. Errors are INVALID_ARGUMENT naming the field
// path below `field_prefix`, e.g. "calendar.weekly_intervals[1].day".
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/calendar/business_calendar.h"
#include "sla/v1/calendar.pb.h"

namespace sla::calendar {

absl::StatusOr<CalendarSpec> SpecFromProto(const sla::v1::BusinessCalendar& proto,
                                           absl::string_view field_prefix);

}  // namespace sla::calendar
