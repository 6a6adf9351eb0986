// The S3 server the tests of remote/ run against, as tools/dev/s3_server.sh
// describes it in the environment (PITR_S3_ENDPOINT, PITR_S3_ACCESS_KEY,
// PITR_S3_SECRET_KEY, PITR_S3_BUCKET; tools/dev/test.sh passes them to
// Bazel). For tests only.
#ifndef PITR_REMOTE_TESTING_S3_TEST_ENV_H_
#define PITR_REMOTE_TESTING_S3_TEST_ENV_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "remote/remote_options.h"

namespace pitr::remote::testing {

struct S3TestEnv {
  std::string endpoint;
  std::string access_key;
  std::string secret_key;
  std::string bucket;

  // Options to reach it: endpoint, keys, few quick retries.
  RemoteOptions Options() const;
};

// The server's description; if any variable is missing, fails the current
// test (it does not skip: a test that cannot fail proves nothing) with how
// to start the server, and returns nullopt.
std::optional<S3TestEnv> S3TestEnvOrFail();

// A key prefix no other test run shares: "<name>-<pid>-<random>".
std::string UniquePrefix(absl::string_view name);

}  // namespace pitr::remote::testing

#endif  // PITR_REMOTE_TESTING_S3_TEST_ENV_H_
