#include "tools/pitrctl/records.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"
#include "tools/pitrctl/args.h"

namespace pitr::ctl {
namespace {

TEST(ParsePayloadTest, Forms) {
  EXPECT_EQ(*ParsePayload("hex:00ffA0"), std::string("\x00\xff\xa0", 3));
  EXPECT_EQ(*ParsePayload("hex:"), "");
  EXPECT_EQ(*ParsePayload("text:hello world"), "hello world");
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/payload";
  std::ofstream(path) << "from a file";
  EXPECT_EQ(*ParsePayload("@" + path), "from a file");
}

TEST(ParsePayloadTest, BadFormsAreUsageErrors) {
  for (const char* bad : {"hex:abc", "hex:zz", "plain", "@/no/such/file"}) {
    auto p = ParsePayload(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_TRUE(IsUsageError(p.status())) << p.status();
  }
  EXPECT_EQ(ParsePayload("@/no/such/file").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ParseRecordWordsTest, AllKinds) {
  auto r = ParseRecordWords({"image", "1", "2", "text:abc", "delta", "1", "2",
                             "100", "hex:ff", "truncate", "3", "10"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].image().key().space(), 1u);
  EXPECT_EQ((*r)[0].image().key().page(), 2u);
  EXPECT_EQ((*r)[0].image().data(), "abc");
  EXPECT_EQ((*r)[1].delta().offset(), 100u);
  EXPECT_EQ((*r)[1].delta().data(), "\xff");
  EXPECT_EQ((*r)[2].truncate().space(), 3u);
  EXPECT_EQ((*r)[2].truncate().page_count(), 10u);
}

TEST(ParseRecordWordsTest, ErrorsNameTheRecord) {
  auto r = ParseRecordWords(
      {"image", "1", "2", "text:a", "delta", "1", "x", "0", "hex:00"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsUsageError(r.status()));
  EXPECT_EQ(r.status().message(),
            "record 2: invalid page \"x\": expected a whole number from 0 to "
            "4294967295");
  r = ParseRecordWords({"image", "1", "2"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "record 1 (image): needs 3 arguments");
  r = ParseRecordWords({"erase", "1"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown record \"erase\""),
            absl::string_view::npos);
  EXPECT_TRUE(ParseRecordWords({}).ok());
}

TEST(ParseRecordLinesTest, PayloadIsTheRestOfTheLine) {
  auto r = ParseRecordLines(
      "# a comment\n"
      "\n"
      "image 1 2 text:hello  world\n"
      "  delta 1 2 8 hex:0102\n"
      "truncate 1 0\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].image().data(), "hello  world");
  EXPECT_EQ((*r)[1].delta().data(), "\x01\x02");
  EXPECT_EQ((*r)[2].truncate().page_count(), 0u);
}

TEST(ParseRecordLinesTest, ErrorsNameTheLine) {
  auto r = ParseRecordLines("image 1 2 text:a\n\ndelta 1 2\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "line 3 (delta): needs 4 arguments");
  r = ParseRecordLines("truncate 1 2 3\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 1: invalid page count \"2 3\": expected a whole number from "
            "0 to 4294967295");
}

TEST(PadImagesTest, PadsShortImagesAndRefusesLongOnes) {
  auto r = ParseRecordWords(
      {"image", "1", "2", "text:ab", "delta", "1", "2", "0", "text:c"});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(PadImages(8, &*r).ok());
  EXPECT_EQ((*r)[0].image().data(), std::string("ab\0\0\0\0\0\0", 8));
  EXPECT_EQ((*r)[1].delta().data(), "c");
  auto s = PadImages(1, &*r);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(IsUsageError(s));
  EXPECT_EQ(s.message(),
            "record 1 (image): 8 bytes, more than the page size 1");
}

}  // namespace
}  // namespace pitr::ctl
