#include "engine/hot_pages.h"

#include <string>

#include "gtest/gtest.h"

namespace pitr {
namespace {

constexpr TimelineId kT{3};
constexpr TimelineId kOther{4};
constexpr PageKey kKey{1, 7};

constexpr uint32_t kPageSize = 8192;

std::string Page(char fill) { return std::string(kPageSize, fill); }

// Offers the page twice: the first miss of a key only makes it known.
void Admit(HotPages& hot, TimelineId timeline, PageKey key, Lsn lsn,
           const std::string& page) {
  hot.Insert(timeline, key, lsn, page);
  hot.Insert(timeline, key, lsn, page);
}

TEST(HotPagesTest, APageIsKeptAtItsSecondMiss) {
  HotPages hot(1 << 20, kPageSize);
  hot.Insert(kT, kKey, 100, Page('a'));
  EXPECT_FALSE(hot.Find(kT, kKey, 100).has_value());
  hot.Insert(kT, kKey, 100, Page('a'));
  EXPECT_EQ(hot.Find(kT, kKey, 100), Page('a'));
  // Pages read once each, many more than fit, are not copied in.
  for (uint32_t page = 0; page < 10000; ++page) {
    hot.Insert(kT, PageKey{2, page}, 100, Page('b'));
  }
  EXPECT_EQ(hot.pages(), 1u);
}

TEST(HotPagesTest, AnEntryAnswersReadsAtOrAfterItsLsnOnly) {
  HotPages hot(1 << 20, kPageSize);
  EXPECT_FALSE(hot.Find(kT, kKey, 100).has_value());
  Admit(hot, kT, kKey, 100, Page('a'));
  EXPECT_EQ(hot.Find(kT, kKey, 100), Page('a'));
  EXPECT_EQ(hot.Find(kT, kKey, 5000), Page('a'));
  // Before it a version it does not know may be newer than the one asked.
  EXPECT_FALSE(hot.Find(kT, kKey, 99).has_value());
  // Another timeline or page is another entry.
  EXPECT_FALSE(hot.Find(kOther, kKey, 100).has_value());
  EXPECT_FALSE(hot.Find(kT, PageKey{1, 8}, 100).has_value());
  EXPECT_EQ(hot.hits(), 2u);
}

TEST(HotPagesTest, AWriteDropsThePageAndRefusesReadsItMayHaveRaced) {
  HotPages hot(1 << 20, kPageSize);
  Admit(hot, kT, kKey, 100, Page('a'));
  // A batch at 200 is in the store, not yet visible.
  hot.Invalidate(kT, kKey, 200);
  EXPECT_FALSE(hot.Find(kT, kKey, 150).has_value());
  // A read at 150 that began before the batch landed read 'a': refused.
  Admit(hot, kT, kKey, 150, Page('a'));
  EXPECT_FALSE(hot.Find(kT, kKey, 300).has_value());
  // A read at 200 saw the batch.
  Admit(hot, kT, kKey, 200, Page('b'));
  EXPECT_EQ(hot.Find(kT, kKey, 300), Page('b'));
}

TEST(HotPagesTest, AWriteOfAnyPageRefusesReadsBelowIt) {
  // A child read before its branch point sees its parent's later batches:
  // a batch of the parent at 200 must keep the child's read at 150 out.
  HotPages hot(1 << 20, kPageSize);
  hot.Invalidate(kOther, kKey, 200);
  Admit(hot, kT, kKey, 150, Page('a'));
  EXPECT_FALSE(hot.Find(kT, kKey, 300).has_value());
  Admit(hot, kT, kKey, 200, Page('b'));
  EXPECT_EQ(hot.Find(kT, kKey, 300), Page('b'));
}

TEST(HotPagesTest, AnOlderReadDoesNotReplaceANewerOne) {
  HotPages hot(1 << 20, kPageSize);
  Admit(hot, kT, kKey, 300, Page('c'));
  Admit(hot, kT, kKey, 200, Page('b'));
  EXPECT_EQ(hot.Find(kT, kKey, 300), Page('c'));
  EXPECT_FALSE(hot.Find(kT, kKey, 250).has_value());
  Admit(hot, kT, kKey, 400, Page('c'));
  EXPECT_EQ(hot.Find(kT, kKey, 400), Page('c'));
  EXPECT_EQ(hot.pages(), 1u);
}

TEST(HotPagesTest, ATruncationDropsEverything) {
  HotPages hot(16 << 20, kPageSize);
  for (uint32_t page = 0; page < 32; ++page) {
    Admit(hot, kT, PageKey{1, page}, 100, Page('a'));
    Admit(hot, kOther, PageKey{2, page}, 100, Page('a'));
  }
  EXPECT_EQ(hot.pages(), 64u);
  hot.InvalidateAll(200);
  EXPECT_EQ(hot.pages(), 0u);
  EXPECT_EQ(hot.bytes(), 0u);
  Admit(hot, kT, kKey, 150, Page('a'));
  EXPECT_EQ(hot.pages(), 0u);
}

TEST(HotPagesTest, TheLeastRecentlyUsedGoFirstPastTheCapacity) {
  // 16 shards of 32 KiB: four 8 KiB pages each.
  HotPages hot(16 * 32 * 1024, kPageSize);
  for (uint32_t page = 0; page < 1000; ++page) {
    Admit(hot, kT, PageKey{1, page}, 100, Page('a'));
    // Page 0 stays in use.
    ASSERT_TRUE(hot.Find(kT, PageKey{1, 0}, 100).has_value()) << page;
  }
  EXPECT_LE(hot.bytes(), 16u * 32 * 1024);
  EXPECT_LE(hot.pages(), 64u);
  EXPECT_GT(hot.pages(), 16u);
}

TEST(HotPagesTest, NoCapacityKeepsNothing) {
  HotPages hot(0, kPageSize);
  Admit(hot, kT, kKey, 100, Page('a'));
  EXPECT_FALSE(hot.Find(kT, kKey, 100).has_value());
  EXPECT_EQ(hot.pages(), 0u);
}

}  // namespace
}  // namespace pitr
