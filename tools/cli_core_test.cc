#include "tools/cli_core.h"

#include "gtest/gtest.h"

namespace sla::cli {
namespace {

TEST(CliTableTest, ThaiTextLinesUpByTerminalColumns) {
  EXPECT_EQ(DisplayWidth("Acme"), 4u);
  // บริษัท: 6 code points, of which ิ and ั sit on their consonants.
  EXPECT_EQ(DisplayWidth("บริษัท"), 4u);
  const std::string t = Table({{"NAME", "STATE"}, {"บริษัท", "ACTIVE"}, {"Acme Co.", "ACTIVE"}});
  EXPECT_EQ(t, "NAME      STATE\nบริษัท      ACTIVE\nAcme Co.  ACTIVE\n");
}

TEST(CliTableTest, RelativeTimes) {
  EXPECT_EQ(Relative(2 * 3600 + 15 * 60), "in 2h 15m");
  EXPECT_EQ(Relative(-300), "5m ago");
  EXPECT_EQ(Relative(3 * 86400 + 7200), "in 3d 2h");
}

TEST(CliExitCodeTest, ByErrorClass) {
  EXPECT_EQ(ExitCodeOf(absl::StatusCode::kInvalidArgument), kUsage);
  EXPECT_EQ(ExitCodeOf(absl::StatusCode::kNotFound), kNotFound);
  EXPECT_EQ(ExitCodeOf(absl::StatusCode::kPermissionDenied), kDenied);
  EXPECT_EQ(ExitCodeOf(absl::StatusCode::kAborted), kConflict);
  EXPECT_EQ(ExitCodeOf(absl::StatusCode::kUnavailable), kUnavailable);
  EXPECT_EQ(ExitCodeOf(absl::StatusCode::kInternal), kFailed);
}

}  // namespace
}  // namespace sla::cli
