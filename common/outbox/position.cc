#include "common/outbox/position.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace sla::outbox {

std::string FormatPosition(const Position& p) {
  return absl::StrCat(p.stream, "/", p.epoch, "/", p.sequence);
}

absl::StatusOr<Position> ParsePosition(absl::string_view text, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  Position p;
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() ||
      !absl::SimpleAtoi(parts[2], &p.sequence) || p.sequence < 0) {
    return InvalidField(field,
                        "must be a position <stream>/<epoch>/<sequence>, as a write answered it");
  }
  p.stream = std::string(parts[0]);
  p.epoch = std::string(parts[1]);
  return p;
}

}  // namespace sla::outbox
