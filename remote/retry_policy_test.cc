#include "remote/retry_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;

TEST(RetryPolicyTest, BackoffGrowsToItsCeilingWithJitter) {
  RetryPolicy policy;
  policy.initial_backoff = absl::Milliseconds(10);
  policy.max_backoff = absl::Milliseconds(50);
  for (int attempt = 1; attempt <= 10; ++attempt) {
    absl::Duration ceiling = std::min(
        absl::Milliseconds(10) * (1 << std::min(attempt - 1, 20)),
        absl::Milliseconds(50));
    for (int i = 0; i < 50; ++i) {
      absl::Duration d = Backoff(policy, attempt);
      EXPECT_GE(d, absl::ZeroDuration());
      EXPECT_LE(d, ceiling) << "attempt " << attempt;
    }
  }
}

TEST(RetryPolicyTest, RetriesOnlyWhatALaterTryCanFix) {
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.initial_backoff = absl::Milliseconds(1);
  int tries = 0;
  absl::Status status = Retry(policy, [&] {
    ++tries;
    return absl::UnavailableError("down");
  });
  EXPECT_EQ(tries, 4);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("gave up after 4 tries"));

  tries = 0;
  status = Retry(policy, [&] {
    return ++tries < 3 ? absl::DeadlineExceededError("slow") : absl::OkStatus();
  });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(tries, 3);

  tries = 0;
  status = Retry(policy, [&] {
    ++tries;
    return absl::NotFoundError("no");
  });
  EXPECT_EQ(tries, 1);
  EXPECT_EQ(status.message(), "no");
}

}  // namespace
}  // namespace pitr::remote
