#include "clients/sqlite/write_buffer.h"

#include "gtest/gtest.h"

namespace pitr::sqlite {
namespace {

TEST(WriteBufferTest, EmptyUntilSomethingChanges) {
  WriteBuffer buffer;
  buffer.Reset(5);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.page_count(), 5u);
  EXPECT_TRUE(buffer.ToRecords(7).empty());
  buffer.Truncate(5);
  EXPECT_TRUE(buffer.empty());
}

TEST(WriteBufferTest, WritesGrowTheFileAndBecomeImagesInPageOrder) {
  WriteBuffer buffer;
  buffer.Reset(2);
  buffer.Write(3, "d");
  buffer.Write(0, "a");
  buffer.Write(0, "A");
  EXPECT_EQ(buffer.page_count(), 4u);
  ASSERT_NE(buffer.Find(0), nullptr);
  EXPECT_EQ(*buffer.Find(0), "A");
  EXPECT_EQ(buffer.Find(1), nullptr);
  std::vector<v1::WalRecord> records = buffer.ToRecords(7);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].image().key().space(), 7u);
  EXPECT_EQ(records[0].image().key().page(), 0u);
  EXPECT_EQ(records[0].image().data(), "A");
  EXPECT_EQ(records[1].image().key().page(), 3u);
}

TEST(WriteBufferTest, ShrinkingEmitsATruncationFirst) {
  WriteBuffer buffer;
  buffer.Reset(10);
  buffer.Write(8, "gone");
  buffer.Truncate(4);
  EXPECT_EQ(buffer.Find(8), nullptr);
  buffer.Write(4, "again");
  EXPECT_EQ(buffer.page_count(), 5u);
  EXPECT_EQ(buffer.min_page_count(), 4u);
  std::vector<v1::WalRecord> records = buffer.ToRecords(3);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].truncate().space(), 3u);
  EXPECT_EQ(records[0].truncate().page_count(), 4u);
  EXPECT_EQ(records[1].image().key().page(), 4u);
}

TEST(WriteBufferTest, ForgetAndReset) {
  WriteBuffer buffer;
  buffer.Reset(3);
  buffer.Write(1, "b");
  buffer.Write(2, "c");
  buffer.Forget(1);
  EXPECT_EQ(buffer.WrittenPages(), std::vector<uint32_t>{2});
  buffer.Forget(2);
  EXPECT_TRUE(buffer.empty());
  buffer.Write(5, "f");
  buffer.Reset(3);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.page_count(), 3u);
}

}  // namespace
}  // namespace pitr::sqlite
