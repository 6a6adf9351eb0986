// RemoteOptions: how OpenRemoteStorage reaches a store. Only the S3 backend
// reads most of them; the directory backend has nothing to configure.
#ifndef PITR_REMOTE_REMOTE_OPTIONS_H_
#define PITR_REMOTE_REMOTE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "remote/credentials.h"
#include "remote/retry_policy.h"

namespace pitr::remote {

struct RemoteOptions {
  // "http://host:port" or "https://host:port" of an S3-compatible server,
  // addressed path-style (endpoint/bucket/key). Empty: AWS itself,
  // virtual-host style (https://bucket.s3.<region>.amazonaws.com/key).
  std::string endpoint;
  std::string region = "us-east-1";

  // The keys to sign with. Unset: LoadCredentials(credentials_file) (see
  // credentials.h: the environment, then the credentials file).
  std::optional<Credentials> credentials;
  std::string credentials_file;  // "" means ~/.aws/credentials

  absl::Duration connect_timeout = absl::Seconds(10);
  // A request that moves fewer than 1 byte a second for this long is given
  // up (and retried): a timeout for stalls that does not cap big transfers.
  // libcurl averages the speed over about 5 s, so a stall that follows
  // moving bytes is seen up to about 5 s later than this.
  absl::Duration stall_timeout = absl::Seconds(30);
  RetryPolicy retry;

  // Files bigger than multipart_threshold are put in parts of part_size
  // bytes (S3 wants at least 5 MiB a part, except the last, and at most
  // 10000 parts).
  uint64_t multipart_threshold = 64 << 20;
  uint64_t part_size = 16 << 20;
  // Keys asked for per ListObjectsV2 page (S3's maximum is 1000).
  int list_page_size = 1000;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_REMOTE_OPTIONS_H_
