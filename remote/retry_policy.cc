#include "remote/retry_policy.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace pitr::remote {

bool IsRetryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsResourceExhausted(status);
}

absl::Duration Backoff(const RetryPolicy& policy, int attempt) {
  absl::Duration ceiling = policy.initial_backoff;
  for (int i = 1; i < attempt && ceiling < policy.max_backoff; ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, policy.max_backoff);
  thread_local absl::BitGen gen;
  return absl::Nanoseconds(
      absl::Uniform<int64_t>(gen, 0, absl::ToInt64Nanoseconds(ceiling) + 1));
}

absl::Status Retry(const RetryPolicy& policy,
                   const std::function<absl::Status()>& attempt) {
  for (int tries = 1;; ++tries) {
    absl::Status status = attempt();
    if (status.ok() || !IsRetryable(status)) return status;
    if (tries >= policy.max_attempts) {
      if (tries == 1) return status;
      return absl::Status(status.code(),
                          absl::StrCat(status.message(), " (gave up after ",
                                       tries, " tries)"));
    }
    absl::SleepFor(Backoff(policy, tries));
  }
}

}  // namespace pitr::remote
