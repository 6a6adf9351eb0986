// Engine::MeasureBranchSizes: logical sizes through inheritance and
// truncation, physical sizes by the timeline that holds the bytes, and the
// bytes of deleted branches counted as unowned until GC reclaims them.
#include <random>

#include "engine/engine.h"
#include "engine/testing/engine_fixture.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

constexpr uint32_t kPage = 512;
// docs/storage-format.md: a 30-byte version key with an image value of a
// kind byte and the page, and its 21-byte change key with the page key; a
// 25-byte size or truncation key with a u32; a timeline's 9-byte head key
// with a u64.
constexpr uint64_t kImageBytes = 30 + 1 + kPage + 21 + 8;
constexpr uint64_t kEventBytes = 25 + 4;
constexpr uint64_t kHeadBytes = 9 + 8;

class BranchSizesTest : public testing::EngineFixture {
 protected:
  void SetUp() override { Open(kPage); }
  // A new empty store with pages of `page_size`.
  void Open(uint32_t page_size) {
    page_size_ = page_size;
    options_ = testing::TestEngineOptions("branch_sizes", page_size);
    options_.gc_period = absl::InfiniteDuration();
    Reopen();
  }
  // Images of every page of `keys`, filled with `c`, or with bytes that do
  // not compress if c is 0.
  void Write(BranchId branch, std::vector<PageKey> keys, char c = 'x') {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (PageKey key : keys) {
      std::string image(page_size_, c);
      if (c == 0) {
        for (char& byte : image) byte = static_cast<char>(random_());
      }
      ASSERT_TRUE(batch->PutPageImage(key, image).ok());
    }
    absl::StatusOr<AppendResult> r = engine_->Append(branch, *batch);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  void Truncate(BranchId branch, uint32_t space, uint32_t pages) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
    ASSERT_TRUE(batch.ok()) << batch.status();
    batch->PutSpaceTruncate(space, pages);
    ASSERT_TRUE(engine_->Append(branch, *batch).ok());
  }
  Branch Create(absl::string_view name) {
    absl::StatusOr<Branch> b = engine_->CreateBranch(name, kMainBranch, {});
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : Branch{};
  }
  BranchSizes Measure() {
    absl::StatusOr<BranchSizes> sizes = engine_->MeasureBranchSizes();
    EXPECT_TRUE(sizes.ok()) << sizes.status();
    return sizes.ok() ? *sizes : BranchSizes{};
  }
  static const BranchSize* Find(const BranchSizes& sizes, BranchId branch) {
    for (const BranchSize& size : sizes.branches) {
      if (size.branch == branch) return &size;
    }
    return nullptr;
  }
  static uint64_t Logical(const BranchSizes& sizes, BranchId branch) {
    const BranchSize* size = Find(sizes, branch);
    EXPECT_NE(size, nullptr) << "branch " << branch;
    return size ? size->logical_bytes : 0;
  }
  static uint64_t Physical(const BranchSizes& sizes, BranchId branch) {
    const BranchSize* size = Find(sizes, branch);
    EXPECT_NE(size, nullptr) << "branch " << branch;
    return size ? size->physical_bytes : 0;
  }
  static uint64_t TotalPhysical(const BranchSizes& sizes) {
    uint64_t total = sizes.unowned_physical_bytes;
    for (const BranchSize& size : sizes.branches) total += size.physical_bytes;
    return total;
  }

  uint32_t page_size_ = kPage;
  std::mt19937 random_{42};
};

TEST_F(BranchSizesTest, AnEmptyStoreHasMainOfSizeZero) {
  BranchSizes sizes = Measure();
  ASSERT_EQ(sizes.branches.size(), 1u);
  EXPECT_EQ(sizes.branches[0].name, "main");
  EXPECT_EQ(sizes.branches[0].logical_bytes, 0u);
  EXPECT_EQ(sizes.branches[0].physical_bytes, 0u);
  EXPECT_EQ(sizes.unowned_physical_bytes, 0u);
  EXPECT_GT(sizes.metadata_bytes, 0u);  // main's catalog records, page size
}

TEST_F(BranchSizesTest, LogicalSizeCountsInheritedSpacesAndTruncations) {
  Write(kMainBranch, {{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}});  // 5 pages
  Write(kMainBranch, {{2, 2}});  // 3 pages: 0 and 1 never written
  const Branch dev = Create("dev");
  Write(dev.id, {{1, 7}});  // space 1 grows to 8 pages on dev only
  Truncate(dev.id, 2, 1);   // space 2 shrinks to 1 page on dev only
  Write(dev.id, {{3, 0}});  // a space only dev has

  const BranchSizes sizes = Measure();
  EXPECT_EQ(Logical(sizes, kMainBranch), (5 + 3) * kPage);
  EXPECT_EQ(Logical(sizes, dev.id), (8 + 1 + 1) * kPage);
  // The same as the sum of GetSpaceSize over the spaces it sees.
  uint64_t pages = 0;
  for (uint32_t space : {1, 2, 3})
    pages += *engine_->GetSpaceSize(dev.id, space);
  EXPECT_EQ(Logical(sizes, dev.id), pages * kPage);
}

TEST_F(BranchSizesTest, PhysicalSizeGrowsOnlyOnTheBranchThatWrites) {
  Write(kMainBranch, {{1, 0}});
  BranchSizes sizes = Measure();
  EXPECT_EQ(Physical(sizes, kMainBranch),
            kImageBytes + kEventBytes + kHeadBytes);

  const Branch dev = Create("dev");
  sizes = Measure();
  EXPECT_EQ(Physical(sizes, dev.id), 0u);  // it inherits, holds nothing
  EXPECT_EQ(Logical(sizes, dev.id), kPage);

  Write(dev.id, {{1, 0}, {1, 1}}, 'd');  // one overwrite, one new page
  sizes = Measure();
  EXPECT_EQ(Physical(sizes, kMainBranch),
            kImageBytes + kEventBytes + kHeadBytes);
  EXPECT_EQ(Physical(sizes, dev.id), 2 * kImageBytes + kEventBytes + kHeadBytes);
  EXPECT_EQ(TotalPhysical(sizes),
            3 * kImageBytes + 2 * kEventBytes + 2 * kHeadBytes);

  // The same after the in-memory layer is flushed to files.
  ASSERT_TRUE(engine_->Flush().ok());
  EXPECT_EQ(Physical(Measure(), dev.id),
            2 * kImageBytes + kEventBytes + kHeadBytes);
}

TEST_F(BranchSizesTest, ADeletedBranchsBytesAreUnownedUntilGc) {
  Write(kMainBranch, {{1, 0}});
  const Branch dev = Create("dev");
  Write(dev.id, {{1, 1}, {1, 2}, {4, 0}}, 'd');
  BranchSizes before = Measure();
  const uint64_t dev_bytes = Physical(before, dev.id);
  EXPECT_EQ(dev_bytes, 3 * kImageBytes + 3 * kEventBytes + kHeadBytes);
  EXPECT_EQ(before.unowned_physical_bytes, 0u);

  ASSERT_TRUE(engine_->DeleteBranch(dev.id, /*cascade=*/false).ok());
  BranchSizes deleted = Measure();
  EXPECT_EQ(Find(deleted, dev.id), nullptr);
  EXPECT_EQ(deleted.unowned_physical_bytes, dev_bytes);
  EXPECT_EQ(TotalPhysical(deleted), TotalPhysical(before));

  ASSERT_TRUE(engine_->gc().Run(/*compact=*/true).ok());
  BranchSizes collected = Measure();
  EXPECT_EQ(collected.unowned_physical_bytes, 0u);
  EXPECT_EQ(Physical(collected, kMainBranch),
            kImageBytes + kEventBytes + kHeadBytes);
}

TEST_F(BranchSizesTest, PhysicalSizesAddUpToAboutTheStoresFiles) {
  Open(4096);  // images in blob files, as in production
  const uint64_t image_bytes = 30 + 1 + 4096;
  const Branch dev = Create("dev");
  const Branch test = Create("test");
  for (uint32_t page = 0; page < 100; ++page) {
    Write(page % 2 ? dev.id : test.id, {{1, page}}, 0);
    Write(kMainBranch, {{2, page}}, 0);
  }
  ASSERT_TRUE(engine_->DeleteBranch(test.id, false).ok());
  ASSERT_TRUE(engine_->Flush().ok());
  const BranchSizes sizes = Measure();
  EXPECT_GT(sizes.unowned_physical_bytes, 50 * image_bytes);
  EXPECT_GT(Physical(sizes, dev.id), 50 * image_bytes);
  EXPECT_GT(Physical(sizes, kMainBranch), 100 * image_bytes);
  const double store = static_cast<double>(engine_->stats().store_bytes);
  const double measured =
      static_cast<double>(TotalPhysical(sizes) + sizes.metadata_bytes);
  // Apart from file overhead (blob record headers, SST index and filter
  // blocks), the files hold what was measured.
  EXPECT_GT(measured, 0.8 * store) << measured << " vs " << store;
  EXPECT_LT(measured, 1.05 * store) << measured << " vs " << store;
}

TEST_F(BranchSizesTest, StopsWhenCancelled) {
  Write(kMainBranch, {{1, 0}});
  EXPECT_EQ(engine_->MeasureBranchSizes([] { return true; }).status().code(),
            absl::StatusCode::kCancelled);
  EXPECT_TRUE(engine_->MeasureBranchSizes([] { return false; }).ok());
}

TEST_F(BranchSizesTest, AClosedStoreRefuses) {
  ASSERT_TRUE(engine_->Close().ok());
  EXPECT_EQ(engine_->MeasureBranchSizes().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace pitr
