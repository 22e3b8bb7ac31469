#include "common/server/request_limits.h"

#include "gtest/gtest.h"
#include "sla/v1/terms.pb.h"

namespace sla::server {
namespace {

TEST(RequestLimitsTest, AStringAtTheLimitPassesAndOneByteMoreNamesTheField) {
  RequestLimits limits;
  limits.max_string_bytes = 10;
  sla::v1::SlaTerms terms;
  terms.add_services()->set_service_id("ok");
  terms.add_services()->set_service_id(std::string(10, 'x'));
  EXPECT_TRUE(CheckRequest(terms, limits).ok());
  terms.mutable_services(1)->set_service_id(std::string(11, 'x'));
  const absl::Status s = CheckRequest(terms, limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "field `services[1].service_id`: at most 10 bytes (got 11)");
}

TEST(RequestLimitsTest, ListsAreBoundedByItemCount) {
  RequestLimits limits;
  limits.max_list_items = 3;
  sla::v1::SlaTerms terms;
  for (int i = 0; i < 3; ++i) terms.add_services();
  EXPECT_TRUE(CheckRequest(terms, limits).ok());
  terms.add_services();
  EXPECT_EQ(CheckRequest(terms, limits).message(), "field `services`: at most 3 items (got 4)");
}

TEST(RequestLimitsTest, TheWholeRequestIsBoundedUnknownFieldsIncluded) {
  RequestLimits limits;
  limits.max_request_bytes = 100;
  sla::v1::SlaTerms terms;
  terms.GetReflection()->MutableUnknownFields(&terms)->AddLengthDelimited(1000, std::string(200, 'x'));
  const absl::Status s = CheckRequest(terms, limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("field `request`: at most 100 bytes"), absl::string_view::npos) << s;
}

TEST(RequestLimitsTest, NestingIsBounded) {
  RequestLimits limits;
  limits.max_depth = 0;
  sla::v1::SlaTerms terms;
  terms.add_services();
  EXPECT_EQ(CheckRequest(terms, limits).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckRequest(sla::v1::SlaTerms(), limits).ok());
}

}  // namespace
}  // namespace sla::server
