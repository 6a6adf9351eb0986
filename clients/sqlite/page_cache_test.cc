#include "clients/sqlite/page_cache.h"

#include "gtest/gtest.h"

namespace pitr::sqlite {
namespace {

TEST(PageCacheTest, FindsWhatWasPut) {
  PageCache cache(4);
  EXPECT_EQ(cache.Find(1), nullptr);
  cache.Put(1, "one");
  cache.Put(1, "uno");
  ASSERT_NE(cache.Find(1), nullptr);
  EXPECT_EQ(*cache.Find(1), "uno");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(PageCacheTest, EvictsTheLeastRecentlyUsed) {
  PageCache cache(2);
  cache.Put(1, "a");
  cache.Put(2, "b");
  ASSERT_NE(cache.Find(1), nullptr);  // 2 is now the oldest
  cache.Put(3, "c");
  EXPECT_NE(cache.Find(1), nullptr);
  EXPECT_EQ(cache.Find(2), nullptr);
  EXPECT_NE(cache.Find(3), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(PageCacheTest, InvalidateTruncateAndClear) {
  PageCache cache(10);
  for (uint32_t page = 0; page < 6; ++page) cache.Put(page, "x");
  cache.Invalidate(2);
  cache.Invalidate(7);  // not cached: nothing happens
  EXPECT_EQ(cache.Find(2), nullptr);
  cache.Truncate(4);
  EXPECT_NE(cache.Find(3), nullptr);
  EXPECT_EQ(cache.Find(4), nullptr);
  EXPECT_EQ(cache.Find(5), nullptr);
  EXPECT_EQ(cache.size(), 3u);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Find(0), nullptr);
}

}  // namespace
}  // namespace pitr::sqlite
