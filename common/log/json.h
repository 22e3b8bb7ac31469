// A JSON object written field by field: the payloads of outbox events.
//
//   std::string payload = log::JsonObject().Str("ticket", name).Int("level", 2).Done();
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/log/log.h"

namespace sla::log {

class JsonObject {
 public:
  JsonObject& Str(absl::string_view key, absl::string_view value) {
    Key(key);
    out_ += '"';
    AppendJsonEscaped(out_, value);
    out_ += '"';
    return *this;
  }
  JsonObject& Int(absl::string_view key, int64_t value) {
    Key(key);
    absl::StrAppend(&out_, value);
    return *this;
  }
  JsonObject& Bool(absl::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  // RFC 3339 in UTC ("2026-12-08T05:00:00Z"); nothing for INT64_MAX ("never").
  JsonObject& Time(absl::string_view key, int64_t unix_seconds) {
    if (unix_seconds == std::numeric_limits<int64_t>::max()) return *this;
    return Str(key, absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                                     absl::UTCTimeZone()));
  }
  // A value that is JSON already.
  JsonObject& Raw(absl::string_view key, absl::string_view json) {
    Key(key);
    absl::StrAppend(&out_, json);
    return *this;
  }
  std::string Done() const { return out_ + "}"; }

 private:
  void Key(absl::string_view key) {
    out_ += out_.size() > 1 ? ",\"" : "\"";
    absl::StrAppend(&out_, key);
    out_ += "\":";
  }
  std::string out_ = "{";
};

}  // namespace sla::log
