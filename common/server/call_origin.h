// What a call being served hands on to the calls it makes to other services: the time it has
// left, its request id and its W3C trace context. RpcBoundary::Run sets it for the handler's
// thread; every client of another service prepares its context with PrepareOutgoing, so a
// slow dependency never outlives the caller's own deadline and one request id and one trace id
// follow a request through the suite's logs.
//
//   grpc::ClientContext ctx;
//   server::PrepareOutgoing(ctx, absl::Seconds(5));  // at most 5 s, less if the caller has less
#pragma once

#include <grpcpp/client_context.h>

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sla::server {

// A W3C trace context (https://www.w3.org/TR/trace-context/), version 00.
struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero: the caller's span
  std::string flags = "00";
};

// `00-<trace_id>-<span_id>-<flags>`; nullopt if `header` is not a valid version-00 value.
std::optional<TraceContext> ParseTraceparent(absl::string_view header);
std::string FormatTraceparent(const TraceContext& t);
// A new trace (when a request arrives without one) or a new span of `parent`'s trace.
TraceContext NewTrace();
TraceContext ChildSpan(const TraceContext& parent);

struct CallOrigin {
  absl::Time deadline = absl::InfiniteFuture();
  std::string request_id;
  TraceContext trace;  // this call's own span
};

// The origin of the call this thread is serving; nullptr in workers and outside handlers.
const CallOrigin* CurrentOrigin();

// Makes `origin` current for the scope's lifetime (restoring the one before).
class ScopedOrigin {
 public:
  explicit ScopedOrigin(CallOrigin origin);
  ~ScopedOrigin();
  ScopedOrigin(const ScopedOrigin&) = delete;
  ScopedOrigin& operator=(const ScopedOrigin&) = delete;

 private:
  CallOrigin origin_;
  const CallOrigin* previous_;
};

// Sets `ctx`'s deadline to the sooner of `now + cap` and the current origin's deadline, and,
// when serving a call, adds its `x-request-id` and a `traceparent` naming its span as parent.
void PrepareOutgoing(grpc::ClientContext& ctx, absl::Duration cap, absl::Time now = absl::Now());

}  // namespace sla::server
