#include "common/mysql/sql_literals.h"

#include <stdexcept>

#include "gtest/gtest.h"

namespace sla::mysql {
namespace {

TEST(LiteralRowTest, RendersHexStringsNumbersNullsAndVariableOffsets) {
  LiteralRow row(4);
  row.setString(1, "a'b");
  row.setInt64(2, -42);
  row.setUserVariablePlus(4, "sla_outbox_seq", 3);
  EXPECT_EQ(row.Render(), "(X'612762',-42,NULL,@sla_outbox_seq+3)");
}

TEST(LiteralRowTest, RefusesAVariableNameThatIsNotAnIdentifier) {
  LiteralRow row(1);
  EXPECT_THROW(row.setUserVariablePlus(1, "x+1);DROP TABLE t;--", 1), std::invalid_argument);
  EXPECT_THROW(row.setUserVariablePlus(1, "", 1), std::invalid_argument);
  EXPECT_THROW(row.setInt(2, 1), std::out_of_range);
}

}  // namespace
}  // namespace sla::mysql
