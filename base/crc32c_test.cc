#include "base/crc32c.h"

#include <string>
#include <vector>

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

using internal::Crc32cImplementation;

class Crc32cImplementationTest
    : public testing::TestWithParam<Crc32cImplementation> {
 protected:
  void SetUp() override {
    if (!internal::Supported(GetParam())) {
      GTEST_SKIP() << "this CPU does not run the implementation";
    }
  }
};

TEST_P(Crc32cImplementationTest, AgreesWithTheTableAtEveryLengthAndAlignment) {
  std::string data;
  for (int i = 0; i < 20000; ++i) {
    data.push_back(static_cast<char>(i * 7 + 3 + (i >> 8)));
  }
  std::vector<size_t> lengths;
  // Every length up to a few folding strides (256 bytes) and three-stream
  // blocks (3 x 128 bytes), then lengths about the larger blocks and pages.
  for (size_t n = 0; n <= 1100; ++n) lengths.push_back(n);
  for (size_t n :
       {3071, 3072, 3073, 3455, 6144, 8192, 8212, 8213, 9999, 16384, 19990}) {
    lengths.push_back(n);
  }
  for (size_t n : lengths) {
    for (size_t align = 0; align < 8; align += (n < 1100 ? 3 : 1)) {
      if (align + n > data.size()) continue;
      const char* p = data.data() + align;
      for (uint32_t crc : {0u, 0x12345678u, 0xffffffffu}) {
        ASSERT_EQ(
            internal::ExtendWith(GetParam(), crc, p, n),
            internal::ExtendWith(Crc32cImplementation::kPortable, crc, p, n))
            << "n=" << n << " align=" << align << " crc=" << crc;
      }
    }
  }
}

TEST_P(Crc32cImplementationTest, StandardVector) {
  const std::string digits = "123456789";
  EXPECT_EQ(internal::ExtendWith(GetParam(), 0, digits.data(), digits.size()),
            0xe3069283u);
  const std::string zeros(4096, '\0');
  EXPECT_EQ(internal::ExtendWith(GetParam(), 0, zeros.data(), zeros.size()),
            internal::ExtendWith(Crc32cImplementation::kPortable, 0,
                                 zeros.data(), zeros.size()));
}

INSTANTIATE_TEST_SUITE_P(
    All, Crc32cImplementationTest,
    testing::ValuesIn(internal::kAllCrc32cImplementations),
    [](const testing::TestParamInfo<Crc32cImplementation>& info) {
      return std::string(internal::Crc32cImplementationName(info.param));
    });

TEST(Crc32cTest, ExtendUsesTheFastestSupportedImplementation) {
  // Each implementation gives the same value, so what can be checked is
  // that Extend agrees with them; the speed shows in wal_bench.
  std::string data(5000, 'p');
  for (auto which :
       {Crc32cImplementation::kAvx512Fold, Crc32cImplementation::kSse42}) {
    if (!internal::Supported(which)) continue;
    EXPECT_EQ(Extend(7, data.data(), data.size()),
              internal::ExtendWith(which, 7, data.data(), data.size()));
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
