#include "remote/testing/s3_test_env.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace pitr::remote::testing {

RemoteOptions S3TestEnv::Options() const {
  RemoteOptions options;
  options.endpoint = endpoint;
  options.credentials = Credentials{access_key, secret_key, ""};
  options.retry.max_attempts = 3;
  options.retry.initial_backoff = absl::Milliseconds(20);
  return options;
}

std::optional<S3TestEnv> S3TestEnvOrFail() {
  S3TestEnv env;
  std::string missing;
  auto read = [&](const char* name, std::string* value) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
      absl::StrAppend(&missing, missing.empty() ? "" : ", ", name);
    } else {
      *value = v;
    }
  };
  read("PITR_S3_ENDPOINT", &env.endpoint);
  read("PITR_S3_ACCESS_KEY", &env.access_key);
  read("PITR_S3_SECRET_KEY", &env.secret_key);
  read("PITR_S3_BUCKET", &env.bucket);
  if (missing.empty()) return env;
  ADD_FAILURE() << "this test needs the S3 server, but " << missing
                << " is not set. Run the tests with tools/dev/test.sh (which "
                   "starts the server), or start it by hand with "
                   "`tools/dev/s3_server.sh start` and pass each line of "
                   "`tools/dev/s3_server.sh env` to bazel as --test_env=...";
  return std::nullopt;
}

std::string UniquePrefix(absl::string_view name) {
  absl::BitGen gen;
  return absl::StrFormat("%s-%d-%08x", name, getpid(),
                         absl::Uniform<uint32_t>(gen));
}

}  // namespace pitr::remote::testing
