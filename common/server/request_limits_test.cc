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

TEST(RequestLimitsTest, TextRefusesControlAndBidiOverrideCharactersWithTheField) {
  sla::v1::SlaTerms terms;
  terms.add_services()->set_display_name(
      "E-mail hosting\tอีเมล\r\nline two");  // Thai, tab, newline: fine
  EXPECT_TRUE(CheckRequest(terms, {}).ok());
  const std::pair<std::string, const char*> refused[] = {
      {std::string("nul\0byte", 8), "control character"},
      {"bell\x07", "control character"},
      {"del\x7f", "control character"},
      {"c1\xc2\x85", "control character"},
      {"invoice\xe2\x80\xaetxt.exe", "bidirectional"},  // U+202E RIGHT-TO-LEFT OVERRIDE
      {"isolate\xe2\x81\xa6x", "bidirectional"},        // U+2066 LEFT-TO-RIGHT ISOLATE
  };
  for (const auto& [text, why] : refused) {
    terms.mutable_services(0)->set_display_name(text);
    const absl::Status s = CheckRequest(terms, {});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_NE(s.message().find("services[0].display_name"), absl::string_view::npos) << s.message();
    EXPECT_NE(s.message().find(why), absl::string_view::npos) << s.message();
  }
  terms.mutable_services(0)->set_display_name("ok");
  terms.add_services()->add_inclusions(
      "a\xe2\x80\xad"
      "b");  // U+202D in a repeated field
  EXPECT_EQ(CheckRequest(terms, {}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(RequestLimitsTest, AnUnknownEnumNumberIsRefusedWithTheNamesItMayTake) {
  sla::v1::SlaTerms terms;
  terms.add_priority_targets()->set_priority(sla::v1::PRIORITY_P2);
  EXPECT_TRUE(CheckRequest(terms, {}).ok());
  terms.mutable_priority_targets(0)->set_priority(static_cast<sla::v1::Priority>(99));
  const absl::Status s = CheckRequest(terms, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("priority_targets[0].priority"), absl::string_view::npos)
      << s.message();
  EXPECT_NE(s.message().find("99 is not a known value"), absl::string_view::npos) << s.message();
  EXPECT_NE(s.message().find("PRIORITY_P1"), absl::string_view::npos) << s.message();
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
  terms.GetReflection()->MutableUnknownFields(&terms)->AddLengthDelimited(1000,
                                                                          std::string(200, 'x'));
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
