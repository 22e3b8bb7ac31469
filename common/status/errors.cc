#include "common/status/errors.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sla {
namespace {
constexpr absl::string_view kFieldPrefix = "field `";
// The ErrorInfo reason of a status that names its own (grpc_status.cc reads it).
constexpr absl::string_view kReasonPayload = "sla.platform/reason";
}  // namespace

absl::Status InvalidField(absl::string_view field_path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(kFieldPrefix, field_path, "`: ", reason));
}

absl::Status NotFound(absl::string_view resource_name) {
  return absl::NotFoundError(absl::StrCat("`", resource_name, "` not found"));
}

absl::Status AlreadyExists(absl::string_view resource_name) {
  return absl::AlreadyExistsError(absl::StrCat("`", resource_name, "` already exists"));
}

absl::Status EtagMismatch(absl::string_view resource_name) {
  return absl::AbortedError(
      absl::StrCat("`", resource_name, "` was changed by someone else (stale etag): re-read it"));
}

absl::Status WrongState(absl::string_view resource_name, absl::string_view reason) {
  return absl::FailedPreconditionError(absl::StrCat("`", resource_name, "`: ", reason));
}

absl::Status StreamRewound(absl::string_view detail) {
  absl::Status s = absl::FailedPreconditionError(detail);
  s.SetPayload(kReasonPayload, absl::Cord("STREAM_REWOUND"));
  return s;
}

bool IsStreamRewound(const absl::Status& status) {
  const auto reason = status.GetPayload(kReasonPayload);
  return reason && *reason == "STREAM_REWOUND";
}

absl::Status Unauthenticated(absl::string_view reason) {
  return absl::UnauthenticatedError(reason);
}

absl::Status PermissionDenied(absl::string_view reason) {
  return absl::PermissionDeniedError(reason);
}

std::string InvalidFieldPath(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return "";
  absl::string_view msg = status.message();
  if (!absl::ConsumePrefix(&msg, kFieldPrefix)) return "";
  const size_t end = msg.find('`');
  if (end == absl::string_view::npos) return "";
  return std::string(msg.substr(0, end));
}

}  // namespace sla
