// Structured logs: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-25T06:30:00.123Z","level":"INFO","svc":"ticket-svc","msg":"rpc",
//    "method":"CreateTicket","code":"OK","ms":"3.2","request_id":"…"}
//
// The process has one log sink (stderr) and so one service name, set once at start-up by
// SetServiceName(). Never pass a secret (token, key, password) as a field: nothing here can
// tell a secret from any other string.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace sla::log {

enum class Level { kDebug, kInfo, kWarning, kError };

using Field = std::pair<absl::string_view, absl::string_view>;

void SetServiceName(absl::string_view name);
// Messages below this level are dropped (default kInfo).
void SetMinLevel(Level level);

// Writes one line atomically (lines from concurrent threads never interleave). If another
// thread is writing, the line is queued and that thread writes it, usually within
// microseconds; errors are flushed before Write returns, and everything queued at exit.
void Write(Level level, absl::string_view msg, std::initializer_list<Field> fields = {});
// Waits until every line queued so far is written.
void Flush();

inline void Info(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warning(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarning, msg, fields);
}
inline void Error(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, msg, fields);
}

// The line Write() would emit, for tests and for callers with their own sink.
std::string FormatLine(Level level, absl::string_view service, absl::string_view msg,
                       std::initializer_list<Field> fields, absl::string_view timestamp);

// Appends `s` to `out` as the body of a JSON string (quotes, backslashes, control characters
// and invalid UTF-8 bytes escaped).
void AppendJsonEscaped(std::string& out, absl::string_view s);

}  // namespace sla::log
