#include "common/status/grpc_status.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"
#include "google/rpc/code.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace sla {
namespace {

// The resource a catalogue message starts with ("`customers/c1/...` ..."), or "".
std::string LeadingResource(absl::string_view msg) {
  if (!absl::ConsumePrefix(&msg, "`")) return "";
  const size_t end = msg.find('`');
  return end == absl::string_view::npos ? "" : std::string(msg.substr(0, end));
}

// google.rpc details a client can act on without parsing the message: always an ErrorInfo
// (reason, domain, request id); a BadRequest naming the field; a PreconditionFailure for a
// stale etag or a wrong state; a RetryInfo when trying again later may succeed.
std::string Details(const absl::Status& status, const std::string& message,
                    absl::string_view request_id) {
  google::rpc::Status out;
  out.set_code(static_cast<int>(status.code()));
  out.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_domain("sla.platform");
  info.set_reason(google::rpc::Code_Name(static_cast<google::rpc::Code>(out.code())));
  if (!request_id.empty()) (*info.mutable_metadata())["request_id"] = std::string(request_id);
  const std::string resource = LeadingResource(status.message());
  if (!resource.empty()) (*info.mutable_metadata())["resource"] = resource;
  if (IsStreamRewound(status)) {
    info.set_reason("STREAM_REWOUND");
  } else if (const std::string field = InvalidFieldPath(status); !field.empty()) {
    info.set_reason("INVALID_FIELD");
    google::rpc::BadRequest bad;
    auto* v = bad.add_field_violations();
    v->set_field(field);
    absl::string_view description = status.message();
    const size_t colon = description.find("`: ");
    v->set_description(std::string(
        colon == absl::string_view::npos ? description : description.substr(colon + 3)));
    out.add_details()->PackFrom(bad);
  } else if (status.code() == absl::StatusCode::kAborted &&
             absl::StrContains(status.message(), "(stale etag)")) {
    info.set_reason("STALE_ETAG");
    google::rpc::PreconditionFailure failure;
    auto* v = failure.add_violations();
    v->set_type("ETAG");
    v->set_subject(resource);
    v->set_description("the etag sent is not the resource's current one: re-read it");
    out.add_details()->PackFrom(failure);
  } else if (status.code() == absl::StatusCode::kFailedPrecondition && !resource.empty()) {
    info.set_reason("WRONG_STATE");
    google::rpc::PreconditionFailure failure;
    auto* v = failure.add_violations();
    v->set_type("STATE");
    v->set_subject(resource);
    absl::string_view description = status.message();
    const size_t colon = description.find("`: ");
    v->set_description(std::string(
        colon == absl::string_view::npos ? description : description.substr(colon + 3)));
    out.add_details()->PackFrom(failure);
  } else if (status.code() == absl::StatusCode::kResourceExhausted ||
             status.code() == absl::StatusCode::kUnavailable) {
    google::rpc::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(1);
    out.add_details()->PackFrom(retry);
  }
  out.add_details()->PackFrom(info);
  return out.SerializeAsString();
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(static_cast<int>(status.code()));
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss: {
      const std::string message = absl::StrCat("internal error; request id ", request_id);
      return grpc::Status(code, message,
                          Details(absl::Status(status.code(), message), message, request_id));
    }
    default: {
      std::string message(status.message());
      std::string details = Details(status, message, request_id);
      return grpc::Status(code, std::move(message), std::move(details));
    }
  }
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(static_cast<int>(status.error_code())),
                      status.error_message());
}

}  // namespace sla
