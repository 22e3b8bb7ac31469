#include "common/calendar/business_calendar.h"

#include "common/calendar/sla_clock.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace sla::calendar {
namespace {

using absl::CivilDay;
using absl::CivilSecond;
using absl::Weekday;

absl::TimeZone Zone(const char* name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

absl::Time Local(const char* zone, int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(CivilSecond(y, mo, d, h, mi, 0), Zone(zone));
}

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

std::vector<WeeklyInterval> Weekdays(int start_minute, int end_minute) {
  std::vector<WeeklyInterval> out;
  for (Weekday d : {Weekday::monday, Weekday::tuesday, Weekday::wednesday, Weekday::thursday,
                    Weekday::friday}) {
    out.push_back({d, start_minute, end_minute});
  }
  return out;
}

// DOMAIN.md's "Bangkok office": Asia/Bangkok, Mon–Fri 09:00–17:00, holiday 2026-12-07.
CalendarSpec BangkokOffice() {
  CalendarSpec spec;
  spec.time_zone = "Asia/Bangkok";
  spec.weekly = Weekdays(9 * 60, 17 * 60);
  spec.holidays = {{CivilDay(2026, 12, 7)}};
  return spec;
}

BusinessCalendar Compile(const CalendarSpec& spec) {
  auto cal = BusinessCalendar::Compile(spec, Utc(2025, 1, 1, 0, 0), Utc(2028, 1, 1, 0, 0));
  EXPECT_TRUE(cal.ok()) << cal.status();
  return *std::move(cal);
}

// --- DOMAIN.md worked examples ---

TEST(SlaClockTest, DueTimeSkipsWeekendAndHoliday) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  const absl::Time opened = Local("Asia/Bangkok", 2026, 12, 4, 16, 0);  // Friday
  const auto due = DueAt(cal, opened, absl::Hours(4), {});
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(*due, Local("Asia/Bangkok", 2026, 12, 8, 12, 0));
  EXPECT_EQ(*due, Utc(2026, 12, 8, 5, 0));
}

TEST(SlaClockTest, PauseWhileWaitingOnCustomerMovesDueTime) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  const absl::Time opened = Local("Asia/Bangkok", 2026, 12, 4, 16, 0);
  const Pause pause{Local("Asia/Bangkok", 2026, 12, 8, 9, 30),
                    Local("Asia/Bangkok", 2026, 12, 8, 11, 0)};
  const auto due = DueAt(cal, opened, absl::Hours(4), {pause});
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(*due, Local("Asia/Bangkok", 2026, 12, 8, 13, 30));
}

TEST(SlaClockTest, AlwaysOpenCalendarCrossesMidnight) {
  CalendarSpec spec{.time_zone = "UTC", .always_open = true};
  const BusinessCalendar cal = Compile(spec);
  const auto due = DueAt(cal, Utc(2026, 3, 1, 23, 55), absl::Minutes(15), {});
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, Utc(2026, 3, 2, 0, 10));
}

// --- Edge cases ---

TEST(SlaClockTest, OpenedWhileClosedStartsAtNextOpening) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  // Saturday 10:00; Monday 2026-12-07 is a holiday, so counting starts Tuesday 09:00.
  const auto due = DueAt(cal, Local("Asia/Bangkok", 2026, 12, 5, 10, 0), absl::Hours(1), {});
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, Local("Asia/Bangkok", 2026, 12, 8, 10, 0));
}

TEST(SlaClockTest, TargetEndingAtCloseIsDueAtCloseNotNextOpening) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  const auto due = DueAt(cal, Local("Asia/Bangkok", 2026, 12, 4, 16, 0), absl::Hours(1), {});
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, Local("Asia/Bangkok", 2026, 12, 4, 17, 0));
}

TEST(SlaClockTest, PauseSpanningClosedHours) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  // Friday 2026-11-27 16:00, paused 16:30 Friday → Monday 10:00: 30 min Friday, 3.5 h Monday.
  const Pause pause{Local("Asia/Bangkok", 2026, 11, 27, 16, 30),
                    Local("Asia/Bangkok", 2026, 11, 30, 10, 0)};
  const absl::Time opened = Local("Asia/Bangkok", 2026, 11, 27, 16, 0);
  const auto due = DueAt(cal, opened, absl::Hours(4), {pause});
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, Local("Asia/Bangkok", 2026, 11, 30, 13, 30));
  const auto consumed = Consumed(cal, opened, Local("Asia/Bangkok", 2026, 11, 30, 11, 0), {pause});
  ASSERT_TRUE(consumed.ok());
  EXPECT_EQ(*consumed, absl::Minutes(90));
}

TEST(SlaClockTest, OpenEndedPauseStopsTheClock) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  const absl::Time opened = Local("Asia/Bangkok", 2026, 11, 27, 9, 0);
  const Pause pause{Local("Asia/Bangkok", 2026, 11, 27, 10, 0), absl::InfiniteFuture()};
  EXPECT_EQ(*DueAt(cal, opened, absl::Hours(4), {pause}), absl::InfiniteFuture());
  // A target reached before the pause begins is still due.
  EXPECT_EQ(*DueAt(cal, opened, absl::Minutes(30), {pause}),
            Local("Asia/Bangkok", 2026, 11, 27, 9, 30));
  EXPECT_EQ(*Consumed(cal, opened, Local("Asia/Bangkok", 2026, 12, 1, 9, 0), {pause}),
            absl::Hours(1));
}

TEST(SlaClockTest, PriorityChangeKeepsConsumedTimeAndMayBreachAtOnce) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  const absl::Time opened = Local("Asia/Bangkok", 2026, 11, 30, 9, 0);
  const absl::Time changed = Local("Asia/Bangkok", 2026, 11, 30, 12, 0);  // 3 h consumed
  EXPECT_EQ(*Consumed(cal, opened, changed, {}), absl::Hours(3));
  // New target 2 h on the same start: due already passed at 11:00 → breached at once.
  const auto due = DueAt(cal, opened, absl::Hours(2), {});
  EXPECT_EQ(*due, Local("Asia/Bangkok", 2026, 11, 30, 11, 0));
  EXPECT_LT(*due, changed);
}

TEST(SlaClockTest, OvernightShiftCrossesMidnightAndHolidayCutsIt) {
  CalendarSpec spec{.time_zone = "UTC"};
  spec.weekly = {{Weekday::monday, 22 * 60, 6 * 60}};  // Mon 22:00 → Tue 06:00
  const BusinessCalendar cal = Compile(spec);
  const absl::Time mon = Utc(2026, 11, 23, 23, 0);  // Monday
  EXPECT_EQ(*DueAt(cal, mon, absl::Hours(2), {}), Utc(2026, 11, 24, 1, 0));
  // 7 h are left of this shift; the eighth hour is in next Monday's shift.
  EXPECT_EQ(*DueAt(cal, mon, absl::Hours(8), {}), Utc(2026, 11, 30, 23, 0));

  spec.holidays = {{CivilDay(2026, 11, 24)}};  // Tuesday: only Mon 22:00–24:00 remains
  const BusinessCalendar cut = Compile(spec);
  EXPECT_EQ(*cut.OpenTimeBetween(Utc(2026, 11, 23, 0, 0), Utc(2026, 11, 25, 0, 0)), absl::Hours(2));
}

TEST(SlaClockTest, PartialHolidayClosesPartOfTheDay) {
  CalendarSpec spec = BangkokOffice();
  spec.holidays.push_back({CivilDay(2026, 12, 31), 12 * 60, 17 * 60});
  const BusinessCalendar cal = Compile(spec);
  EXPECT_EQ(*cal.OpenTimeBetween(Local("Asia/Bangkok", 2026, 12, 31, 0, 0),
                                 Local("Asia/Bangkok", 2027, 1, 1, 0, 0)),
            absl::Hours(3));
}

TEST(SlaClockTest, DstGapShortensTheShift) {
  // America/New_York springs forward 2026-03-08 02:00 → 03:00.
  CalendarSpec spec{.time_zone = "America/New_York"};
  spec.weekly = {{Weekday::sunday, 60, 5 * 60}};
  const BusinessCalendar cal = Compile(spec);
  EXPECT_EQ(*cal.OpenTimeBetween(Utc(2026, 3, 8, 0, 0), Utc(2026, 3, 9, 0, 0)), absl::Hours(3));
  // A shift starting inside the gap starts when the gap ends (03:00 EDT = 07:00 UTC).
  spec.weekly = {{Weekday::sunday, 150, 4 * 60}};
  const BusinessCalendar in_gap = Compile(spec);
  EXPECT_FALSE(in_gap.IsOpen(Utc(2026, 3, 8, 6, 59)));
  EXPECT_TRUE(in_gap.IsOpen(Utc(2026, 3, 8, 7, 0)));
  EXPECT_EQ(*in_gap.OpenTimeBetween(Utc(2026, 3, 8, 0, 0), Utc(2026, 3, 9, 0, 0)), absl::Hours(1));
}

TEST(SlaClockTest, DstOverlapLengthensTheShiftWithoutAHole) {
  // America/New_York falls back 2026-11-01 02:00 EDT → 01:00 EST: 01:00–02:00 happens twice.
  CalendarSpec spec{.time_zone = "America/New_York"};
  spec.weekly = {{Weekday::sunday, 60, 3 * 60}};
  const BusinessCalendar cal = Compile(spec);
  EXPECT_EQ(*cal.OpenTimeBetween(Utc(2026, 11, 1, 0, 0), Utc(2026, 11, 2, 0, 0)), absl::Hours(3));
  // A shift starting at 01:30 starts at its first occurrence and stays open through the repeat.
  spec.weekly = {{Weekday::sunday, 90, 5 * 60}};
  const BusinessCalendar from_overlap = Compile(spec);
  EXPECT_TRUE(from_overlap.IsOpen(Utc(2026, 11, 1, 5, 30)));  // 01:30 EDT
  EXPECT_TRUE(from_overlap.IsOpen(Utc(2026, 11, 1, 6, 10)));  // 01:10 EST, the repeat
  EXPECT_EQ(*from_overlap.OpenTimeBetween(Utc(2026, 11, 1, 0, 0), Utc(2026, 11, 2, 0, 0)),
            absl::Minutes(270));
}

TEST(SlaClockTest, LordHoweHalfHourDstTransitions) {
  // Australia/Lord_Howe: +10:30 standard, +11:00 summer; 02:00 → 02:30 on 2026-10-04 and
  // 02:00 → 01:30 on 2026-04-05.
  CalendarSpec spec{.time_zone = "Australia/Lord_Howe"};
  spec.weekly = {{Weekday::sunday, 60, 4 * 60}};
  const BusinessCalendar cal = Compile(spec);
  const absl::TimeZone tz = Zone("Australia/Lord_Howe");
  auto day = [&](int y, int m, int d) {
    return *cal.OpenTimeBetween(absl::FromCivil(CivilDay(y, m, d), tz),
                                absl::FromCivil(CivilDay(y, m, d) + 1, tz));
  };
  EXPECT_EQ(day(2026, 10, 4), absl::Minutes(150));
  EXPECT_EQ(day(2026, 4, 5), absl::Minutes(210));
  EXPECT_EQ(day(2026, 10, 11), absl::Minutes(180));
}

TEST(SlaClockTest, OutsideHorizonIsOutOfRange) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  EXPECT_EQ(DueAt(cal, Utc(2030, 1, 1, 0, 0), absl::Hours(1), {}).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(DueAt(cal, Utc(2027, 12, 31, 9, 0), absl::Hours(100), {}).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(cal.OpenTimeBetween(Utc(2024, 1, 1, 0, 0), Utc(2026, 1, 1, 0, 0)).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(SlaClockTest, RejectsBadTargetsAndPauses) {
  const BusinessCalendar cal = Compile(BangkokOffice());
  const absl::Time t = Utc(2026, 6, 1, 3, 0);
  EXPECT_EQ(DueAt(cal, t, absl::ZeroDuration(), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<Pause> overlapping = {{t, t + absl::Hours(2)},
                                          {t + absl::Hours(1), t + absl::Hours(3)}};
  const absl::Status s = DueAt(cal, t, absl::Hours(1), overlapping).status();
  EXPECT_EQ(InvalidFieldPath(s), "pauses[1]");
  const std::vector<Pause> merged = NormalizePauses(overlapping);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].end, t + absl::Hours(3));
}

// --- Validation: every rule has a failing input and names the field path ---

TEST(CalendarSpecTest, ValidationNamesTheField) {
  CalendarSpec ok = BangkokOffice();
  EXPECT_TRUE(ValidateSpec(ok, "calendar").ok());

  CalendarSpec bad_zone = ok;
  bad_zone.time_zone = "Mars/Olympus";
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(bad_zone, "calendar")), "calendar.time_zone");
  // An oversized zone is refused without being looked up or echoed into the error.
  bad_zone.time_zone = std::string(100'000, 'x');
  const absl::Status long_zone = ValidateSpec(bad_zone, "calendar");
  EXPECT_EQ(InvalidFieldPath(long_zone), "calendar.time_zone");
  EXPECT_LT(long_zone.message().size(), 200u);

  CalendarSpec no_zone = ok;
  no_zone.time_zone = "";
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(no_zone)), "time_zone");

  CalendarSpec bad_end = ok;
  bad_end.weekly[2].end_minute = 1441;
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(bad_end)), "weekly_intervals[2].end_minute");

  CalendarSpec bad_start = ok;
  bad_start.weekly[0].start_minute = -1;
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(bad_start)), "weekly_intervals[0].start_minute");

  CalendarSpec empty_interval = ok;
  empty_interval.weekly[1].end_minute = empty_interval.weekly[1].start_minute;
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(empty_interval)), "weekly_intervals[1].end_minute");

  CalendarSpec overlap = ok;
  overlap.weekly.push_back({Weekday::monday, 16 * 60, 18 * 60});
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(overlap)), "weekly_intervals[5]");

  // Sunday 22:00 → Monday 10:00 overlaps Monday 09:00–17:00 across the week's end.
  CalendarSpec overnight_overlap = ok;
  overnight_overlap.weekly.push_back({Weekday::sunday, 22 * 60, 10 * 60});
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(overnight_overlap)), "weekly_intervals[5]");

  CalendarSpec always_with_hours = ok;
  always_with_hours.always_open = true;
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(always_with_hours)), "weekly_intervals");

  CalendarSpec never_open{.time_zone = "UTC"};
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(never_open)), "weekly_intervals");

  CalendarSpec bad_holiday = ok;
  bad_holiday.holidays.push_back({CivilDay(2026, 1, 1), 600, 500});
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(bad_holiday)), "holidays[1].end_minute");

  CalendarSpec too_many = ok;
  too_many.holidays.assign(kMaxHolidays + 1, Holiday{CivilDay(2026, 1, 1)});
  EXPECT_EQ(InvalidFieldPath(ValidateSpec(too_many)), "holidays");

  EXPECT_EQ(
      BusinessCalendar::Compile(ok, Utc(2026, 1, 1, 0, 0), Utc(2026, 1, 1, 0, 0)).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(BusinessCalendarTest, MergesTouchingIntervalsAndSumsOpenTime) {
  CalendarSpec spec{.time_zone = "UTC"};
  spec.weekly = {{Weekday::monday, 9 * 60, 12 * 60}, {Weekday::monday, 12 * 60, 17 * 60}};
  const BusinessCalendar cal = Compile(spec);
  // One merged interval per Monday over three years.
  EXPECT_EQ(cal.interval_count(), 156u);  // 52 Mondays in each of 2025, 2026, 2027
  EXPECT_EQ(*cal.OpenTimeBetween(Utc(2026, 11, 23, 0, 0), Utc(2026, 11, 30, 0, 0)), absl::Hours(8));
  EXPECT_EQ(*cal.AddOpenTime(Utc(2026, 11, 23, 11, 0), absl::Hours(2)), Utc(2026, 11, 23, 13, 0));
}

}  // namespace
}  // namespace sla::calendar
