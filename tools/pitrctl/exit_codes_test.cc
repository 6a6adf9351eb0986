#include "tools/pitrctl/exit_codes.h"

#include "gtest/gtest.h"
#include "tools/pitrctl/args.h"

namespace pitr::ctl {
namespace {

TEST(ExitCodeTest, OnePerFamily) {
  EXPECT_EQ(ExitCode(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCode(UsageError("bad")), 2);
  EXPECT_EQ(ExitCode(absl::InvalidArgumentError("server said")), 5);
  EXPECT_EQ(ExitCode(absl::NotFoundError("")), 3);
  EXPECT_EQ(ExitCode(absl::AlreadyExistsError("")), 4);
  EXPECT_EQ(ExitCode(absl::FailedPreconditionError("")), 6);
  EXPECT_EQ(ExitCode(absl::OutOfRangeError("")), 7);
  EXPECT_EQ(ExitCode(absl::UnavailableError("")), 8);
  EXPECT_EQ(ExitCode(absl::DeadlineExceededError("")), 8);
  EXPECT_EQ(ExitCode(absl::UnauthenticatedError("")), 9);
  EXPECT_EQ(ExitCode(absl::PermissionDeniedError("")), 9);
  EXPECT_EQ(ExitCode(absl::DataLossError("")), 10);
  EXPECT_EQ(ExitCode(absl::InternalError("")), 1);
  EXPECT_EQ(ExitCode(absl::UnknownError("")), 1);
}

}  // namespace
}  // namespace pitr::ctl
