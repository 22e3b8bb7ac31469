#include "common/calendar/calendar_proto.h"

#include "common/status/errors.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace sla::calendar {
namespace {

sla::v1::BusinessCalendar Parse(const char* text) {
  sla::v1::BusinessCalendar c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &c)) << text;
  return c;
}

constexpr char kBangkok[] = R"pb(
  display_name: "Bangkok office"
  time_zone: "Asia/Bangkok"
  weekly_intervals { day: MONDAY start_minute: 540 end_minute: 1020 }
  weekly_intervals { day: FRIDAY start_minute: 1320 end_minute: 360 }
  holidays {
    date { year: 2026 month: 12 day: 7 }
    name: "Constitution Day"
  }
  holidays {
    date { year: 2026 month: 12 day: 31 }
    start_minute: 720
    end_minute: 1440
  }
)pb";

TEST(CalendarProtoTest, ConvertsWeeklyIntervalsAndHolidays) {
  auto spec = SpecFromProto(Parse(kBangkok), "calendar");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->time_zone, "Asia/Bangkok");
  ASSERT_EQ(spec->weekly.size(), 2u);
  EXPECT_EQ(spec->weekly[1].day, absl::Weekday::friday);
  EXPECT_EQ(spec->weekly[1].end_minute, 360);  // overnight
  ASSERT_EQ(spec->holidays.size(), 2u);
  EXPECT_EQ(spec->holidays[0].date, absl::CivilDay(2026, 12, 7));
  EXPECT_EQ(spec->holidays[1].start_minute, 720);
}

TEST(CalendarProtoTest, RejectsBadDaysDatesAndSpecsWithFieldPaths) {
  auto bad_day = Parse(kBangkok);
  bad_day.mutable_weekly_intervals(1)->set_day(sla::v1::DAY_OF_WEEK_UNSPECIFIED);
  EXPECT_EQ(InvalidFieldPath(SpecFromProto(bad_day, "calendar").status()),
            "calendar.weekly_intervals[1].day");

  auto bad_date = Parse(kBangkok);
  bad_date.mutable_holidays(0)->mutable_date()->set_day(32);
  EXPECT_EQ(InvalidFieldPath(SpecFromProto(bad_date, "calendar").status()),
            "calendar.holidays[0].date");
  auto feb30 = Parse(kBangkok);
  feb30.mutable_holidays(0)->mutable_date()->set_month(2);
  feb30.mutable_holidays(0)->mutable_date()->set_day(30);
  EXPECT_EQ(InvalidFieldPath(SpecFromProto(feb30, "").status()), "holidays[0].date");

  auto bad_zone = Parse(kBangkok);
  bad_zone.set_time_zone("Asia/Atlantis");
  EXPECT_EQ(InvalidFieldPath(SpecFromProto(bad_zone, "calendar").status()), "calendar.time_zone");

  auto long_name = Parse(kBangkok);
  long_name.set_display_name(std::string(201, 'x'));
  EXPECT_EQ(InvalidFieldPath(SpecFromProto(long_name, "calendar").status()),
            "calendar.display_name");
}

}  // namespace
}  // namespace sla::calendar
