#include "common/api/list_request.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace sla::api {
namespace {

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
