#include "common/log/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

// Lines are queued and written by a background thread: after Flush every line is on stderr,
// whole, and each thread's lines keep their order.
TEST(LogTest, QueuedLinesFromManyThreadsAreWrittenWholeAndInOrder) {
  char path[] = "/tmp/sla-log-test.XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const int saved = dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_GE(dup2(fd, STDERR_FILENO), 0);
  constexpr int kThreads = 4, kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) {
        Info("line",
             {{"thread", absl::StrCat(t)}, {"i", absl::StrCat(i)}, {"pad", std::string(200, 'x')}});
      }
    });
  }
  for (auto& th : threads) th.join();
  Flush();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::remove(path);
  std::vector<int> next(kThreads, 0);
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(all.str(), '\n', absl::SkipEmpty())) {
    ++lines;
    ASSERT_EQ(line.front(), '{') << line;
    ASSERT_EQ(line.back(), '}') << line;
    const size_t t_at = line.find("\"thread\":\"");
    const size_t i_at = line.find("\"i\":\"");
    ASSERT_NE(t_at, absl::string_view::npos);
    ASSERT_NE(i_at, absl::string_view::npos);
    int t = -1, i = -1;
    ASSERT_TRUE(absl::SimpleAtoi(line.substr(t_at + 10, 1), &t));
    const absl::string_view rest = line.substr(i_at + 5);
    ASSERT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find('"')), &i));
    ASSERT_EQ(i, next[t]) << "thread " << t << " out of order";
    ++next[t];
  }
  EXPECT_EQ(lines, kThreads * kLines);
}

}  // namespace
}  // namespace sla::log
