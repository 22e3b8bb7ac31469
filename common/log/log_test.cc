#include "common/log/log.h"

#include "gtest/gtest.h"

namespace sla::log {
namespace {

TEST(LogTest, FormatsOneJsonObjectPerLine) {
  EXPECT_EQ(FormatLine(Level::kInfo, "ticket-svc", "rpc", {{"method", "GetTicket"}, {"code", "OK"}},
                       "2026-11-25T06:30:00.000Z"),
            "{\"ts\":\"2026-11-25T06:30:00.000Z\",\"level\":\"INFO\",\"svc\":\"ticket-svc\","
            "\"msg\":\"rpc\",\"method\":\"GetTicket\",\"code\":\"OK\"}\n");
}

TEST(LogTest, EscapesQuotesControlCharactersAndBrokenUtf8) {
  std::string out;
  AppendJsonEscaped(out, "a\"b\\c\nd\x01 \xe0\xb8\x81 \xff");
  // Thai ก (U+0E01) passes through; the stray 0xff byte is escaped.
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\u0001 \xe0\xb8\x81 \\u00ff");
}

}  // namespace
}  // namespace sla::log
