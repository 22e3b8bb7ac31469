#include "common/server/call_origin.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sla::server {
namespace {

thread_local const CallOrigin* current = nullptr;

bool LowerHex(absl::string_view s, size_t size) {
  if (s.size() != size) return false;
  bool nonzero = false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
    nonzero |= c != '0';
  }
  return nonzero;
}

std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  while (out.size() < digits) {
    uint64_t v = rng();
    for (int i = 0; i < 16 && out.size() < digits; ++i, v >>= 4) out.push_back(kHex[v & 15]);
  }
  if (out.find_first_not_of('0') == std::string::npos)
    out.back() = '1';  // all-zero ids are invalid
  return out;
}

}  // namespace

std::optional<TraceContext> ParseTraceparent(absl::string_view header) {
  const std::vector<absl::string_view> parts = absl::StrSplit(header, '-');
  if (parts.size() != 4 || parts[0] != "00") return std::nullopt;
  if (!LowerHex(parts[1], 32) || !LowerHex(parts[2], 16)) return std::nullopt;
  if (parts[3].size() != 2 || !absl::ascii_isxdigit(parts[3][0]) ||
      !absl::ascii_isxdigit(parts[3][1])) {
    return std::nullopt;
  }
  return TraceContext{std::string(parts[1]), std::string(parts[2]),
                      absl::AsciiStrToLower(parts[3])};
}

std::string FormatTraceparent(const TraceContext& t) {
  return absl::StrCat("00-", t.trace_id, "-", t.span_id, "-", t.flags);
}

TraceContext NewTrace() { return {RandomHex(32), RandomHex(16), "00"}; }

TraceContext ChildSpan(const TraceContext& parent) {
  return {parent.trace_id, RandomHex(16), parent.flags};
}

const CallOrigin* CurrentOrigin() { return current; }

ScopedOrigin::ScopedOrigin(CallOrigin origin) : origin_(std::move(origin)), previous_(current) {
  current = &origin_;
}

ScopedOrigin::~ScopedOrigin() { current = previous_; }

void PrepareOutgoing(grpc::ClientContext& ctx, absl::Duration cap, absl::Time now) {
  absl::Time deadline = now + cap;
  if (const CallOrigin* o = CurrentOrigin(); o != nullptr) {
    deadline = std::min(deadline, o->deadline);
    if (!o->request_id.empty()) ctx.AddMetadata("x-request-id", o->request_id);
    // The serving call's span is the parent of whatever the callee does.
    if (!o->trace.trace_id.empty()) ctx.AddMetadata("traceparent", FormatTraceparent(o->trace));
  }
  ctx.set_deadline(absl::ToChronoTime(deadline));
}

}  // namespace sla::server
