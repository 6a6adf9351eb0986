// pitrd with object storage (--remote), against the real S3 server
// (tools/dev/s3_server.sh's radosgw):
// - with --archive_sync, every acknowledged batch is in the bucket even if
//   pitrd is killed right after (the archive, fetched back, holds it);
// - bad credentials, a missing bucket, a wrong endpoint: pitrd refuses to
//   start, saying what is wrong;
// - a second pitrd on the same prefix is refused by the fencing.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/generation.h"
#include "remote/open_remote_storage.h"
#include "remote/testing/s3_test_env.h"
#include "remote/wal_fetch.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/e2e/requests.h"
#include "wal/wal.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 4096;

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<remote::testing::S3TestEnv> env =
        remote::testing::S3TestEnvOrFail();
    ASSERT_TRUE(env.has_value());
    env_ = *env;
    prefix_ = remote::testing::UniquePrefix("e2e_archive");
    credentials_ = JoinPath(pitr::testing::NewTestDir("e2e_archive_creds"),
                            "credentials");
    WriteCredentials(env_.access_key, env_.secret_key);
    absl::StatusOr<std::unique_ptr<remote::RemoteStorage>> storage =
        remote::OpenRemoteStorage(Url(), env_.Options());
    ASSERT_TRUE(storage.ok()) << storage.status();
    storage_ = std::move(*storage);
  }
  void TearDown() override {
    if (storage_ == nullptr) return;
    auto objects = storage_->List("");
    ASSERT_TRUE(objects.ok()) << objects.status();
    std::vector<std::string> keys;
    for (const remote::ObjectInfo& o : *objects) keys.push_back(o.key);
    EXPECT_TRUE(storage_->DeleteBatch(keys).ok());
  }

  std::string Url(const std::string& bucket = "") const {
    return absl::StrCat("s3://", bucket.empty() ? env_.bucket : bucket, "/",
                        prefix_);
  }
  void WriteCredentials(const std::string& key, const std::string& secret) {
    pitr::testing::WriteFileBytes(
        credentials_,
        absl::StrCat("[default]\naws_access_key_id = ", key,
                     "\naws_secret_access_key = ", secret, "\n"));
  }
  // pitrd's flags for the S3 server, with `url` (default: the test's).
  std::vector<std::string> RemoteFlags(const std::string& url = "",
                                       const std::string& endpoint = "") {
    return {
        absl::StrCat("--remote=", url.empty() ? Url() : url),
        absl::StrCat("--remote_endpoint=",
                     endpoint.empty() ? env_.endpoint : endpoint),
        absl::StrCat("--remote_credentials_file=", credentials_),
        absl::StrCat("--page_size=", kPageSize),
    };
  }
  // Starts pitrd with `flags`, expecting it to refuse; returns its log.
  std::string RefusedStart(std::vector<std::string> flags) {
    PitrdOptions options;
    options.flags = std::move(flags);
    options.start_timeout = absl::Seconds(60);
    absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
        PitrdProcess::Start(options);
    EXPECT_FALSE(pitrd.ok()) << "pitrd started";
    return std::string(pitrd.status().message());
  }

  remote::testing::S3TestEnv env_;
  std::string prefix_;
  std::string credentials_;
  std::unique_ptr<remote::RemoteStorage> storage_;
};

TEST_F(ArchiveTest, WithArchiveSyncEveryAcknowledgedBatchIsInTheBucket) {
  PitrdOptions options;
  options.flags = RemoteFlags();
  options.flags.push_back("--archive_sync");
  absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
      PitrdProcess::Start(options);
  ASSERT_TRUE(pitrd.ok()) << pitrd.status();
  PitrClient client((*pitrd)->NewChannel());
  uint64_t last_acknowledged = 0;
  for (int i = 0; i < 30; ++i) {
    v1::AppendResponse response;
    grpc::Status status =
        Append(client, "main",
               {Image(1, i, MarkedPage(kPageSize, absl::StrCat("b", i)))},
               &response);
    ASSERT_TRUE(status.ok()) << Describe(status);
    last_acknowledged = response.commit_lsn();
  }
  // The machine is lost: nothing is flushed or archived on the way out.
  (*pitrd)->Kill();
  absl::StatusOr<std::vector<remote::Generation>> generations =
      remote::ListGenerations(storage_.get());
  ASSERT_TRUE(generations.ok()) << generations.status();
  ASSERT_EQ(generations->size(), 1u);
  const std::string dir = pitr::testing::NewTestDir("e2e_archive_fetch");
  absl::StatusOr<remote::FetchedWal> fetched =
      remote::FetchWal(storage_.get(), 1, 0, dir);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_GE(fetched->end, last_acknowledged);
  // And the fetched log opens and holds those batches.
  WalOptions wal_options;
  wal_options.dir = dir;
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(wal_options);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_GE((*wal)->end_lsn(), last_acknowledged);
}

TEST_F(ArchiveTest, BadCredentialsAMissingBucketOrAWrongEndpointAreRefused) {
  WriteCredentials(env_.access_key, "not-the-secret");
  EXPECT_THAT(RefusedStart(RemoteFlags()), HasSubstr("SignatureDoesNotMatch"));
  WriteCredentials(env_.access_key, env_.secret_key);
  EXPECT_THAT(RefusedStart(RemoteFlags(Url("no-such-bucket-pitr"))),
              HasSubstr("no-such-bucket-pitr"));
  EXPECT_THAT(RefusedStart(RemoteFlags("", "http://127.0.0.1:1")),
              HasSubstr("127.0.0.1:1"));
}

TEST_F(ArchiveTest, ASecondPitrdOnTheSamePrefixIsRefused) {
  PitrdOptions options;
  options.flags = RemoteFlags();
  absl::StatusOr<std::unique_ptr<PitrdProcess>> first =
      PitrdProcess::Start(options);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(RefusedStart(RemoteFlags()), HasSubstr("prefix of its own"));
  // The first one restarts fine (a new generation of its own).
  ASSERT_TRUE((*first)->Stop().ok());
  ASSERT_TRUE((*first)->Restart().ok());
  EXPECT_EQ(remote::ListGenerations(storage_.get())->size(), 2u);
}

}  // namespace
}  // namespace pitr::e2e
