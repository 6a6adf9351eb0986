// The absl::Status of an S3 answer that is not a success: the code chosen by
// the HTTP status and S3's error code (remote_storage.h lists what callers
// see), the message naming the operation, the key, the store, the HTTP
// status, S3's code and message and the request id.
#ifndef PITR_REMOTE_S3_STATUS_H_
#define PITR_REMOTE_S3_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "remote/http_client.h"

namespace pitr::remote {

// What an S3 request was, for messages.
struct S3Operation {
  absl::string_view what;   // "get", "put", "list", ...
  absl::string_view key;    // the caller's key; "" for bucket operations
  absl::string_view where;  // "s3://bucket/prefix"
};

// REQUIRES: response.status is not 2xx.
//   404 → NOT_FOUND; 401, 403 with a credentials code → UNAUTHENTICATED;
//   other 403 → PERMISSION_DENIED; 412 → FAILED_PRECONDITION; 416 →
//   OUT_OF_RANGE; 409 → ABORTED; 429, 5xx → UNAVAILABLE (retried);
//   other 4xx → INVALID_ARGUMENT; anything else → UNKNOWN.
absl::Status S3Status(const S3Operation& operation,
                      const HttpResponse& response);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_S3_STATUS_H_
