#include "tools/bench/bench_remote.h"

#include <cstdlib>
#include <random>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

ABSL_FLAG(std::string, remote, "",
          "s3://bucket/prefix to measure against; empty: the test S3 server "
          "from PITR_S3_* (tools/dev/s3_server.sh env).");
ABSL_FLAG(std::string, remote_endpoint, "", "As pitrd's --remote_endpoint.");
ABSL_FLAG(std::string, remote_credentials_file, "",
          "As pitrd's --remote_credentials_file.");

namespace pitr::bench {

absl::StatusOr<BenchRemote> BenchRemoteFor(const std::string& name) {
  BenchRemote remote;
  std::string url = absl::GetFlag(FLAGS_remote);
  remote.options.endpoint = absl::GetFlag(FLAGS_remote_endpoint);
  remote.options.credentials_file =
      absl::GetFlag(FLAGS_remote_credentials_file);
  if (url.empty()) {
    auto env = [](const char* variable) -> std::string {
      const char* v = std::getenv(variable);
      return v == nullptr ? "" : v;
    };
    if (env("PITR_S3_BUCKET").empty()) {
      return absl::InvalidArgumentError(
          "give --remote, or start tools/dev/s3_server.sh and export what "
          "`tools/dev/s3_server.sh env` prints");
    }
    url = absl::StrCat("s3://", env("PITR_S3_BUCKET"), "/");
    remote.options.endpoint = env("PITR_S3_ENDPOINT");
    remote.options.credentials = remote::Credentials{
        env("PITR_S3_ACCESS_KEY"), env("PITR_S3_SECRET_KEY"), ""};
  }
  std::mt19937_64 random(std::random_device{}());
  remote.url = absl::StrCat(url, url.back() == '/' ? "" : "/",
                            absl::StrFormat("%s-%08x", name, random() >> 32));
  return remote;
}

absl::Status DeleteAll(remote::RemoteStorage* storage,
                       const std::string& prefix) {
  PITR_ASSIGN_OR_RETURN(std::vector<remote::ObjectInfo> objects,
                        storage->List(prefix));
  std::vector<std::string> keys;
  for (const remote::ObjectInfo& o : objects) keys.push_back(o.key);
  return storage->DeleteBatch(keys);
}

}  // namespace pitr::bench
