// RemotePitrdTest: the base of end-to-end tests that run pitrd with object
// storage, against the real S3 server (tools/dev/s3_server.sh's radosgw):
// a prefix of the test bucket of its own (emptied afterwards), a
// credentials file, and pitrd's flags for them.
#ifndef PITR_TESTS_E2E_REMOTE_FIXTURE_H_
#define PITR_TESTS_E2E_REMOTE_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "remote/remote_storage.h"
#include "remote/testing/s3_test_env.h"
#include "tests/e2e/pitrd_process.h"

namespace pitr::e2e {

class RemotePitrdTest : public ::testing::Test {
 protected:
  // `name` names the prefix and the scratch directories.
  explicit RemotePitrdTest(absl::string_view name) : name_(name) {}
  void SetUp() override;
  void TearDown() override;

  // s3://bucket/prefix (of `bucket` if given).
  std::string Url(const std::string& bucket = "") const;
  void WriteCredentials(const std::string& key, const std::string& secret);
  // pitrd's flags for the S3 server: --remote (`url`, default Url()),
  // --remote_endpoint (`endpoint`, default the server's), the credentials
  // file, and --page_size=page_size.
  std::vector<std::string> RemoteFlags(const std::string& url = "",
                                       const std::string& endpoint = "",
                                       uint32_t page_size = 4096);
  // Starts pitrd with RemoteFlags() (pages of 4096 bytes) and `extra` on
  // `data_dir` (empty: a new one); nullptr, failing the test, if it does
  // not start.
  std::unique_ptr<PitrdProcess> StartPitrd(std::vector<std::string> extra,
                                           const std::string& data_dir = "");
  // Starts pitrd with `flags` (on `data_dir`; empty: a new one), expecting
  // it to refuse; returns why.
  std::string RefusedStart(std::vector<std::string> flags,
                           const std::string& data_dir = "");

  const std::string name_;
  remote::testing::S3TestEnv env_;
  std::string prefix_;
  std::string credentials_;
  // The prefix, for the test to look at what pitrd wrote.
  std::unique_ptr<remote::RemoteStorage> storage_;
};

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_REMOTE_FIXTURE_H_
