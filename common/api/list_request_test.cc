#include "common/api/list_request.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace sla::api {
namespace {

TEST(ListRequestTest, OrderByIsOneKnownFieldOptionallyDescending) {
  auto none = ParseOrderBy("  ", {"issue_time"});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto desc = ParseOrderBy("issue_time desc", {"issue_time"});
  ASSERT_TRUE(desc.ok() && desc->has_value());
  EXPECT_EQ((*desc)->field, "issue_time");
  EXPECT_TRUE((*desc)->descending);
  auto asc = ParseOrderBy("issue_time asc", {"issue_time"});
  ASSERT_TRUE(asc.ok() && asc->has_value());
  EXPECT_FALSE((*asc)->descending);
  for (const char* bad :
       {"total", "issue_time up", "issue_time, number", "issue_time desc extra"}) {
    auto r = ParseOrderBy(bad, {"issue_time"});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("order_by"), std::string::npos) << r.status();
  }
}

TEST(ListRequestTest, APageTokenHoldsToItsOrder) {
  EXPECT_EQ(PageBinding("state = ACTIVE", ""),
            "state = ACTIVE");  // tokens made before orders stay valid
  const std::string token = EncodePageToken("k1", PageBinding("", "issue_time desc"));
  EXPECT_TRUE(DecodePageToken(token, PageBinding("", "issue_time desc")).ok());
  EXPECT_EQ(DecodePageToken(token, PageBinding("", "")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ListRequestTest, PageSizeBounds) {
  EXPECT_EQ(*PageSize(0), kDefaultPageSize);
  EXPECT_EQ(*PageSize(1000), 1000);
  EXPECT_EQ(InvalidFieldPath(PageSize(1001).status()), "page_size");
  EXPECT_EQ(InvalidFieldPath(PageSize(-1).status()), "page_size");
}

TEST(ListRequestTest, ParsesRestrictionsJoinedByAnd) {
  auto r = ParseFilter(R"(state = ACTIVE AND display_name : "acme \"co\"")");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].field, "state");
  EXPECT_EQ((*r)[0].op, '=');
  EXPECT_EQ((*r)[0].value, "ACTIVE");
  EXPECT_EQ((*r)[1].op, ':');
  EXPECT_EQ((*r)[1].value, "acme \"co\"");
  EXPECT_TRUE(ParseFilter("")->empty());
}

TEST(ListRequestTest, RejectsMalformedFilters) {
  for (const char* bad : {"state", "state ACTIVE", "= x", "a = b OR c = d", "a = \"open",
                          "a = b AND", "a = b ANDc = d"}) {
    EXPECT_EQ(InvalidFieldPath(ParseFilter(bad).status()), "filter") << bad;
  }
}

TEST(ListRequestTest, PageTokensRoundTripAndAreBoundToTheFilter) {
  const std::string t = EncodePageToken("cust-0042", "state = ACTIVE");
  EXPECT_EQ(*DecodePageToken(t, "state = ACTIVE"), "cust-0042");
  EXPECT_EQ(*DecodePageToken("", "x"), "");
  EXPECT_EQ(InvalidFieldPath(DecodePageToken(t, "state = ARCHIVED").status()), "page_token");
  EXPECT_EQ(InvalidFieldPath(DecodePageToken("!!!", "").status()), "page_token");
}

}  // namespace
}  // namespace sla::api
