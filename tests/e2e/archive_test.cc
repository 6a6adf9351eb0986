// pitrd with object storage (--remote), against the real S3 server
// (tools/dev/s3_server.sh's radosgw):
// - with --archive_sync, every acknowledged batch is in the bucket even if
//   pitrd is killed right after (the archive, fetched back, holds it);
// - bad credentials, a missing bucket, a wrong endpoint: pitrd refuses to
//   start, saying what is wrong;
// - a second pitrd on the same prefix is refused by the fencing;
// - the network to the store cut for a while (a proxy in between): appends
//   go on, the archive waits, and catches up with everything afterwards;
// - pitrd killed again and again while it uploads: the archive stays a
//   whole log, and holds every acknowledged batch once pitrd is back.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/generation.h"
#include "remote/wal_fetch.h"
#include "remote/wal_lineage.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/e2e/remote_fixture.h"
#include "tests/e2e/requests.h"
#include "tests/e2e/tcp_proxy.h"
#include "wal/testing/wal_test_util.h"
#include "wal/wal.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 4096;

class ArchiveTest : public RemotePitrdTest {
 protected:
  ArchiveTest() : RemotePitrdTest("e2e_archive") {}

  // How far the archive holds the log of the newest generation.
  Lsn ArchivedEnd() {
    absl::StatusOr<std::vector<remote::Generation>> generations =
        remote::ListGenerations(storage_.get());
    EXPECT_TRUE(generations.ok()) << generations.status();
    if (!generations.ok() || generations->empty()) return 0;
    absl::StatusOr<remote::WalPiecesBySegment> pieces =
        remote::PiecesOfLineage(storage_.get(), generations->back().number);
    EXPECT_TRUE(pieces.ok()) << pieces.status();
    return pieces.ok() ? remote::CoveredFrom(*pieces, 0) : 0;
  }

  // Waits up to a minute for the archive to reach `lsn`.
  bool ArchivedBy(Lsn lsn) {
    const absl::Time deadline = absl::Now() + absl::Minutes(1);
    while (ArchivedEnd() < lsn) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return true;
  }

  // The archive, fetched and opened as a log: the commit LSN of every
  // batch it holds.
  std::vector<Lsn> ArchivedCommits() {
    std::vector<remote::Generation> generations =
        *remote::ListGenerations(storage_.get());
    const std::string dir = pitr::testing::NewTestDir("e2e_archive_fetch");
    absl::StatusOr<remote::FetchedWal> fetched = remote::FetchWal(
        storage_.get(), generations.back().number, 0, dir);
    EXPECT_TRUE(fetched.ok()) << fetched.status();
    WalOptions wal_options;
    wal_options.dir = dir;
    absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(wal_options);
    EXPECT_TRUE(wal.ok()) << wal.status();
    std::vector<Lsn> commits;
    if (!wal.ok()) return commits;
    for (const CommittedBatch& batch : pitr::testing::ReadAll(wal->get(), 0)) {
      commits.push_back(batch.commit_lsn);
    }
    return commits;
  }

  // Appends one page to main; its commit LSN, or 0 if the call failed.
  static uint64_t AppendOne(PitrClient& client, int i) {
    v1::AppendResponse response;
    grpc::Status status = Append(
        client, "main",
        {Image(1, i % 64, MarkedPage(kPageSize, absl::StrCat("b", i)))},
        &response);
    return status.ok() ? response.commit_lsn() : 0;
  }

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
  // GetStoreInfo (pitrctl info) says how far the archive is.
  v1::StoreInfo info;
  grpc::Status got = client.pages->GetStoreInfo(
      CallContext().get(), v1::GetStoreInfoRequest(), &info);
  ASSERT_TRUE(got.ok()) << Describe(got);
  ASSERT_TRUE(info.has_archive());
  EXPECT_EQ(info.archive().remote(), Url() + "/");
  EXPECT_EQ(info.archive().generation(), 1u);
  EXPECT_GE(info.archive().archived_lsn(), last_acknowledged);
  EXPECT_EQ(info.archive().lag_bytes(), 0u);
  EXPECT_EQ(info.archive().lag().seconds(), 0);
  EXPECT_FALSE(info.archive().fenced());
  EXPECT_EQ(info.archive().last_error(), "");
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

TEST_F(ArchiveTest, ACutToTheStoreDelaysTheArchiveAndLosesNothing) {
  const size_t colon = env_.endpoint.rfind(':');
  absl::StatusOr<std::unique_ptr<TcpProxy>> proxy =
      TcpProxy::Start(std::stoi(env_.endpoint.substr(colon + 1)));
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  PitrdOptions options;
  options.flags = RemoteFlags(
      "", absl::StrCat("http://127.0.0.1:", (*proxy)->port()));
  options.flags.push_back("--archive_delay=100ms");
  absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
      PitrdProcess::Start(options);
  ASSERT_TRUE(pitrd.ok()) << pitrd.status();
  PitrClient client((*pitrd)->NewChannel());
  uint64_t last = 0;
  for (int i = 0; i < 10; ++i) last = AppendOne(client, i);
  ASSERT_GT(last, 0u);
  ASSERT_TRUE(ArchivedBy(last));

  (*proxy)->Cut();
  for (int i = 10; i < 40; ++i) {
    last = AppendOne(client, i);
    ASSERT_GT(last, 0u) << "an append failed while the store was cut off";
  }
  absl::SleepFor(absl::Seconds(1));
  EXPECT_LT(ArchivedEnd(), last);
  // The cut lasts until a pass has used up its retries and said so (how
  // long that takes depends on the retry policy and the machine's load).
  const absl::Time deadline = absl::Now() + absl::Minutes(2);
  while (!absl::StrContains((*pitrd)->Log(), "retrying") &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT((*pitrd)->Log(), HasSubstr("retrying"));
  (*proxy)->Restore();
  ASSERT_TRUE(ArchivedBy(last)) << (*pitrd)->Log();
  EXPECT_THAT((*pitrd)->Log(), HasSubstr("uploading again"));
  const std::vector<Lsn> commits = ArchivedCommits();
  ASSERT_FALSE(commits.empty());
  EXPECT_EQ(commits.back(), last);
  EXPECT_EQ(commits.size(), 40u);
}

TEST_F(ArchiveTest, KilledWhileUploadingTheArchiveStaysAWholeLog) {
  PitrdOptions options;
  options.flags = RemoteFlags();
  options.flags.push_back("--archive_delay=20ms");
  absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
      PitrdProcess::Start(options);
  ASSERT_TRUE(pitrd.ok()) << pitrd.status();
  std::vector<uint64_t> acknowledged;
  int i = 0;
  for (int round = 0; round < 4; ++round) {
    if (round > 0) {
      ASSERT_TRUE((*pitrd)->Restart().ok());
    }
    PitrClient client((*pitrd)->NewChannel());
    // Appends keep the archiver busy; the kill lands in the middle.
    const absl::Time kill_at = absl::Now() + absl::Milliseconds(300 + 100 * round);
    while (absl::Now() < kill_at) {
      if (const uint64_t lsn = AppendOne(client, i++); lsn > 0) {
        acknowledged.push_back(lsn);
      }
    }
    (*pitrd)->Kill();
    // Whatever the moment, the bucket holds a whole log.
    ArchivedCommits();
  }
  // Back once more, stopped cleanly: everything reaches the bucket.
  ASSERT_TRUE((*pitrd)->Restart().ok());
  ASSERT_TRUE((*pitrd)->Stop().ok());
  const std::vector<Lsn> commits = ArchivedCommits();
  ASSERT_FALSE(acknowledged.empty());
  for (uint64_t lsn : acknowledged) {
    EXPECT_TRUE(std::binary_search(commits.begin(), commits.end(), lsn))
        << "acknowledged batch at " << lsn << " is not in the archive";
  }
  EXPECT_EQ(remote::ListGenerations(storage_.get())->size(), 5u);
}

}  // namespace
}  // namespace pitr::e2e
