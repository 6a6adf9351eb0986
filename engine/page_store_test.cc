// PageStore's reads at their own level, over keys written directly in the
// layout of store_keys.h: a page from an image, an image plus the deltas
// after it, truncations hiding older versions, reads falling through to
// ancestor timelines at their branch points, missing pages, space sizes,
// and pooled iterators seeing new writes and flushes.
#include "engine/page_store.h"

#include <optional>
#include <string>
#include <vector>

#include "base/testing/test_files.h"
#include "engine/store_keys.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"

namespace pitr {
namespace {

namespace sk = store_keys;
using Step = PageStore::Step;

// Larger than min_blob_size: images live in blob files, as in production.
constexpr uint32_t kPage = 4096;
const PageKey kKey{7, 3};
// A timeline, its child and its grandchild (a child's id is always higher).
const TimelineId kParent = kMainTimeline;
const TimelineId kChild = TimelineId(2);
const TimelineId kGrandchild = TimelineId(3);

sk::Position At(Lsn lsn, uint32_t seq = 0) { return sk::Position{lsn, seq}; }

// A step of a read path: `timeline` as of `lsn`, and with a truncation of
// the page at `truncated_at`.
Step On(TimelineId timeline, Lsn lsn) {
  return Step{timeline, sk::AsOf(lsn), std::nullopt};
}
Step Truncated(TimelineId timeline, Lsn lsn, sk::Position truncated_at) {
  return Step{timeline, sk::AsOf(lsn), truncated_at};
}

class PageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PageStoreOptions options;
    options.dir = testing::NewTestDir("page_store");
    absl::StatusOr<std::unique_ptr<PageStore>> store = PageStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  void Put(const std::string& key, const std::string& value) {
    rocksdb::WriteBatch batch;
    batch.Put(key, value);
    ASSERT_TRUE(store_->Write(&batch).ok());
  }
  void Image(TimelineId timeline, sk::Position at, char fill,
             sk::VersionKeyKind kind = sk::VersionKeyKind::kImage) {
    Put(sk::VersionKey(timeline, kKey, at, kind),
        sk::ImageValue(std::string(kPage, fill)));
  }
  void Delta(TimelineId timeline, sk::Position at, uint32_t offset,
             const std::string& bytes) {
    Put(sk::VersionKey(timeline, kKey, at, sk::VersionKeyKind::kDelta),
        sk::DeltaValue(offset, bytes));
  }
  void Size(TimelineId timeline, uint32_t space, sk::Position at,
            uint32_t pages) {
    Put(sk::SizeKey(timeline, space, at), sk::EncodeU32(pages));
  }
  void Truncation(TimelineId timeline, sk::Position at, uint32_t pages) {
    Put(sk::TruncationKey(timeline, kKey.space, at), sk::EncodeU32(pages));
  }

  // kKey as of the end of `path`; fails the test if the read fails.
  PageRead Read(const std::vector<Step>& path) {
    absl::StatusOr<PageRead> read = store_->ReadPage(kKey, path, kPage);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? *read : PageRead{};
  }
  // As Read, on main alone as of `lsn`.
  PageRead ReadMain(Lsn lsn) { return Read({On(kParent, lsn)}); }

  uint32_t SizeOf(uint32_t space, const std::vector<ReadStep>& path) {
    absl::StatusOr<uint32_t> size = store_->SpaceSize(space, path);
    EXPECT_TRUE(size.ok()) << size.status();
    return size.ok() ? *size : 999;
  }

  std::unique_ptr<PageStore> store_;
};

// A page of `fill` with `bytes` written at `offset`.
std::string Patched(char fill, uint32_t offset, const std::string& bytes) {
  std::string page(kPage, fill);
  page.replace(offset, bytes.size(), bytes);
  return page;
}

TEST_F(PageStoreTest, ReadsAnImage) {
  Image(kParent, At(100), 'a');
  PageRead read = ReadMain(100);
  EXPECT_EQ(read.page, std::string(kPage, 'a'));
  EXPECT_EQ(read.deltas_applied, 0);
}

TEST_F(PageStoreTest, ReadsTheNewestImageAtOrBeforeThePosition) {
  Image(kParent, At(100), 'a');
  Image(kParent, At(200), 'b');
  EXPECT_EQ(ReadMain(199).page, std::string(kPage, 'a'));
  EXPECT_EQ(ReadMain(200).page, std::string(kPage, 'b'));
  EXPECT_EQ(ReadMain(300).page, std::string(kPage, 'b'));
}

TEST_F(PageStoreTest, AppliesTheDeltasAfterTheImageOldestFirst) {
  Image(kParent, At(100), 'a');
  Delta(kParent, At(200), 10, "xyz");
  Delta(kParent, At(300), 11, "Q");
  PageRead read = ReadMain(300);
  EXPECT_EQ(read.page, Patched('a', 10, "xQz"));
  EXPECT_EQ(read.deltas_applied, 2);
  EXPECT_EQ(ReadMain(299).page, Patched('a', 10, "xyz"));
}

TEST_F(PageStoreTest, TheChangesOfOneBatchApplyInSeqOrder) {
  Image(kParent, At(100, 0), 'a');
  Delta(kParent, At(100, 1), 0, "12");
  Delta(kParent, At(100, 2), 1, "3");
  EXPECT_EQ(ReadMain(100).page, Patched('a', 0, "13"));
  EXPECT_EQ(Read({{kParent, At(100, 1), std::nullopt}}).page,
            Patched('a', 0, "12"));
}

TEST_F(PageStoreTest, DeltasWithoutAnImageApplyToZeros) {
  Delta(kParent, At(100), 5, "hi");
  PageRead read = ReadMain(100);
  EXPECT_EQ(read.page, Patched('\0', 5, "hi"));
  EXPECT_EQ(read.deltas_applied, 1);
}

TEST_F(PageStoreTest, AMaterializedImageEndsTheWalkAtItsPosition) {
  Image(kParent, At(100), 'a');
  Delta(kParent, At(200), 0, "x");
  // The state at (200, 0), summarised: it sorts before the delta there.
  Image(kParent, At(200), 'm', sk::VersionKeyKind::kMaterialized);
  Delta(kParent, At(300), 1, "y");
  PageRead read = ReadMain(300);
  EXPECT_EQ(read.page, Patched('m', 1, "y"));
  EXPECT_EQ(read.deltas_applied, 1);
  EXPECT_EQ(ReadMain(200).page, std::string(kPage, 'm'));
  EXPECT_EQ(ReadMain(199).page, std::string(kPage, 'a'));
}

TEST_F(PageStoreTest, APageWithNoVersionDoesNotExist) {
  // Versions of the neighbouring pages, on either side, do not leak in.
  Put(sk::VersionKey(kParent, {kKey.space, kKey.page - 1}, At(100),
                     sk::VersionKeyKind::kImage),
      sk::ImageValue(std::string(kPage, 'l')));
  Put(sk::VersionKey(kParent, {kKey.space, kKey.page + 1}, At(100),
                     sk::VersionKeyKind::kImage),
      sk::ImageValue(std::string(kPage, 'r')));
  PageRead read = ReadMain(100);
  EXPECT_EQ(read.page, std::nullopt);
  EXPECT_EQ(read.deltas_applied, 0);
}

TEST_F(PageStoreTest, APageDoesNotExistBeforeItsFirstVersion) {
  Image(kParent, At(100), 'a');
  EXPECT_EQ(ReadMain(99).page, std::nullopt);
}

TEST_F(PageStoreTest, ATruncationHidesTheVersionsAtOrBeforeIt) {
  Image(kParent, At(100), 'a');
  EXPECT_EQ(Read({Truncated(kParent, 300, At(200))}).page, std::nullopt);
}

TEST_F(PageStoreTest, ADeltaAfterATruncationAppliesToZeros) {
  Image(kParent, At(100), 'a');
  Delta(kParent, At(300), 2, "z");
  PageRead read = Read({Truncated(kParent, 300, At(200))});
  EXPECT_EQ(read.page, Patched('\0', 2, "z"));
  EXPECT_EQ(read.deltas_applied, 1);
}

TEST_F(PageStoreTest, ATruncationHidesTheAncestors) {
  Image(kParent, At(100), 'a');
  EXPECT_EQ(Read({Truncated(kChild, 400, At(300)), On(kParent, 200)}).page,
            std::nullopt);
}

TEST_F(PageStoreTest, LastTruncationOfFindsTheLastOneThatRemovedThePage) {
  Truncation(kParent, At(100), 2);  // removes page 3
  Truncation(kParent, At(200), 5);  // does not
  absl::StatusOr<std::optional<sk::Position>> last =
      store_->LastTruncationOf(kParent, kKey, sk::AsOf(300));
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, At(100));
}

TEST_F(PageStoreTest, LastTruncationOfIgnoresLaterAndNarrowerOnes) {
  Truncation(kParent, At(100), 2);
  absl::StatusOr<std::optional<sk::Position>> before =
      store_->LastTruncationOf(kParent, kKey, sk::AsOf(99));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, std::nullopt);
  absl::StatusOr<std::optional<sk::Position>> lower_page =
      store_->LastTruncationOf(kParent, {kKey.space, 1}, sk::AsOf(300));
  ASSERT_TRUE(lower_page.ok()) << lower_page.status();
  EXPECT_EQ(*lower_page, std::nullopt);
}

TEST_F(PageStoreTest, AChildReadsItsParentAsOfTheBranchPoint) {
  Image(kParent, At(100), 'a');
  Image(kParent, At(300), 'b');  // after the branch point
  EXPECT_EQ(Read({On(kChild, 400), On(kParent, 200)}).page,
            std::string(kPage, 'a'));
}

TEST_F(PageStoreTest, AChildsOwnVersionHidesItsParents) {
  Image(kParent, At(100), 'a');
  Image(kChild, At(250), 'c');
  EXPECT_EQ(Read({On(kChild, 400), On(kParent, 200)}).page,
            std::string(kPage, 'c'));
  EXPECT_EQ(Read({On(kChild, 249), On(kParent, 200)}).page,
            std::string(kPage, 'a'));
}

TEST_F(PageStoreTest, AChildsDeltasApplyOnItsParentsImage) {
  Image(kParent, At(100), 'a');
  Delta(kParent, At(150), 0, "p");
  Delta(kChild, At(250), 1, "c");
  PageRead read = Read({On(kChild, 400), On(kParent, 200)});
  EXPECT_EQ(read.page, Patched('a', 0, "pc"));
  EXPECT_EQ(read.deltas_applied, 2);
}

TEST_F(PageStoreTest, EachAncestorIsReadOnlyUpToItsOwnBranchPoint) {
  // main -(200)-> child -(300)-> grandchild; the child and main both wrote
  // after the points the path reads them at.
  Image(kParent, At(100), 'a');
  Image(kParent, At(250), 'b');
  Image(kChild, At(350), 'c');
  EXPECT_EQ(
      Read({On(kGrandchild, 500), On(kChild, 300), On(kParent, 200)}).page,
      std::string(kPage, 'a'));
}

TEST_F(PageStoreTest, AReadFallsThroughTimelinesThatNeverWroteThePage) {
  Image(kParent, At(100), 'a');
  EXPECT_EQ(
      Read({On(kGrandchild, 500), On(kChild, 300), On(kParent, 200)}).page,
      std::string(kPage, 'a'));
}

TEST_F(PageStoreTest, ATimelineOffThePathIsNotRead) {
  Image(kParent, At(100), 'a');
  Image(kChild, At(250), 'c');  // a sibling of the grandchild's line
  EXPECT_EQ(Read({On(kGrandchild, 500), On(kParent, 200)}).page,
            std::string(kPage, 'a'));
}

TEST_F(PageStoreTest, AMalformedVersionIsDataLoss) {
  Put(sk::VersionKey(kParent, kKey, At(100), sk::VersionKeyKind::kImage), "?");
  EXPECT_EQ(store_->ReadPage(kKey, {On(kParent, 100)}, kPage).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(PageStoreTest, ADeltaPastTheEndOfThePageIsDataLoss) {
  Delta(kParent, At(100), kPage - 1, "xy");
  EXPECT_EQ(store_->ReadPage(kKey, {On(kParent, 100)}, kPage).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(PageStoreTest, ChainLengthCountsTheDeltasSinceTheImageUpToTheCap) {
  Image(kParent, At(100), 'a');
  for (Lsn lsn = 200; lsn <= 500; lsn += 100) Delta(kParent, At(lsn), 0, "d");
  auto chain = [&](Lsn lsn, uint32_t cap) {
    absl::StatusOr<uint32_t> n =
        store_->ChainLength(kKey, {{kParent, lsn}}, cap);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : 999;
  };
  EXPECT_EQ(chain(500, 10), 4u);
  EXPECT_EQ(chain(300, 10), 2u);
  EXPECT_EQ(chain(500, 3), 3u);
}

TEST_F(PageStoreTest, ASpaceIsAsLargeAsItsLastSizeEvent) {
  Size(kParent, 1, At(100), 4);
  Size(kParent, 1, At(200), 9);
  EXPECT_EQ(SizeOf(1, {{kParent, 99}}), 0u);
  EXPECT_EQ(SizeOf(1, {{kParent, 100}}), 4u);
  EXPECT_EQ(SizeOf(1, {{kParent, 199}}), 4u);
  EXPECT_EQ(SizeOf(1, {{kParent, 200}}), 9u);
  EXPECT_EQ(SizeOf(2, {{kParent, 200}}), 0u);  // another space
}

TEST_F(PageStoreTest, AChildHasItsParentsSpaceSizesAtTheBranchPoint) {
  Size(kParent, 1, At(100), 4);
  Size(kParent, 1, At(300), 9);  // after the branch point
  EXPECT_EQ(SizeOf(1, {{kChild, 400}, {kParent, 200}}), 4u);
  Size(kChild, 1, At(350), 2);
  EXPECT_EQ(SizeOf(1, {{kChild, 400}, {kParent, 200}}), 2u);
}

TEST_F(PageStoreTest, AReadSeesWritesMadeAfterTheLastRead) {
  // The first read leaves an iterator in the pool; later reads reuse it.
  EXPECT_EQ(ReadMain(1000).page, std::nullopt);
  Image(kParent, At(100), 'a');
  EXPECT_EQ(ReadMain(1000).page, std::string(kPage, 'a'));
  Delta(kParent, At(200), 0, "x");
  EXPECT_EQ(ReadMain(1000).page, Patched('a', 0, "x"));
}

TEST_F(PageStoreTest, AReadSeesWritesAcrossAFlush) {
  Image(kParent, At(100), 'a');
  EXPECT_EQ(ReadMain(1000).page, std::string(kPage, 'a'));
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(ReadMain(1000).page, std::string(kPage, 'a'));  // from the files
  Delta(kParent, At(200), 0, "x");                          // in a new memtable
  EXPECT_EQ(ReadMain(1000).page, Patched('a', 0, "x"));
}

}  // namespace
}  // namespace pitr
