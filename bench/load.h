// A small load generator: closed loop (each client sends its next request when the previous
// one answered: peak throughput) and open loop (requests scheduled at a fixed rate whatever
// the answers; latency counted from the scheduled instant, so a stall is not hidden by the
// generator waiting: no coordinated omission).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sla::bench {

// Busy, stolen and total CPU ticks of the whole machine (first line of /proc/stat), so a run
// can say whether it was CPU-bound (the server, MariaDB and the clients share the same cores)
// and whether the hypervisor took the CPUs away meanwhile (steal: a run disturbed from outside).
struct CpuTicks {
  int64_t busy = 0, steal = 0, total = 0;
  static CpuTicks Now() {
    std::ifstream f("/proc/stat");
    std::string cpu;
    int64_t v[8] = {0};
    f >> cpu;
    for (int64_t& x : v) f >> x;
    CpuTicks t;
    for (int i = 0; i < 8; ++i) t.total += v[i];
    t.steal = v[7];
    t.busy = t.total - v[3] - v[4] - v[7];  // minus idle, iowait and steal
    return t;
  }
  // Shares of the CPU time between `from` and `to`.
  static std::pair<double, double> BusyAndSteal(const CpuTicks& from, const CpuTicks& to) {
    const double total = static_cast<double>(to.total - from.total);
    if (total <= 0) return {0, 0};
    return {(to.busy - from.busy) / total, (to.steal - from.steal) / total};
  }
};

struct LoadResult {
  std::string name;
  int clients = 0;
  int64_t ok = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<int64_t> latency_us;  // sorted
  double cpu_busy = 0;              // share of the machine's CPU time busy during the run
  double cpu_steal = 0;             // share taken by the hypervisor for others
  std::string detail;               // what the caller adds about the run, printed after the table
  // Open loop: (scheduled instant since the start, latency) of each request over 10 ms, in
  // schedule order, to tell a few stalls (late requests bunched in time) from queueing spread
  // over the run.
  std::vector<std::pair<int64_t, int64_t>> late_us;
  int64_t warmup_late = 0;  // open loop: requests over 10 ms during the warm-up, not measured

  double rate() const { return seconds > 0 ? ok / seconds : 0; }
  double percentile_ms(double p) const {
    if (latency_us.empty()) return 0;
    size_t i = static_cast<size_t>(p * (latency_us.size() - 1));
    return latency_us[i] / 1000.0;
  }
};

// The result of a run that started at `start` with the machine's CPU at `cpu0`: counts, the
// CPU shares since, and every client's latencies merged and sorted.
inline LoadResult Collect(const std::string& name, int clients, int64_t ok, int64_t errors,
                          absl::Time start, const CpuTicks& cpu0,
                          const std::vector<std::vector<int64_t>>& lat) {
  const auto [busy, steal] = CpuTicks::BusyAndSteal(cpu0, CpuTicks::Now());
  LoadResult r{name,  clients, ok, errors, absl::ToDoubleSeconds(absl::Now() - start), {}, busy,
               steal, {},      {}, 0};
  for (const auto& v : lat) r.latency_us.insert(r.latency_us.end(), v.begin(), v.end());
  std::sort(r.latency_us.begin(), r.latency_us.end());
  return r;
}

// op(client index) → true on success. Runs `clients` threads for `duration`.
inline LoadResult ClosedLoop(const std::string& name, int clients, absl::Duration duration,
                             const std::function<bool(int)>& op) {
  std::vector<std::vector<int64_t>> lat(clients);
  std::atomic<int64_t> ok{0}, errors{0};
  const CpuTicks cpu0 = CpuTicks::Now();
  const absl::Time start = absl::Now(), end = start + duration;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      while (absl::Now() < end) {
        const absl::Time t0 = absl::Now();
        const bool good = op(c);
        lat[c].push_back(absl::ToInt64Microseconds(absl::Now() - t0));
        (good ? ok : errors)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  return Collect(name, clients, ok, errors, start, cpu0, lat);
}

// What counts as late in an open loop (the p99 goal at 60 % of peak).
inline constexpr int64_t kLateUs = 10'000;

// Sends `rate` requests per second in all, spread over `clients` threads, for `warmup` and
// then for `duration`. Only the requests scheduled after the warm-up are measured; its late
// requests are still counted (LoadResult::warmup_late) so a report says what was left out.
// A start-up transient is worth a look before it is warmed away: the one that first made this
// option was the terms cache re-checking once per request after its TTL (docs/performance.md).
inline LoadResult OpenLoop(const std::string& name, int clients, double rate,
                           absl::Duration duration, const std::function<bool(int)>& op,
                           absl::Duration warmup = absl::ZeroDuration()) {
  // Per client: (scheduled instant since `start`, latency) of each measured request.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> timed(clients);
  std::atomic<int64_t> ok{0}, errors{0}, warmup_late{0};
  const absl::Time begin = absl::Now() + absl::Milliseconds(10);
  const absl::Time start = begin + warmup;
  const int64_t total = static_cast<int64_t>(rate * absl::ToDoubleSeconds(warmup + duration));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int64_t k = c; k < total; k += clients) {
        const absl::Time scheduled = begin + absl::Seconds(static_cast<double>(k) / rate);
        const absl::Time now = absl::Now();
        if (scheduled > now) absl::SleepFor(scheduled - now);
        const bool good = op(c);
        const int64_t latency = absl::ToInt64Microseconds(absl::Now() - scheduled);
        if (scheduled < start) {
          if (latency > kLateUs) warmup_late++;
          continue;
        }
        timed[c].emplace_back(absl::ToInt64Microseconds(scheduled - start), latency);
        (good ? ok : errors)++;
      }
    });
  }
  absl::SleepFor(start - absl::Now());
  const CpuTicks cpu0 = CpuTicks::Now();
  for (auto& t : threads) t.join();
  std::vector<std::vector<int64_t>> lat(clients);
  std::vector<std::pair<int64_t, int64_t>> late;
  for (int c = 0; c < clients; ++c) {
    for (const auto& [at, latency] : timed[c]) {
      lat[c].push_back(latency);
      if (latency > kLateUs) late.emplace_back(at, latency);
    }
  }
  LoadResult r = Collect(name, clients, ok, errors, start, cpu0, lat);
  std::sort(late.begin(), late.end());
  r.late_us = std::move(late);
  r.warmup_late = warmup_late;
  return r;
}

// Late open-loop requests grouped into stalls: runs of late requests whose scheduled instants
// lie less than `gap` apart. One line per stall, longest first, at most `most` of them.
inline std::string Stalls(const LoadResult& r, absl::Duration gap = absl::Milliseconds(20),
                          size_t most = 5) {
  struct Stall {
    int64_t from, to, count, worst;
  };
  std::vector<Stall> stalls;
  const int64_t gap_us = absl::ToInt64Microseconds(gap);
  for (const auto& [at, latency] : r.late_us) {
    if (stalls.empty() || at - stalls.back().to > gap_us) stalls.push_back({at, at, 0, 0});
    Stall& s = stalls.back();
    s.to = at;
    s.count++;
    s.worst = std::max(s.worst, latency);
  }
  std::sort(stalls.begin(), stalls.end(),
            [](const Stall& a, const Stall& b) { return a.count > b.count; });
  std::string out = std::to_string(r.late_us.size()) + " late in " + std::to_string(stalls.size()) +
                    " stalls (" + std::to_string(r.warmup_late) + " in the warm-up, not counted)";
  for (size_t i = 0; i < stalls.size() && i < most; ++i) {
    char line[160];
    std::snprintf(line, sizeof line, "%s%lld at %.3f-%.3f s (worst %.1f ms)", i ? "; " : ": ",
                  static_cast<long long>(stalls[i].count), stalls[i].from / 1e6, stalls[i].to / 1e6,
                  stalls[i].worst / 1e3);
    out += line;
  }
  return out;
}

// Runs `run` again while the hypervisor took more than `max_steal` of the CPU time (other
// machines' work, not this run's), at most `attempts` times in all, and keeps the run with the
// least steal. Each run thrown away is described in `discarded`, so that the report says so.
inline LoadResult LeastDisturbed(const std::function<LoadResult()>& run, double max_steal,
                                 int attempts, std::vector<std::string>& discarded) {
  LoadResult best = run();
  for (int a = 1; a < attempts && best.cpu_steal > max_steal; ++a) {
    LoadResult next = run();
    const bool better = next.cpu_steal < best.cpu_steal;
    LoadResult& dropped = better ? best : next;
    char line[200];
    std::snprintf(line, sizeof line, "%s: a run at %.0f %% steal (%.0f requests/s) was discarded",
                  dropped.name.c_str(), 100 * dropped.cpu_steal, dropped.rate());
    discarded.push_back(line);
    if (better) best = std::move(next);
  }
  return best;
}

inline void PrintHeader() {
  std::printf("| %-40s | clients | requests/s | p50 ms | p99 ms | errors | CPU busy | steal |\n",
              "run");
  std::printf("|%s|---|---|---|---|---|---|---|\n", std::string(42, '-').c_str());
}

inline void Print(const LoadResult& r) {
  std::printf("| %-40s | %7d | %10.0f | %6.2f | %6.2f | %6lld | %6.0f %% | %3.0f %% |\n",
              r.name.c_str(), r.clients, r.rate(), r.percentile_ms(0.50), r.percentile_ms(0.99),
              static_cast<long long>(r.errors), 100 * r.cpu_busy, 100 * r.cpu_steal);
  std::fflush(stdout);
}

}  // namespace sla::bench
