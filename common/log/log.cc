#include "common/log/log.h"

#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sla::log {
namespace {

absl::Mutex g_mu;
std::string* g_service ABSL_GUARDED_BY(g_mu) = new std::string("sla");
std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarning: return "WARNING";
    case Level::kError: return "ERROR";
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
  absl::MutexLock lock(&g_mu);
  *g_service = std::string(name);
}

void SetMinLevel(Level level) { g_min_level.store(static_cast<int>(level)); }

void AppendJsonEscaped(std::string& out, absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // Copy a well-formed UTF-8 sequence; escape a stray byte so the line stays valid JSON.
      const int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
      bool ok = len > 0 && i + len <= s.size();
      for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
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
  const std::string ts =
      absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  absl::MutexLock lock(&g_mu);
  const std::string line = FormatLine(level, *g_service, msg, fields, ts);
  // One write(2) per line: atomic with respect to other writers of the same pipe.
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace sla::log
