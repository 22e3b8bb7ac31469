#include "common/calendar/calendar_proto.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::calendar {
namespace {

std::string Path(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

absl::StatusOr<absl::Weekday> Weekday(sla::v1::DayOfWeek d, const std::string& path) {
  switch (d) {
    case sla::v1::MONDAY:
      return absl::Weekday::monday;
    case sla::v1::TUESDAY:
      return absl::Weekday::tuesday;
    case sla::v1::WEDNESDAY:
      return absl::Weekday::wednesday;
    case sla::v1::THURSDAY:
      return absl::Weekday::thursday;
    case sla::v1::FRIDAY:
      return absl::Weekday::friday;
    case sla::v1::SATURDAY:
      return absl::Weekday::saturday;
    case sla::v1::SUNDAY:
      return absl::Weekday::sunday;
    default:
      return InvalidField(path, "must be a day of the week");
  }
}

}  // namespace

absl::StatusOr<CalendarSpec> SpecFromProto(const sla::v1::BusinessCalendar& proto,
                                           absl::string_view prefix) {
  if (proto.display_name().size() > 200) {
    return InvalidField(Path(prefix, "display_name"), "at most 200 characters");
  }
  CalendarSpec spec;
  spec.time_zone = proto.time_zone();
  spec.always_open = proto.always_open();
  // Sizes are checked before copying so that an oversized request costs nothing more.
  if (proto.weekly_intervals_size() > kMaxWeeklyIntervals) {
    return InvalidField(Path(prefix, "weekly_intervals"),
                        absl::StrCat("at most ", kMaxWeeklyIntervals, " intervals"));
  }
  if (proto.holidays_size() > kMaxHolidays) {
    return InvalidField(Path(prefix, "holidays"),
                        absl::StrCat("at most ", kMaxHolidays, " holidays"));
  }
  for (int i = 0; i < proto.weekly_intervals_size(); ++i) {
    const auto& w = proto.weekly_intervals(i);
    absl::StatusOr<absl::Weekday> day =
        Weekday(w.day(), Path(prefix, absl::StrCat("weekly_intervals[", i, "].day")));
    if (!day.ok()) return day.status();
    spec.weekly.push_back({*day, w.start_minute(), w.end_minute()});
  }
  for (int i = 0; i < proto.holidays_size(); ++i) {
    const auto& h = proto.holidays(i);
    const std::string p = Path(prefix, absl::StrCat("holidays[", i, "]"));
    const auto& d = h.date();
    const absl::CivilDay day(d.year(), d.month(), d.day());
    // CivilDay normalises 2026-02-30 to 2026-03-02: a date that does not survive is invalid.
    if (!h.has_date() || d.year() < 1970 || d.year() > 9999 || day.year() != d.year() ||
        day.month() != d.month() || day.day() != d.day()) {
      return InvalidField(p + ".date", "must be a valid date between 1970 and 9999");
    }
    if (h.name().size() > 200) return InvalidField(p + ".name", "at most 200 characters");
    spec.holidays.push_back({day, h.start_minute(), h.end_minute()});
  }
  if (absl::Status s = ValidateSpec(spec, prefix); !s.ok()) return s;
  return spec;
}

}  // namespace sla::calendar
