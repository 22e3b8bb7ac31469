#include "common/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sla::log {
namespace {

// Set once at start-up, read without a lock on every line. Every name ever set stays in
// g_names (reachable, so leak checkers stay quiet), so a reader never sees a freed string.
absl::Mutex g_names_mu;
std::vector<std::unique_ptr<const std::string>>* g_names ABSL_GUARDED_BY(g_names_mu) =
    new std::vector<std::unique_ptr<const std::string>>();
const std::string* const g_default_service = new std::string("sla");
std::atomic<const std::string*> g_service{g_default_service};
std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

// Lines are formatted by the caller, outside any lock, and appended to one buffer. A caller
// that finds nobody writing writes the buffer itself, and keeps writing until it is empty;
// callers arriving meanwhile only append. So no RPC waits for another's syscall or wakes a
// thread, and a busy process writes many lines per write(2) (the per-line write under a lock
// cost a quarter of the RPC rate at 5,000 RPCs a second). The sink is leaked so that Flush()
// at exit still finds it.
struct Sink {
  absl::Mutex mu;
  std::string buffer ABSL_GUARDED_BY(mu);
  bool writing ABSL_GUARDED_BY(mu) = false;
  bool registered ABSL_GUARDED_BY(mu) = false;
};
Sink& TheSink() {
  static Sink* sink = new Sink;
  return *sink;
}
// A stalled stderr holds callers back here instead of growing the buffer without bound.
constexpr size_t kMaxBuffered = 8 << 20;

void WriteAll(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(STDERR_FILENO, data.data() + done, data.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

void Enqueue(const std::string& line) {
  Sink& sink = TheSink();
  absl::MutexLock lock(&sink.mu);
  auto room = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sink.mu) {
    return sink.buffer.size() < kMaxBuffered;
  };
  sink.mu.Await(absl::Condition(&room));
  sink.buffer += line;
  if (!sink.registered) {
    sink.registered = true;
    std::atexit(Flush);
  }
  if (sink.writing) return;  // the writer takes this line too
  sink.writing = true;
  std::string out;
  while (!sink.buffer.empty()) {
    out.swap(sink.buffer);
    sink.mu.Unlock();
    WriteAll(out);
    out.clear();
    sink.mu.Lock();
  }
  sink.writing = false;
}

// "2026-11-25T06:30:00.123Z"; the part up to the seconds is formatted once per second per
// thread (absl::FormatTime on every line was a visible share of an RPC's cost).
std::string Timestamp(absl::Time now) {
  thread_local int64_t cached_second = -1;
  thread_local std::string cached;
  const int64_t ms = absl::ToUnixMillis(now);
  const int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  if (second != cached_second) {
    cached =
        absl::FormatTime("%Y-%m-%d%ET%H:%M:%S", absl::FromUnixSeconds(second), absl::UTCTimeZone());
    cached_second = second;
  }
  return absl::StrFormat("%s.%03dZ", cached, static_cast<int>(ms - second * 1000));
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
  }
  return "INFO";
}

void AppendField(std::string& out, absl::string_view key, absl::string_view value) {
  out += ",\"";
  AppendJsonEscaped(out, key);
  out += "\":\"";
  AppendJsonEscaped(out, value);
  out += '"';
}

}  // namespace

void SetServiceName(absl::string_view name) {
  absl::MutexLock lock(&g_names_mu);
  g_names->push_back(std::make_unique<const std::string>(name));
  g_service.store(g_names->back().get());
}

void SetMinLevel(Level level) { g_min_level.store(static_cast<int>(level)); }

void AppendJsonEscaped(std::string& out, absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // Copy a well-formed UTF-8 sequence; escape a stray byte so the line stays valid JSON.
      const int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
      bool ok = len > 0 && i + len <= s.size();
      for (int k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
      if (ok) {
        out.append(s.data() + i, len);
        i += len - 1;
      } else {
        absl::StrAppendFormat(&out, "\\u%04x", c);
      }
    }
  }
}

std::string FormatLine(Level level, absl::string_view service, absl::string_view msg,
                       std::initializer_list<Field> fields, absl::string_view timestamp) {
  std::string out = "{";
  out += "\"ts\":\"";
  out.append(timestamp.data(), timestamp.size());
  out += '"';
  AppendField(out, "level", LevelName(level));
  AppendField(out, "svc", service);
  AppendField(out, "msg", msg);
  for (const Field& f : fields) AppendField(out, f.first, f.second);
  out += "}\n";
  return out;
}

void Write(Level level, absl::string_view msg, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  Enqueue(FormatLine(level, *g_service.load(), msg, fields, Timestamp(absl::Now())));
  // An error is on its way to the disk before the caller goes on (it may be about to fail).
  if (level == Level::kError) Flush();
}

void Flush() {
  Sink& sink = TheSink();
  absl::MutexLock lock(&sink.mu);
  auto written = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sink.mu) {
    return sink.buffer.empty() && !sink.writing;
  };
  sink.mu.Await(absl::Condition(&written));
}

}  // namespace sla::log
