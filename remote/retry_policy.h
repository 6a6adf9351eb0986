// When and how long the S3 backend waits before trying a request again:
// exponential backoff with full jitter, for the failures that a later try
// can fix (HTTP 5xx, 429, S3's SlowDown, timeouts, connection errors), never
// for the others (4xx: the request itself is wrong, or a condition failed).
#ifndef PITR_REMOTE_RETRY_POLICY_H_
#define PITR_REMOTE_RETRY_POLICY_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace pitr::remote {

struct RetryPolicy {
  int max_attempts = 5;  // tries in all, the first included; 1: no retry
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
};

// Whether a request that ended with `status` (as S3Status makes it) may be
// tried again: UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED.
bool IsRetryable(const absl::Status& status);

// How long to wait before try number `attempt` + 1 (attempt counts from 1):
// a uniformly random duration in [0, min(max, initial * 2^(attempt-1))].
absl::Duration Backoff(const RetryPolicy& policy, int attempt);

// Runs `attempt` until it returns a status that is not retryable or
// policy.max_attempts tries are spent, sleeping Backoff between tries.
// Returns the last try's status (with the number of tries in its message
// when there was more than one).
absl::Status Retry(const RetryPolicy& policy,
                   const std::function<absl::Status()>& attempt);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_RETRY_POLICY_H_
