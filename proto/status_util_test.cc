#include "proto/status_util.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace pitr {
namespace {

const std::vector<std::pair<absl::StatusCode, grpc::StatusCode>>& AllCodes() {
  static const auto* codes =
      new std::vector<std::pair<absl::StatusCode, grpc::StatusCode>>{
          {absl::StatusCode::kOk, grpc::StatusCode::OK},
          {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
          {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
          {absl::StatusCode::kInvalidArgument,
           grpc::StatusCode::INVALID_ARGUMENT},
          {absl::StatusCode::kDeadlineExceeded,
           grpc::StatusCode::DEADLINE_EXCEEDED},
          {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
          {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
          {absl::StatusCode::kPermissionDenied,
           grpc::StatusCode::PERMISSION_DENIED},
          {absl::StatusCode::kResourceExhausted,
           grpc::StatusCode::RESOURCE_EXHAUSTED},
          {absl::StatusCode::kFailedPrecondition,
           grpc::StatusCode::FAILED_PRECONDITION},
          {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
          {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
          {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
          {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
          {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
          {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
          {absl::StatusCode::kUnauthenticated,
           grpc::StatusCode::UNAUTHENTICATED},
      };
  return *codes;
}

TEST(StatusUtilTest, EveryCodeMapsBothWays) {
  ASSERT_EQ(AllCodes().size(), 17u);
  for (const auto& [absl_code, grpc_code] : AllCodes()) {
    const std::string message =
        absl_code == absl::StatusCode::kOk ? "" : "page 7 at LSN 0/10";
    const grpc::Status to = ToGrpcStatus(absl::Status(absl_code, message));
    EXPECT_EQ(to.error_code(), grpc_code)
        << absl::StatusCodeToString(absl_code);
    EXPECT_EQ(to.error_message(), message);

    const absl::Status from = FromGrpcStatus(grpc::Status(grpc_code, message));
    EXPECT_EQ(from.code(), absl_code) << absl::StatusCodeToString(absl_code);
    EXPECT_EQ(from.message(), message);
  }
}

TEST(StatusUtilTest, UnknownCodesBecomeUnknown) {
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(99), "x"))
                .error_code(),
            grpc::StatusCode::UNKNOWN);
  // 20: past the last code, but a valid value of the (unfixed) enum type.
  EXPECT_EQ(FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "x"))
                .code(),
            absl::StatusCode::kUnknown);
}

TEST(StatusUtilTest, ShortMessageIsKept) {
  const std::string message(kMaxGrpcMessageBytes, 'a');
  EXPECT_EQ(ToGrpcStatus(absl::InternalError(message)).error_message(),
            message);
}

TEST(StatusUtilTest, LongMessageIsCutAndMarked) {
  const std::string message(kMaxGrpcMessageBytes + 100, 'a');
  EXPECT_EQ(
      ToGrpcStatus(absl::InternalError(message)).error_message(),
      std::string(kMaxGrpcMessageBytes, 'a') + "...[truncated 100 bytes]");
}

TEST(StatusUtilTest, CutNeverSplitsAUtf8Character) {
  // "é" is two bytes; with one byte of padding the bound falls inside one.
  std::string message = "x";
  while (message.size() <= kMaxGrpcMessageBytes + 10) message += "\xC3\xA9";
  const std::string cut =
      ToGrpcStatus(absl::InternalError(message)).error_message();
  const size_t kept = kMaxGrpcMessageBytes - 1;
  EXPECT_EQ(cut.substr(0, kept), message.substr(0, kept));
  EXPECT_EQ(
      cut.substr(kept),
      "...[truncated " + std::to_string(message.size() - kept) + " bytes]");
}

}  // namespace
}  // namespace pitr
