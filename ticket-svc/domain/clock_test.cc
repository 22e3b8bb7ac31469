#include "ticket-svc/domain/clock.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sla::ticket {
namespace {

calendar::BusinessCalendar AlwaysOpen() {
  calendar::CalendarSpec spec;
  spec.time_zone = "UTC";
  spec.always_open = true;
  return *calendar::BusinessCalendar::Compile(spec, absl::FromUnixSeconds(0),
                                              absl::FromUnixSeconds(1'000'000));
}

TEST(ClockTest, ThresholdRoundsUpSoALevelNeverFiresEarly) {
  EXPECT_EQ(ThresholdSeconds(900, 500'000), 450);
  EXPECT_EQ(ThresholdSeconds(901, 500'000), 451);
  EXPECT_EQ(ThresholdSeconds(900, 0), 0);
  EXPECT_EQ(ThresholdSeconds(900, 1'500'000), 1350);
}

TEST(ClockTest, PausesOpenAndCloseAndEmptyOnesVanish) {
  const auto cal = AlwaysOpen();
  ClockState c;
  c.target_seconds = 100;
  c.segment_start = 1000;
  OpenPause(c, 1010);
  OpenPause(c, 1020);  // already paused
  ASSERT_EQ(c.pauses.size(), 1u);
  EXPECT_EQ(*InstantAtConsumed(c, cal, 100), kOpenEnded);
  ClosePause(c, 1050);
  EXPECT_EQ(*InstantAtConsumed(c, cal, 100), 1140);
  OpenPause(c, 1060);
  ClosePause(c, 1060);
  EXPECT_EQ(c.pauses.size(), 1u);
  EXPECT_EQ(Evaluate(c, cal, 1100)->paused_seconds, 40);
}

TEST(ClockTest, ResegmentCarriesConsumedAndPausedTime) {
  const auto cal = AlwaysOpen();
  ClockState c;
  c.target_seconds = 100;
  c.segment_start = 1000;
  c.pauses = {{1010, 1020}, {1030, kOpenEnded}};
  ASSERT_TRUE(Resegment(c, cal, 1050, /*keep_consumed=*/true).ok());
  EXPECT_EQ(c.carried_seconds, 20);
  EXPECT_EQ(c.carried_paused_seconds, 30);
  EXPECT_TRUE(c.paused());
  ClosePause(c, 1060);
  EXPECT_EQ(*InstantAtConsumed(c, cal, 100), 1140);
  EXPECT_EQ(Evaluate(c, cal, 1070)->consumed_seconds, 30);
}

TEST(ClockTest, MetClockStopsCounting) {
  const auto cal = AlwaysOpen();
  ClockState c;
  c.target_seconds = 100;
  c.segment_start = 1000;
  c.met_at = 1040;
  auto v = Evaluate(c, cal, 5000);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->consumed_seconds, 40);
  EXPECT_EQ(v->state, ClockStateKind::kMet);
  EXPECT_EQ(v->consumed_ppm, 400'000);
}

}  // namespace
}  // namespace sla::ticket
