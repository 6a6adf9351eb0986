// The engine with object storage (EngineOptions::remote), on both backends:
// a batch appended with archive_sync is in the bucket when Append returns,
// the WAL is never trimmed past what is archived (an outage holds it back,
// nothing is lost), restarts continue the archive under a new generation,
// and a copy of the data directory started after the original is refused.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "branch/catalog_records.h"
#include "remote/catalog_archive.h"
#include "remote/generation.h"
#include "remote/testing/outage_storage.h"
#include "remote/testing/test_storage.h"
#include "remote/wal_fetch.h"

namespace pitr {
namespace {

using remote::testing::Backend;
using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 4096;

class ArchiveTest : public testing::EngineFixture,
                    public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    storage_ = remote::testing::OpenTestStorage(GetParam(), "engine_archive");
    ASSERT_NE(storage_, nullptr);
    outage_ = std::make_unique<remote::testing::OutageStorage>(storage_.get());
    options_ = testing::TestEngineOptions("archive", kPageSize);
    options_.wal_segment_size = 64 << 10;
    options_.remote = outage_.get();
    options_.archive_sync = true;
    options_.archive_sync_timeout = absl::Seconds(30);
    Reopen();
  }
  void TearDown() override {
    engine_.reset();
    if (storage_ != nullptr) remote::testing::DeleteAllObjects(storage_.get());
  }

  Lsn Write(uint32_t page, char fill) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(kMainBranch);
    EXPECT_TRUE(batch.ok());
    EXPECT_TRUE(batch->PutPageImage({1, page}, std::string(kPageSize, fill)).ok());
    return AppendBatch(kMainBranch, *batch);
  }

  // The archived log fetched into a new directory ends at `lsn` or later.
  void ExpectArchivedUpTo(Lsn lsn) {
    const std::string dir = pitr::testing::NewTestDir("archive_fetch");
    absl::StatusOr<remote::FetchedWal> fetched = remote::FetchWal(
        storage_.get(), engine_->stats().archive_generation, 0, dir);
    ASSERT_TRUE(fetched.ok()) << fetched.status();
    EXPECT_GE(fetched->end, lsn);
  }

  std::unique_ptr<remote::RemoteStorage> storage_;
  std::unique_ptr<remote::testing::OutageStorage> outage_;
};

TEST_P(ArchiveTest, AnAppendWithArchiveSyncIsInTheBucketWhenItReturns) {
  const Lsn lsn = Write(0, 'a');
  ASSERT_GT(lsn, 0u);
  const EngineStats stats = engine_->stats();
  EXPECT_TRUE(stats.archiving);
  EXPECT_EQ(stats.archive_generation, 1u);
  EXPECT_GE(stats.archive.archived_lsn, lsn);
  ExpectArchivedUpTo(lsn);
}

TEST_P(ArchiveTest, AnOutageFailsSyncAppendsClearlyAndHoldsTheWalBack) {
  options_.archive_sync_timeout = absl::Seconds(1);
  Reopen();
  for (uint32_t page = 0; page < 20; ++page) Write(page, 'a');
  const Lsn archived = engine_->stats().archive.archived_lsn;
  outage_->down = true;
  // 40 pages more, 10 to a batch: past several segments of the WAL.
  for (uint32_t page = 100; page < 140; page += 10) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(kMainBranch);
    ASSERT_TRUE(batch.ok());
    for (uint32_t p = page; p < page + 10; ++p) {
      ASSERT_TRUE(
          batch->PutPageImage({1, p}, std::string(kPageSize, 'z')).ok());
    }
    absl::StatusOr<AppendResult> appended =
        engine_->Append(kMainBranch, *batch);
    ASSERT_EQ(appended.status().code(), absl::StatusCode::kDeadlineExceeded);
    if (page == 100) {
      EXPECT_THAT(appended.status().message(),
                  HasSubstr("committed on this machine"));
      EXPECT_THAT(appended.status().message(),
                  HasSubstr("do not append it again"));
    }
  }
  // Committed and readable all the same.
  EXPECT_EQ(*engine_->GetPage(kMainBranch, {1, 139}),
            std::string(kPageSize, 'z'));
  EXPECT_EQ(engine_->stats().archive.archived_lsn, archived);
  EXPECT_GT(engine_->stats().archive.failures, 0u);
  // A flush makes the store hold everything, but the WAL keeps what is
  // not archived.
  ASSERT_TRUE(engine_->Flush().ok());
  ASSERT_GT(engine_->wal().Segments().size(), 2u);
  EXPECT_LE(engine_->wal().oldest_lsn(), archived);
  outage_->down = false;
  const Lsn end = engine_->latest_lsn();
  Reopen();  // closing archives what it can; opening resumes
  ExpectArchivedUpTo(end);
  EXPECT_EQ(*engine_->GetPage(kMainBranch, {1, 139}),
            std::string(kPageSize, 'z'));
  // Once archived, a flush trims the WAL again.
  ASSERT_TRUE(engine_->Flush().ok());
  EXPECT_GT(engine_->wal().oldest_lsn(), archived);
}

TEST_P(ArchiveTest, ClosingArchivesWhatIsLeft) {
  options_.archive_sync = false;
  options_.archive_delay = absl::Hours(1);  // no pass after the first
  Reopen();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!engine_->stats().archive.caught_up_at.has_value() &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_TRUE(engine_->stats().archive.caught_up_at.has_value());
  const Lsn lsn = Write(0, 'a');
  EXPECT_LT(engine_->stats().archive.archived_lsn, lsn);
  const uint64_t generation = engine_->stats().archive_generation;
  ASSERT_TRUE(engine_->Close().ok());
  const std::string dir = pitr::testing::NewTestDir("archive_fetch");
  absl::StatusOr<remote::FetchedWal> fetched =
      remote::FetchWal(storage_.get(), generation, 0, dir);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(fetched->end, lsn);
}

TEST_P(ArchiveTest, EachOpenIsANewGenerationAndACopyStartedLaterIsRefused) {
  Write(0, 'a');
  const std::string copy_dir = pitr::testing::NewTestDir("archive_copy");
  engine_.reset();
  pitr::testing::CopyDir(options_.dir, copy_dir);
  Reopen();
  EXPECT_EQ(engine_->stats().archive_generation, 2u);
  Write(1, 'b');
  // The copy last claimed generation 1: it was replaced.
  EngineOptions copy = options_;
  copy.dir = copy_dir;
  absl::StatusOr<std::unique_ptr<Engine>> opened = Engine::Open(copy);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(opened.status().message(), HasSubstr("was replaced"));
  // A store that never wrote to the prefix is refused too.
  EngineOptions stranger = testing::TestEngineOptions("stranger", kPageSize);
  stranger.remote = outage_.get();
  opened = Engine::Open(stranger);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(opened.status().message(), HasSubstr("prefix of its own"));
  Write(2, 'c');  // the original goes on
  ExpectArchivedUpTo(engine_->latest_lsn());
}

// The branch names in the bucket's newest catalog image at or before `at`.
std::string BranchesInImage(remote::RemoteStorage* storage,
                            uint64_t generation, Lsn at) {
  absl::StatusOr<remote::Lineage> lineage =
      remote::Lineage::Of(storage, generation);
  EXPECT_TRUE(lineage.ok()) << lineage.status();
  absl::StatusOr<std::optional<remote::CatalogImageName>> name =
      remote::FindCatalogImage(storage, *lineage, at);
  EXPECT_TRUE(name.ok()) << name.status();
  if (!name.ok() || !name->has_value()) return "(no image)";
  absl::StatusOr<remote::CatalogImage> image =
      remote::ReadCatalogImage(storage, **name);
  EXPECT_TRUE(image.ok()) << image.status();
  std::string names;
  for (const auto& [key, value] : image->records) {
    if (key.rfind(catalog_records::kBranchPrefix, 0) != 0) continue;
    absl::StatusOr<Branch> branch = catalog_records::DecodeBranch(key, value);
    EXPECT_TRUE(branch.ok()) << branch.status();
    if (branch.ok()) absl::StrAppend(&names, names.empty() ? "" : " ", branch->name);
  }
  return names;
}

TEST_P(ArchiveTest, CatalogChangesReachTheBucketAsImagesAtTheirLsn) {
  const Lsn before = Write(0, 'a');
  ASSERT_TRUE(engine_->CreateBranch("dev", kMainBranch, PointInTime{}).ok());
  const Lsn after = Write(1, 'b');
  ASSERT_TRUE(engine_->CreateBranch("qa", kMainBranch, PointInTime{}).ok());
  const uint64_t generation = engine_->stats().archive_generation;
  ASSERT_TRUE(engine_->Close().ok());  // archives what is left
  EXPECT_EQ(BranchesInImage(storage_.get(), generation, before - 1), "main");
  EXPECT_EQ(BranchesInImage(storage_.get(), generation, before), "main dev");
  EXPECT_EQ(BranchesInImage(storage_.get(), generation, after),
            "main dev qa");
  // A restart with the catalog unchanged uploads no image.
  Reopen();
  Write(2, 'c');
  ASSERT_TRUE(engine_->Close().ok());
  EXPECT_EQ(engine_->stats().archive.catalog_images, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ArchiveTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace pitr
