// Where the benchmarks that need object storage measure: the bucket given
// by --remote (with --remote_endpoint and --remote_credentials_file, as
// pitrd takes them; the flags are defined here, for every benchmark that
// links this), or, without --remote, the S3 server of
// tools/dev/s3_server.sh as `tools/dev/s3_server.sh env` describes it
// (PITR_S3_ENDPOINT, PITR_S3_ACCESS_KEY, PITR_S3_SECRET_KEY,
// PITR_S3_BUCKET). Each run gets a prefix of its own, "<name>-<random>".
#ifndef PITR_TOOLS_BENCH_BENCH_REMOTE_H_
#define PITR_TOOLS_BENCH_BENCH_REMOTE_H_

#include <string>

#include "absl/status/statusor.h"
#include "remote/remote_options.h"
#include "remote/remote_storage.h"

namespace pitr::bench {

struct BenchRemote {
  std::string url;  // s3://bucket/<prefix of this run>
  remote::RemoteOptions options;
};

// INVALID_ARGUMENT saying what to give if there is neither.
absl::StatusOr<BenchRemote> BenchRemoteFor(const std::string& name);

// Deletes every object under `prefix`.
absl::Status DeleteAll(remote::RemoteStorage* storage,
                       const std::string& prefix);

}  // namespace pitr::bench

#endif  // PITR_TOOLS_BENCH_BENCH_REMOTE_H_
