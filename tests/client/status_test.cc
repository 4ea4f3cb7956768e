// grpc::Status -> absl::Status: same code, same message.
#include "client/lib/status.h"

#include "gtest/gtest.h"

namespace hubsync::client {
namespace {

TEST(FromGrpcStatusTest, OkIsOk) {
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(FromGrpcStatusTest, KeepsEveryCodeAndTheMessage) {
  for (int code = 1; code <= 16; ++code) {
    grpc::Status in(static_cast<grpc::StatusCode>(code),
                    "row 7 is New, not Matched");
    absl::Status out = FromGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(out.code()), code);
    EXPECT_EQ(out.message(), "row 7 is New, not Matched");
  }
}

TEST(FromGrpcStatusTest, NamesMatchTheServerSide) {
  absl::Status s = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::ABORTED, "stale version 3"));
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(absl::StatusCodeToString(s.code()), "ABORTED");
  s = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "wrong step"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  s = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no token"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
}

// 20 is no gRPC code, but a value grpc::StatusCode can hold (its enumerators
// 0..16 give it the range 0..31); casting 42 to it, as this test once did, is
// undefined behaviour (UBSan: "load of value 42, which is not a valid value
// for type 'StatusCode'").
TEST(FromGrpcStatusTest, UnknownNumbersBecomeUnknownWithTheMessage) {
  absl::Status s = FromGrpcStatus(
      grpc::Status(static_cast<grpc::StatusCode>(20), "odd peer"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(s.message(), "odd peer");
}

}  // namespace
}  // namespace hubsync::client
