#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"

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
  const grpc::Status g =
      ToGrpcStatus(absl::InternalError("Duplicate entry 'x' for key 'PRIMARY' in SELECT ..."),
                   "req-42");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(g.error_message(), "internal error; request id req-42");
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
