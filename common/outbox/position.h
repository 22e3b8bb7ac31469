// Positions in an event stream, as callers and responses carry them. Apart from the outbox
// tables so that use cases can read and answer positions without depending on MySQL.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla::outbox {

// A position in a stream, as "<stream>/<epoch>/<sequence>": what a write answers in the response
// header kPositionHeader when asked (request header kWantPositionHeader), and what a read built
// from followed events takes to wait for and answers to say what it reflects.
inline constexpr char kPositionHeader[] = "x-sla-event-position";
inline constexpr char kWantPositionHeader[] = "x-sla-want-position";
struct Position {
  std::string stream;
  std::string epoch;
  int64_t sequence = 0;
};
std::string FormatPosition(const Position& p);
// INVALID_ARGUMENT naming `field` unless `text` is such a position.
absl::StatusOr<Position> ParsePosition(absl::string_view text, absl::string_view field);

}  // namespace sla::outbox
