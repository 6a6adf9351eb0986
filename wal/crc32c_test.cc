#include "wal/crc32c.h"

#include <string>

#include "gtest/gtest.h"

namespace pitr::crc32c {
namespace {

// Test vectors from RFC 3720, section B.4.
TEST(Crc32cTest, StandardVectors) {
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Value(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Value(ascending), 0x46dd794eu);
  EXPECT_EQ(Value(descending), 0x113fdb5cu);
  EXPECT_EQ(Value("123456789"), 0xe3069283u);
}

TEST(Crc32cTest, ExtendEqualsWholeValue) {
  std::string data = "hello pitr, this is a longer string of bytes";
  for (size_t split = 0; split <= data.size(); ++split) {
    uint32_t crc = Extend(0, data.data(), split);
    crc = Extend(crc, data.data() + split, data.size() - split);
    EXPECT_EQ(crc, Value(data));
  }
}

TEST(Crc32cTest, HardwareAndTableAgreeAtEveryLengthAndAlignment) {
  // Lengths cross the three-stream block sizes (3 x 128 and 3 x 1024 bytes).
  std::string data;
  for (int i = 0; i < 10000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  for (size_t n : {0, 1, 7, 8, 383, 384, 385, 767, 3071, 3072, 3073, 3455, 6144,
                   8192, 8212, 9999}) {
    for (size_t align = 0; align < 8; ++align) {
      if (align + n > data.size()) continue;
      const char* p = data.data() + align;
      EXPECT_EQ(Extend(0, p, n), internal::ExtendPortableForTesting(0, p, n))
          << "n=" << n << " align=" << align;
      EXPECT_EQ(Extend(0x12345678, p, n),
                internal::ExtendPortableForTesting(0x12345678, p, n));
    }
  }
}

TEST(Crc32cTest, MaskIsReversibleAndChangesValue) {
  uint32_t crc = Value("foo");
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

}  // namespace
}  // namespace pitr::crc32c
