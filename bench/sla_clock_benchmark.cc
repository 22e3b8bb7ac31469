// SLA clock benchmark: due time on a split-shift calendar with five years of holidays, for
// targets of 15 min, 8 h and 5 business days, with and without 20 pauses, next to the
// minute-stepping reference. Besides Google Benchmark's mean time per call, each engine
// benchmark reports:
//   p50_ns, p99_ns   per-call latency from 100,000 individually timed calls (timer cost
//                    subtracted);
//   allocs_per_call  heap allocations per call (counted by a global operator new hook).
//
//   build/bench/sla_clock_benchmark --benchmark_min_time=0.5
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/calendar/business_calendar.h"
#include "common/calendar/sla_clock.h"
#include "common/test_util/reference_clock.h"

namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace sla::calendar {
namespace {

constexpr int kCases = 4096;

struct Fixture {
  CalendarSpec spec;
  BusinessCalendar calendar;
  std::vector<absl::Time> starts;
  std::vector<std::vector<Pause>> pauses;  // 20 per start
  std::vector<int64_t> start_secs;         // the same, in Unix seconds
  std::vector<std::vector<PauseSeconds>> pause_secs;
};

CalendarSpec SplitShiftSpec() {
  CalendarSpec spec;
  spec.time_zone = "Europe/Berlin";  // with DST transitions
  for (absl::Weekday d : {absl::Weekday::monday, absl::Weekday::tuesday, absl::Weekday::wednesday,
                          absl::Weekday::thursday, absl::Weekday::friday}) {
    spec.weekly.push_back({d, 8 * 60, 12 * 60});
    spec.weekly.push_back({d, 13 * 60, 17 * 60 + 30});
  }
  std::mt19937_64 rng(20261125);
  for (int y = 2026; y <= 2030; ++y) {
    for (auto [m, d] : {std::pair{1, 1}, {5, 1}, {10, 3}, {12, 25}, {12, 26}}) {
      spec.holidays.push_back({absl::CivilDay(y, m, d)});
    }
    spec.holidays.push_back({absl::CivilDay(y, 12, 24), 12 * 60, 24 * 60});
    spec.holidays.push_back({absl::CivilDay(y, 12, 31), 12 * 60, 24 * 60});
    for (int i = 0; i < 6; ++i) {  // movable feasts and company days
      spec.holidays.push_back({absl::CivilDay(y, 1, 1) + static_cast<int>(rng() % 365)});
    }
  }
  return spec;
}

const Fixture& GetFixture() {
  static const Fixture* const f = [] {
    const absl::TimeZone utc = absl::UTCTimeZone();
    CalendarSpec spec = SplitShiftSpec();
    auto cal = BusinessCalendar::Compile(spec, absl::FromCivil(absl::CivilDay(2026, 1, 1), utc),
                                         absl::FromCivil(absl::CivilDay(2031, 1, 1), utc));
    if (!cal.ok()) std::abort();
    auto* fx = new Fixture{spec, *std::move(cal), {}, {}, {}, {}};
    std::mt19937_64 rng(42);
    const int64_t lo = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 1, 1), utc));
    const int64_t hi = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2030, 6, 1), utc));
    for (int i = 0; i < kCases; ++i) {
      const int64_t s = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo)) / 60 * 60;
      fx->starts.push_back(absl::FromUnixSeconds(s));
      std::vector<Pause> ps;
      int64_t t = s;
      for (int k = 0; k < 20; ++k) {
        t += 60 * static_cast<int64_t>(30 + rng() % 180);
        const int64_t e = t + 60 * static_cast<int64_t>(10 + rng() % 80);
        ps.push_back({absl::FromUnixSeconds(t), absl::FromUnixSeconds(e)});
        t = e;
      }
      std::vector<PauseSeconds> pss;
      for (const Pause& p : ps)
        pss.push_back({absl::ToUnixSeconds(p.start), absl::ToUnixSeconds(p.end)});
      fx->start_secs.push_back(s);
      fx->pauses.push_back(std::move(ps));
      fx->pause_secs.push_back(std::move(pss));
    }
    return fx;
  }();
  return *f;
}

absl::Duration Target(int which) {
  switch (which) {
    case 0:
      return absl::Minutes(15);
    case 1:
      return absl::Hours(8);
    default:
      return absl::Minutes(5 * (4 * 60 + 4 * 60 + 30));  // 5 business days of 8.5 h
  }
}

absl::Span<const Pause> PausesFor(const Fixture& f, int i, bool with_pauses) {
  return with_pauses ? absl::Span<const Pause>(f.pauses[i]) : absl::Span<const Pause>();
}

// Runs `call(i)` for case i in the benchmark loop, then times 100,000 calls one by one.
template <typename Call>
void RunClockBenchmark(benchmark::State& state, Call call) {
  int i = 0;
  const int64_t allocs_before = g_allocations.load();
  int64_t calls = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(call(i));
    i = (i + 1) & (kCases - 1);
    ++calls;
  }
  state.counters["allocs_per_call"] =
      static_cast<double>(g_allocations.load() - allocs_before) / static_cast<double>(calls);

  using Clock = std::chrono::steady_clock;
  constexpr int kTimed = 100000;
  std::vector<int64_t> ns(kTimed), overhead(kTimed);
  for (int k = 0; k < kTimed; ++k) {
    const auto a = Clock::now();
    const auto b = Clock::now();
    overhead[k] = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
  }
  for (int k = 0; k < kTimed; ++k) {
    const int j = k & (kCases - 1);
    const auto a = Clock::now();
    benchmark::DoNotOptimize(call(j));
    const auto b = Clock::now();
    ns[k] = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
  }
  std::sort(ns.begin(), ns.end());
  std::sort(overhead.begin(), overhead.end());
  const double timer = static_cast<double>(overhead[kTimed / 2]);
  state.counters["p50_ns"] = std::max(0.0, static_cast<double>(ns[kTimed / 2]) - timer);
  state.counters["p99_ns"] = std::max(0.0, static_cast<double>(ns[kTimed * 99 / 100]) - timer);
}

// The hot path: instants and pauses in Unix seconds. Args: {target index, with pauses}.
void BM_DueAtSeconds(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const int64_t target = absl::ToInt64Seconds(Target(static_cast<int>(state.range(0))));
  const bool with_pauses = state.range(1) != 0;
  RunClockBenchmark(state, [&](int i) {
    return DueAtSeconds(f.calendar, f.start_secs[i], target,
                        with_pauses ? absl::Span<const PauseSeconds>(f.pause_secs[i])
                                    : absl::Span<const PauseSeconds>());
  });
}
BENCHMARK(BM_DueAtSeconds)
    ->ArgNames({"target", "pauses"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({2, 1});

// The absl::Time convenience API (converts each instant through Abseil's out-of-line calls).
void BM_DueAt(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const absl::Duration target = Target(static_cast<int>(state.range(0)));
  const bool with_pauses = state.range(1) != 0;
  RunClockBenchmark(state, [&](int i) {
    return DueAt(f.calendar, f.starts[i], target, PausesFor(f, i, with_pauses));
  });
}
BENCHMARK(BM_DueAt)->ArgNames({"target", "pauses"})->Args({2, 0})->Args({2, 1});

// The minute-stepping reference on the same cases: a fresh reference per call, as a simple
// implementation would have (it memoizes resolved local days only within one calculation).
void BM_ReferenceDueAt(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const int64_t target_min = absl::ToInt64Minutes(Target(static_cast<int>(state.range(0))));
  const bool with_pauses = state.range(1) != 0;
  static const std::vector<Pause> kNone;
  int i = 0;
  for (auto _ : state) {
    test::ReferenceCalendar ref(f.spec);
    const int64_t s = absl::ToUnixSeconds(f.starts[i]);
    benchmark::DoNotOptimize(
        ref.DueAt(s, target_min, with_pauses ? f.pauses[i] : kNone, s + 60 * 86400));
    i = (i + 1) & (kCases - 1);
  }
}
BENCHMARK(BM_ReferenceDueAt)
    ->ArgNames({"target", "pauses"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({2, 1})
    ->Unit(benchmark::kMicrosecond);

// The engine and the reference must agree on the benchmark's own cases.
void BM_CrossCheck(benchmark::State& state) {
  const Fixture& f = GetFixture();
  int mismatches = 0;
  for (auto _ : state) {
    for (int i = 0; i < 64; ++i) {
      for (int t = 0; t < 3; ++t) {
        test::ReferenceCalendar ref(f.spec);
        const int64_t s = absl::ToUnixSeconds(f.starts[i]);
        const int64_t want =
            ref.DueAt(s, absl::ToInt64Minutes(Target(t)), f.pauses[i], s + 60 * 86400);
        auto got = DueAt(f.calendar, f.starts[i], Target(t), f.pauses[i]);
        mismatches += !got.ok() || absl::ToUnixSeconds(*got) != want;
      }
    }
  }
  state.counters["mismatches"] = mismatches;
  if (mismatches != 0) state.SkipWithError("engine and reference disagree");
}
BENCHMARK(BM_CrossCheck)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_Compile(benchmark::State& state) {
  const Fixture& f = GetFixture();
  for (auto _ : state) {
    auto cal =
        BusinessCalendar::Compile(f.spec, f.calendar.horizon_begin(), f.calendar.horizon_end());
    benchmark::DoNotOptimize(cal);
  }
  state.counters["intervals"] = static_cast<double>(f.calendar.interval_count());
}
BENCHMARK(BM_Compile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sla::calendar

BENCHMARK_MAIN();
