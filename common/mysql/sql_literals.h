// Values written into SQL text as literals, for statements sent several to a round trip
// (Connection::ExecuteCompound), where parameters cannot be bound. Every string is a hex
// literal (X'…'): no byte of a value is ever parsed as SQL, and the server checks a text
// column's encoding as it would a bound parameter's (strict mode rejects invalid UTF-8).
//
// LiteralRow has the setters of sql::PreparedStatement that row binders use, so one binder
// template fills either:
//   LiteralRow row(3);
//   row.setString(1, id); row.setInt64(2, seq); row.setNull(3, sql::DataType::BIGINT);
//   sql += row.Render();  // "(X'…',42,NULL)"
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sla::mysql {

class LiteralRow {
 public:
  explicit LiteralRow(int columns) : values_(columns, "NULL") {}

  // Indexes are 1-based, as in sql::PreparedStatement.
  void setString(int i, const std::string& v) {
    values_.at(i - 1) = absl::StrCat("X'", absl::BytesToHexString(v), "'");
  }
  void setInt(int i, int32_t v) { values_.at(i - 1) = absl::StrCat(v); }
  void setInt64(int i, int64_t v) { values_.at(i - 1) = absl::StrCat(v); }
  void setNull(int i, int /*sql type*/) { values_.at(i - 1) = "NULL"; }
  // `@variable + offset`: a number the script itself read earlier. The name is the caller's
  // own constant, never input; anything but letters, digits and `_` is refused by throwing.
  void setUserVariablePlus(int i, const std::string& variable, int64_t offset) {
    if (variable.empty() ||
        variable.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            std::string::npos) {
      throw std::invalid_argument("not a user variable name: " + variable);
    }
    values_.at(i - 1) = absl::StrCat("@", variable, "+", offset);
  }

  std::string Render() const { return absl::StrCat("(", absl::StrJoin(values_, ","), ")"); }

 private:
  std::vector<std::string> values_;
};

}  // namespace sla::mysql
