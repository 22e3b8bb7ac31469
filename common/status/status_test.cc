#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace sla {
namespace {

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidField("x", "must be even");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  SLA_ASSIGN_OR_RETURN(int half, Half(x));
  SLA_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int x) {
  SLA_RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckEven(3).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
}

TEST(ErrorsTest, InvalidFieldNamesPathAndReason) {
  const absl::Status s = InvalidField("terms.priority_targets[2].resolution", "must be positive");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "field `terms.priority_targets[2].resolution`: must be positive");
  EXPECT_EQ(InvalidFieldPath(s), "terms.priority_targets[2].resolution");
  EXPECT_EQ(InvalidFieldPath(absl::InvalidArgumentError("other")), "");
}

TEST(ErrorsTest, CatalogueCodes) {
  EXPECT_EQ(NotFound("customers/1").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(AlreadyExists("customers/1").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(EtagMismatch("customers/1").code(), absl::StatusCode::kAborted);
  EXPECT_EQ(WrongState("c", "closed").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Unauthenticated("no token").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(PermissionDenied("no").code(), absl::StatusCode::kPermissionDenied);
}

TEST(GrpcStatusTest, InternalDetailsNeverLeak) {
  const grpc::Status g = ToGrpcStatus(
      absl::InternalError("Duplicate entry 'x' for key 'PRIMARY' in SELECT ..."), "req-42");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(g.error_message(), "internal error; request id req-42");
}

TEST(GrpcStatusTest, CarriesDetailsAClientCanActOnWithoutParsingTheMessage) {
  auto details = [](const grpc::Status& g) {
    google::rpc::Status s;
    EXPECT_TRUE(s.ParseFromString(g.error_details()));
    return s;
  };
  const google::rpc::Status bad =
      details(ToGrpcStatus(InvalidField("ticket.title", "at most 300 bytes"), "req-1"));
  google::rpc::BadRequest request;
  ASSERT_GE(bad.details_size(), 2);
  ASSERT_TRUE(bad.details(0).UnpackTo(&request));
  ASSERT_EQ(request.field_violations_size(), 1);
  EXPECT_EQ(request.field_violations(0).field(), "ticket.title");
  EXPECT_EQ(request.field_violations(0).description(), "at most 300 bytes");
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(bad.details(1).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INVALID_FIELD");
  EXPECT_EQ(info.domain(), "sla.platform");
  EXPECT_EQ(info.metadata().at("request_id"), "req-1");

  const google::rpc::Status stale =
      details(ToGrpcStatus(EtagMismatch("customers/c1/contracts/k1"), "req-2"));
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(stale.details(0).UnpackTo(&failure));
  EXPECT_EQ(failure.violations(0).type(), "ETAG");
  EXPECT_EQ(failure.violations(0).subject(), "customers/c1/contracts/k1");

  const google::rpc::Status busy =
      details(ToGrpcStatus(absl::UnavailableError("database down"), "req-3"));
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(busy.details(0).UnpackTo(&retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);

  // Internal details stay inside, in the details too.
  const grpc::Status internal = ToGrpcStatus(absl::InternalError("SELECT secret"), "req-4");
  EXPECT_EQ(internal.error_details().find("SELECT"), std::string::npos);
}

TEST(GrpcStatusTest, RoundTripKeepsCodeAndMessage) {
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    if (code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
        code == absl::StatusCode::kDataLoss) {
      continue;
    }
    const absl::Status s(code, "why");
    EXPECT_EQ(FromGrpcStatus(ToGrpcStatus(s, "r")), s) << c;
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), "r").ok());
}

}  // namespace
}  // namespace sla
