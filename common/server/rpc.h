// The boundary every RPC handler runs in: one place that
//   - takes or makes the request id (metadata `x-request-id`, echoed back) and the trace
//     (`traceparent`), and hands them with the deadline to the calls the handler makes
//     (call_origin.h),
//   - authenticates the bearer token (UNAUTHENTICATED before any handler code runs),
//   - holds the request to the generic bounds (request_limits.h: INVALID_ARGUMENT naming the
//     field) before the handler reads it,
//   - turns a stray exception into INTERNAL,
//   - maps absl::Status to grpc::Status (internal details replaced by the request id),
//   - writes one structured log line per call.
// Health and reflection are not wrapped, so they stay open. tests/ calls every method of every
// service without a token to prove that no handler escapes this boundary.
//
//   grpc::Status GetTicket(grpc::ServerContext* ctx, const GetTicketRequest* req, Ticket* out)
//   override {
//     return boundary_.Run(ctx, "GetTicket", *req, [&](const CallContext& call) {
//       return manager_.GetTicket(call.identity, req->name(), out);
//     });
//   }
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <exception>
#include <functional>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/auth.h"
#include "common/server/call_origin.h"
#include "common/server/request_limits.h"
#include "common/server/service_calls.h"

namespace sla::server {

struct CallContext {
  Identity identity;
  std::string request_id;
  std::string method;
  TraceContext trace;  // this call's span: of the caller's trace (`traceparent`) or a new one
  absl::Time deadline = absl::InfiniteFuture();  // the client's, if it set one
};

class RpcBoundary {
 public:
  // `verifier` must outlive the boundary; `clock` gives "now" for token expiry.
  RpcBoundary(const TokenVerifier* verifier, std::function<absl::Time()> clock,
              RequestLimits limits = {})
      : verifier_(verifier), clock_(std::move(clock)), limits_(limits) {}

  template <typename Fn>
  grpc::Status Run(grpc::ServerContext* ctx, absl::string_view method,
                   const google::protobuf::Message& request, Fn&& fn) const {
    CallContext call;
    const absl::Time start = absl::Now();
    absl::Status status = Start(ctx, method, request, call);
    if (status.ok()) {
      // Calls the handler makes to other services inherit its deadline, request id and trace.
      ScopedOrigin origin({call.deadline, call.request_id, call.trace});
      try {
        status = fn(static_cast<const CallContext&>(call));
      } catch (const std::exception& e) {
        status = absl::InternalError(absl::StrCat("uncaught exception: ", e.what()));
      } catch (...) {
        status = absl::InternalError("uncaught non-standard exception");
      }
    }
    return Finish(ctx, call, status, start);
  }

  // The same boundary for a callback (reactor) handler, whose work outlives the handler
  // function: Start authenticates and checks the request as Run does (the call goes on only if
  // it returns OK); End, once, maps the outcome and writes the call's log line.
  absl::Status Start(grpc::ServerContextBase* ctx, absl::string_view method,
                     const google::protobuf::Message& request, CallContext& call) const;
  grpc::Status End(grpc::ServerContextBase* ctx, const CallContext& call,
                   const absl::Status& status, absl::Time start) const;

  // Request id from client metadata if well-formed (1..128 of [A-Za-z0-9._:-]), else a new one.
  static std::string RequestIdFrom(const grpc::ServerContextBase& ctx);

  // Set when the process begins to shut down. Calls that would otherwise last until the
  // client leaves (event streams) end then, so the drain is not held until its deadline and
  // their clients resume on another replica at once.
  void BeginDrain() { draining_.store(true); }
  const std::atomic<bool>& draining() const { return draining_; }
  // The clock tokens are checked against: long-lived streams end when theirs expire.
  absl::Time Now() const { return clock_(); }

 private:
  absl::Status Begin(grpc::ServerContextBase* ctx, absl::string_view method,
                     CallContext& call) const;
  grpc::Status Finish(grpc::ServerContextBase* ctx, const CallContext& call,
                      const absl::Status& status, absl::Time start) const;

  const TokenVerifier* verifier_;
  std::function<absl::Time()> clock_;
  RequestLimits limits_;
  std::atomic<bool> draining_{false};
};

// Copies a use case's result into the gRPC response message, or passes its error on:
//   return boundary_.Run(ctx, "GetTicket", [&](const CallContext& call) {
//     return Into(manager_->GetTicket(call.identity, req->name()), out);
//   });
template <typename T>
absl::Status Into(absl::StatusOr<T> result, T* out) {
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return absl::OkStatus();
}

// The same for a use case that answers a domain value: `convert(const T&, Response*)` builds
// the response (a result that is the response message already is moved in as it is).
template <typename T, typename Response, typename Convert>
absl::Status Into(absl::StatusOr<T> result, Response* out, Convert convert) {
  if (!result.ok()) return result.status();
  if constexpr (std::is_same_v<T, Response>) {
    *out = *std::move(result);
    return absl::OkStatus();
  } else {
    return convert(*result, out);
  }
}

}  // namespace sla::server
