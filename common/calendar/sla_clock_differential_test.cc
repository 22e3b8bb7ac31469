// Randomized differential test of the SLA clock against the minute-stepping reference in
// common/test_util/reference_clock.h.
//
// SLA_DIFF_CASES (default 100000) and SLA_DIFF_SEED (default: random) control the run; the
// seed is printed, and a mismatch prints everything needed to replay it.
#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/calendar/business_calendar.h"
#include "common/calendar/sla_clock.h"
#include "common/test_util/reference_clock.h"
#include "gtest/gtest.h"

namespace sla::calendar {
namespace {

constexpr int kWindowDays = 42;
constexpr int kCasesPerCalendar = 100;
constexpr int64_t kNotReached = test::kRefNotReached;
constexpr int64_t kPausedForever = test::kRefPausedForever;

const char* const kZones[] = {
    "UTC",
    "Asia/Bangkok",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Australia/Adelaide",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
    "America/Santiago",
    "Africa/Casablanca",
    "America/Havana",
    "Asia/Tehran",
    "Pacific/Auckland",
    "America/Sao_Paulo",
};

int64_t Env(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoll(v, nullptr, 10) : fallback;
}

std::string Describe(const CalendarSpec& spec, int64_t h0, int64_t start, int64_t target_min,
                     const std::vector<Pause>& pauses) {
  std::ostringstream os;
  os << "zone=" << spec.time_zone << " always_open=" << spec.always_open
     << " window_start=" << absl::FormatTime(absl::FromUnixSeconds(h0), absl::UTCTimeZone())
     << "\n weekly:";
  for (const auto& w : spec.weekly) {
    os << " [" << static_cast<int>(w.day) << " " << w.start_minute << "-" << w.end_minute << "]";
  }
  os << "\n holidays:";
  for (const auto& h : spec.holidays) {
    os << " [" << h.date << " " << h.start_minute << "-" << h.end_minute << "]";
  }
  os << "\n start=" << absl::FormatTime(absl::FromUnixSeconds(start), absl::UTCTimeZone())
     << " target_min=" << target_min << "\n pauses:";
  for (const auto& p : pauses) {
    os << " [" << absl::FormatTime(p.start, absl::UTCTimeZone()) << ", "
       << absl::FormatTime(p.end, absl::UTCTimeZone()) << ")";
  }
  return os.str();
}

CalendarSpec RandomSpec(std::mt19937_64& rng, absl::CivilDay first_day) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  CalendarSpec spec;
  spec.time_zone = kZones[uniform(0, std::size(kZones) - 1)];
  spec.always_open = uniform(0, 9) == 0;
  if (!spec.always_open) {
    const int granularity = uniform(0, 1) == 0 ? 15 : 1;
    const int wanted = static_cast<int>(uniform(1, 10));
    std::vector<std::pair<int, int>> taken;  // week-minute ranges, unwrapped
    for (int attempt = 0; attempt < 60 && static_cast<int>(spec.weekly.size()) < wanted;
         ++attempt) {
      const int start = static_cast<int>(uniform(0, 7 * 1440 / granularity - 1)) * granularity;
      const int len = static_cast<int>(uniform(1, 1439 / granularity)) * granularity;
      bool clash = false;
      for (const auto& [a, b] : taken) {
        for (int shift : {-7 * 1440, 0, 7 * 1440}) {
          clash = clash || (start < b + shift && a + shift < start + len);
        }
      }
      if (clash) continue;
      taken.push_back({start, start + len});
      const int day = start / 1440, s = start % 1440;
      const int e = s + len <= 1440 ? s + len : s + len - 1440;
      spec.weekly.push_back({static_cast<absl::Weekday>(day), s, e});
    }
  }
  const int holidays = static_cast<int>(uniform(0, 6));
  for (int i = 0; i < holidays; ++i) {
    Holiday h{first_day + uniform(0, kWindowDays)};
    if (uniform(0, 1) == 0) {
      h.start_minute = static_cast<int>(uniform(0, 1400));
      h.end_minute = static_cast<int>(uniform(h.start_minute + 1, 1440));
    }
    spec.holidays.push_back(h);
  }
  return spec;
}

TEST(SlaClockDifferentialTest, MatchesMinuteSteppingReference) {
  const int64_t cases = Env("SLA_DIFF_CASES", 100000);
  const uint64_t seed = static_cast<uint64_t>(Env("SLA_DIFF_SEED", std::random_device{}()));
  std::cout << "SLA_DIFF_SEED=" << seed << " SLA_DIFF_CASES=" << cases << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  // absl::Weekday's enumerators are monday = 0 … sunday = 6, matching the cast in RandomSpec.
  static_assert(static_cast<int>(absl::Weekday::monday) == 0);

  int64_t run = 0, mismatches = 0, due_checked = 0, paused_forever = 0, not_reached = 0;
  while (run < cases && mismatches < 5) {
    // Windows cluster around DST transitions (Mar/Apr, Sep–Nov) half of the time.
    static const int kMonths[] = {1, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 9, 10, 10, 11, 11, 12};
    const absl::CivilDay first_day(uniform(2020, 2030), kMonths[uniform(0, 16)], uniform(1, 28));
    CalendarSpec spec = RandomSpec(rng, first_day);
    const int64_t h0 =
        absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(first_day), absl::UTCTimeZone()));
    const int minutes = kWindowDays * 1440;
    const int64_t h1 = h0 + 60 * static_cast<int64_t>(minutes);
    auto cal =
        BusinessCalendar::Compile(spec, absl::FromUnixSeconds(h0), absl::FromUnixSeconds(h1));
    ASSERT_TRUE(cal.ok()) << cal.status() << "\n" << Describe(spec, h0, 0, 0, {});
    test::ReferenceCalendar ref(spec);
    ref.Precompute(h0, h1);

    for (int c = 0; c < kCasesPerCalendar && run < cases; ++c, ++run) {
      const int64_t start = h0 + 60 * uniform(0, minutes * 3 / 4);
      int64_t target_min;
      switch (uniform(0, 2)) {
        case 0:
          target_min = uniform(1, 120);
          break;
        case 1:
          target_min = uniform(60, 16 * 60);
          break;
        default:
          target_min = uniform(8 * 60, 5 * 8 * 60);
          break;
      }
      std::vector<Pause> pauses;
      const int npauses = uniform(0, 9) == 0 ? 20 : static_cast<int>(uniform(0, 4));
      int64_t cursor = start - 60 * uniform(0, 3 * 1440);
      for (int p = 0; p < npauses && cursor < h1; ++p) {
        const int64_t ps = cursor + 60 * uniform(0, 2 * 1440);
        const int64_t pe = ps + 60 * uniform(1, 3 * 1440);
        if (ps >= h1) break;
        pauses.push_back({absl::FromUnixSeconds(ps), absl::FromUnixSeconds(std::min(pe, h1))});
        cursor = std::min(pe, h1);
      }
      if (!pauses.empty() && uniform(0, 4) == 0) pauses.back().end = absl::InfiniteFuture();

      const int64_t want = ref.DueAt(start, target_min, pauses, h1);
      const auto got = DueAt(*cal, absl::FromUnixSeconds(start), absl::Minutes(target_min), pauses);
      int64_t got_v;
      if (got.ok()) {
        got_v = *got == absl::InfiniteFuture() ? kPausedForever : absl::ToUnixSeconds(*got);
      } else {
        got_v = got.status().code() == absl::StatusCode::kOutOfRange ? kNotReached : -3;
      }
      const int64_t now = start + 60 * uniform(0, (h1 - start) / 60);
      const int64_t want_consumed = ref.ConsumedMinutes(start, now, pauses);
      const auto consumed =
          Consumed(*cal, absl::FromUnixSeconds(start), absl::FromUnixSeconds(now), pauses);
      const int64_t got_consumed = consumed.ok() ? absl::ToInt64Seconds(*consumed) : -60;

      if (got_v != want || got_consumed != want_consumed * 60) {
        ++mismatches;
        ADD_FAILURE() << "mismatch (seed " << seed << ", case " << run << "): due want " << want
                      << " got " << got_v << " (" << got.status() << "); consumed at "
                      << absl::FormatTime(absl::FromUnixSeconds(now), absl::UTCTimeZone())
                      << " want " << want_consumed * 60 << " got " << got_consumed << "\n"
                      << Describe(spec, h0, start, target_min, pauses);
      }
      due_checked += want >= 0;
      paused_forever += want == kPausedForever;
      not_reached += want == kNotReached;
    }
  }
  std::cout << "cases=" << run << " due=" << due_checked << " paused_forever=" << paused_forever
            << " beyond_horizon=" << not_reached << " mismatches=" << mismatches << std::endl;
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(run, cases);
  // The generator must exercise every outcome, or the test proves little.
  EXPECT_GT(due_checked, cases / 2);
  if (cases >= 10000) {
    EXPECT_GT(paused_forever, 0);
    EXPECT_GT(not_reached, 0);
  }
}

}  // namespace
}  // namespace sla::calendar
