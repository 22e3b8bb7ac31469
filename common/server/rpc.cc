#include "common/server/rpc.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"

namespace sla::server {
namespace {

absl::string_view Metadata(const grpc::ServerContextBase& ctx, absl::string_view key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%016x%016x", rng(), rng());
}

const char* CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "OK";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kUnknown:
      return "UNKNOWN";
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kAborted:
      return "ABORTED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case absl::StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case absl::StatusCode::kInternal:
      return "INTERNAL";
    case absl::StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace

std::string RpcBoundary::RequestIdFrom(const grpc::ServerContextBase& ctx) {
  const absl::string_view given = Metadata(ctx, "x-request-id");
  bool ok = !given.empty() && given.size() <= 128;
  for (char c : given) {
    ok = ok && (absl::ascii_isalnum(c) || c == '.' || c == '_' || c == ':' || c == '-');
  }
  return ok ? std::string(given) : NewRequestId();
}

absl::Status RpcBoundary::Begin(grpc::ServerContextBase* ctx, absl::string_view method,
                                CallContext& call) const {
  call.method = std::string(method);
  call.request_id = RequestIdFrom(*ctx);
  ctx->AddInitialMetadata("x-request-id", call.request_id);
  const std::optional<TraceContext> parent = ParseTraceparent(Metadata(*ctx, "traceparent"));
  call.trace = parent ? ChildSpan(*parent) : NewTrace();
  // gRPC reports "no deadline" as the far end of the clock.
  const auto deadline = ctx->deadline();
  if (deadline < std::chrono::system_clock::now() + std::chrono::hours(24 * 365)) {
    call.deadline = absl::FromChrono(deadline);
  }
  absl::string_view auth = Metadata(*ctx, "authorization");
  if (auth.empty())
    return absl::UnauthenticatedError("missing bearer token (authorization metadata)");
  if (!absl::ConsumePrefix(&auth, "Bearer ") && !absl::ConsumePrefix(&auth, "bearer ")) {
    return absl::UnauthenticatedError("authorization metadata must be `Bearer <token>`");
  }
  absl::StatusOr<Identity> id = verifier_->Verify(absl::StripAsciiWhitespace(auth), clock_());
  if (!id.ok()) return id.status();
  call.identity = *std::move(id);
  return absl::OkStatus();
}

grpc::Status RpcBoundary::Finish(grpc::ServerContextBase* ctx, const CallContext& call,
                                 const absl::Status& status, absl::Time start) const {
  const std::string ms = absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(absl::Now() - start));
  const bool internal = status.code() == absl::StatusCode::kInternal ||
                        status.code() == absl::StatusCode::kUnknown ||
                        status.code() == absl::StatusCode::kDataLoss;
  log::Write(internal ? log::Level::kError : log::Level::kInfo, "rpc",
             {{"method", call.method},
              {"code", CodeName(status.code())},
              {"ms", ms},
              {"request_id", call.request_id},
              {"trace_id", call.trace.trace_id},
              {"sub", call.identity.subject},
              {"tenant", call.identity.tenant},
              {"peer", ctx->peer()},
              {"detail", status.message()}});
  return ToGrpcStatus(status, call.request_id);
}

absl::Status RpcBoundary::Start(grpc::ServerContextBase* ctx, absl::string_view method,
                                const google::protobuf::Message& request, CallContext& call) const {
  absl::Status status = Begin(ctx, method, call);
  if (status.ok()) status = CheckServiceCall(call.identity, request, method);
  if (status.ok()) status = CheckRequest(request, limits_);
  return status;
}

grpc::Status RpcBoundary::End(grpc::ServerContextBase* ctx, const CallContext& call,
                              const absl::Status& status, absl::Time start) const {
  return Finish(ctx, call, status, start);
}

}  // namespace sla::server
