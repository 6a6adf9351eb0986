#include "tests/e2e/remote_fixture.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "remote/open_remote_storage.h"
#include "remote/testing/test_storage.h"
#include "tests/e2e/pitrd_process.h"

namespace pitr::e2e {

void RemotePitrdTest::SetUp() {
  std::optional<remote::testing::S3TestEnv> env =
      remote::testing::S3TestEnvOrFail();
  ASSERT_TRUE(env.has_value());
  env_ = *env;
  prefix_ = remote::testing::UniquePrefix(name_);
  credentials_ = JoinPath(
      pitr::testing::NewTestDir(absl::StrCat(name_, "_creds")), "credentials");
  WriteCredentials(env_.access_key, env_.secret_key);
  absl::StatusOr<std::unique_ptr<remote::RemoteStorage>> storage =
      remote::OpenRemoteStorage(Url(), env_.Options());
  ASSERT_TRUE(storage.ok()) << storage.status();
  storage_ = std::move(*storage);
}

void RemotePitrdTest::TearDown() {
  if (storage_ != nullptr) remote::testing::DeleteAllObjects(storage_.get());
}

std::string RemotePitrdTest::Url(const std::string& bucket) const {
  return absl::StrCat("s3://", bucket.empty() ? env_.bucket : bucket, "/",
                      prefix_);
}

void RemotePitrdTest::WriteCredentials(const std::string& key,
                                       const std::string& secret) {
  pitr::testing::WriteFileBytes(
      credentials_, absl::StrCat("[default]\naws_access_key_id = ", key,
                                 "\naws_secret_access_key = ", secret, "\n"));
}

std::vector<std::string> RemotePitrdTest::RemoteFlags(
    const std::string& url, const std::string& endpoint, uint32_t page_size) {
  return {
      absl::StrCat("--remote=", url.empty() ? Url() : url),
      absl::StrCat("--remote_endpoint=",
                   endpoint.empty() ? env_.endpoint : endpoint),
      absl::StrCat("--remote_credentials_file=", credentials_),
      absl::StrCat("--page_size=", page_size),
  };
}

std::unique_ptr<PitrdProcess> RemotePitrdTest::StartPitrd(
    std::vector<std::string> extra, const std::string& data_dir) {
  PitrdOptions options;
  options.flags = RemoteFlags();
  options.flags.insert(options.flags.end(), extra.begin(), extra.end());
  options.data_dir = data_dir;
  absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
      PitrdProcess::Start(options);
  EXPECT_TRUE(pitrd.ok()) << pitrd.status();
  return pitrd.ok() ? std::move(*pitrd) : nullptr;
}

std::string RemotePitrdTest::RefusedStart(std::vector<std::string> flags,
                                          const std::string& data_dir) {
  PitrdOptions options;
  options.flags = std::move(flags);
  options.data_dir = data_dir;
  options.start_timeout = absl::Seconds(60);
  absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
      PitrdProcess::Start(options);
  EXPECT_FALSE(pitrd.ok()) << "pitrd started";
  return std::string(pitrd.status().message());
}

}  // namespace pitr::e2e
