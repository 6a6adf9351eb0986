// PageReader at its own level, over a real PageStore fed by an Applier:
// reads along a path of timelines (a child falling through to its parent
// at the branch point), truncations that hide older versions on the path,
// the cost counters, and images materialised from what a read builds.
#include "engine/page_reader.h"

#include <memory>
#include <string>
#include <vector>

#include "base/testing/test_files.h"
#include "engine/applier.h"
#include "engine/page_store.h"
#include "gtest/gtest.h"
#include "wal/batch.h"

namespace pitr {
namespace {

constexpr uint32_t kPageSize = 64;
const PageKey kKey{7, 3};
const TimelineId kParent = kMainTimeline;
const TimelineId kChild = TimelineId(2);
constexpr Lsn kBranchPoint = 1000;  // of kChild on kParent

// The read path of `timeline` at `lsn`: kChild reads kParent up to
// kBranchPoint.
std::vector<ReadStep> PathOf(TimelineId timeline, Lsn lsn) {
  if (timeline == kChild) {
    return {{kChild, lsn}, {kParent, std::min(lsn, kBranchPoint)}};
  }
  return {{timeline, lsn}};
}

class PageReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PageStoreOptions options;
    options.dir = testing::NewTestDir("page_reader");
    absl::StatusOr<std::unique_ptr<PageStore>> store = PageStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    applier_ = std::make_unique<Applier>(
        store_.get(), &hot_pages_,
        [](TimelineId timeline, Lsn lsn)
            -> absl::StatusOr<std::vector<ReadStep>> {
          return PathOf(timeline, lsn);
        },
        /*image_after_deltas=*/1000, [](const ImageTask&) {});
    ASSERT_TRUE(applier_->Load().ok());
    reader_ = std::make_unique<PageReader>(store_.get(), applier_.get(),
                                           &hot_pages_, kPageSize);
  }

  void Apply(Lsn commit_lsn, const WalBatch& batch) {
    absl::Status s = applier_->Apply(
        {BatchToApply{batch.timeline(), commit_lsn, batch.RecordViews()}});
    ASSERT_TRUE(s.ok()) << s;
  }
  void Image(TimelineId timeline, Lsn lsn, PageKey key, char fill) {
    WalBatch batch(timeline);
    ASSERT_TRUE(batch.PutPageImage(key, std::string(kPageSize, fill)).ok());
    Apply(lsn, batch);
  }
  void Delta(TimelineId timeline, Lsn lsn, PageKey key, uint32_t offset,
             const std::string& bytes) {
    WalBatch batch(timeline);
    ASSERT_TRUE(batch.PutPageDelta(key, offset, bytes).ok());
    Apply(lsn, batch);
  }
  void Truncate(TimelineId timeline, Lsn lsn, uint32_t space,
                uint32_t page_count) {
    WalBatch batch(timeline);
    batch.PutSpaceTruncate(space, page_count);
    Apply(lsn, batch);
  }

  // The page as `timeline` reads it at `lsn`, or "(none)".
  std::string Read(TimelineId timeline, Lsn lsn, PageKey key = kKey) {
    absl::StatusOr<PageRead> read =
        reader_->Read(key, PathOf(timeline, lsn), lsn);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok()) return "(error)";
    return read->page ? *read->page : "(none)";
  }

  static std::string Page(char fill, uint32_t offset = 0,
                          const std::string& bytes = "") {
    std::string page(kPageSize, fill);
    page.replace(offset, bytes.size(), bytes);
    return page;
  }

  std::unique_ptr<PageStore> store_;
  // Every read below goes through them too.
  HotPages hot_pages_{1 << 20, kPageSize};
  std::unique_ptr<Applier> applier_;
  std::unique_ptr<PageReader> reader_;
};

TEST_F(PageReaderTest, ReadsTheNewestImageAndTheDeltasAfterItAtEachLsn) {
  Image(kParent, 100, kKey, 'a');
  Delta(kParent, 200, kKey, 1, "xy");
  Delta(kParent, 300, kKey, 2, "z");
  EXPECT_EQ(Read(kParent, 50), "(none)");
  EXPECT_EQ(Read(kParent, 100), Page('a'));
  EXPECT_EQ(Read(kParent, 250), Page('a', 1, "xy"));
  EXPECT_EQ(Read(kParent, 300), Page('a', 1, "xz"));
  const ReadStats stats = reader_->stats();
  EXPECT_EQ(stats.pages_read, 4u);
  EXPECT_EQ(stats.deltas_applied, 0u + 0u + 1u + 2u);
  EXPECT_EQ(stats.longest_chain_read, 2u);
}

TEST_F(PageReaderTest, AChildReadsItsParentUpToTheBranchPointOnly) {
  Image(kParent, 500, kKey, 'p');
  Delta(kParent, 1500, kKey, 0, "after");  // past the branch point
  Delta(kChild, 2000, kKey, 4, "c");
  EXPECT_EQ(Read(kChild, 1800), Page('p'));
  EXPECT_EQ(Read(kChild, 2000), Page('p', 4, "c"));
  EXPECT_EQ(Read(kParent, 2000), Page('p', 0, "after"));
}

TEST_F(PageReaderTest, ATruncationHidesOlderVersionsOnThePath) {
  Image(kParent, 100, kKey, 'a');
  Truncate(kParent, 200, kKey.space, kKey.page);  // drops kKey
  EXPECT_EQ(Read(kParent, 150), Page('a'));
  EXPECT_EQ(Read(kParent, 250), "(none)");
  // Written again past the end: only what comes after the truncation.
  Delta(kParent, 300, kKey, 0, "d");
  EXPECT_EQ(Read(kParent, 300), Page('\0', 0, "d"));
  // The child sees the parent's truncation too, and writes of its own.
  EXPECT_EQ(Read(kChild, 1200), Page('\0', 0, "d"));
  Truncate(kChild, 1300, kKey.space, 0);
  EXPECT_EQ(Read(kChild, 1300), "(none)");
  EXPECT_EQ(Read(kParent, 1300), Page('\0', 0, "d"));
}

TEST_F(PageReaderTest, AMaterialisedImageEndsTheChainAtItsPosition) {
  Image(kParent, 100, kKey, 'a');
  Delta(kParent, 200, kKey, 0, "1");
  Delta(kParent, 300, kKey, 1, "2");
  const ImageTask task{kParent, kKey, store_keys::Position{300, 0}};
  absl::StatusOr<bool> wrote =
      reader_->Materialize(task, PathOf(kParent, 300));
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  EXPECT_TRUE(*wrote);
  absl::StatusOr<PageRead> read = reader_->Read(kKey, PathOf(kParent, 300), 300);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->page, Page('a', 0, "12"));
  EXPECT_EQ(read->deltas_applied, 0);
  // Earlier points still read through the deltas.
  EXPECT_EQ(Read(kParent, 200), Page('a', 0, "1"));
  // Nothing to build where the page does not exist.
  wrote = reader_->Materialize({kParent, {7, 9}, store_keys::Position{300, 0}},
                               PathOf(kParent, 300));
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  EXPECT_FALSE(*wrote);
}

}  // namespace
}  // namespace pitr
