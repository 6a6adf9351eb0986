#include "base/lsn.h"

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(LsnTest, FormatsLikePostgres) {
  EXPECT_EQ(FormatLsn(0), "0/0");
  EXPECT_EQ(FormatLsn(0x16B3748), "0/16B3748");
  EXPECT_EQ(FormatLsn(0x100000010ull), "1/10");
  EXPECT_EQ(FormatLsn(~0ull), "FFFFFFFF/FFFFFFFF");
}

TEST(LsnTest, ParsesHexFormInEitherCase) {
  EXPECT_EQ(*ParseLsn("0/16B3748"), 0x16B3748u);
  EXPECT_EQ(*ParseLsn("0/16b3748"), 0x16B3748u);
  EXPECT_EQ(*ParseLsn("1/10"), 0x100000010ull);
  EXPECT_EQ(*ParseLsn(" FFFFFFFF/FFFFFFFF\n"), ~0ull);
}

TEST(LsnTest, ParsesDecimal) {
  EXPECT_EQ(*ParseLsn("0"), 0u);
  EXPECT_EQ(*ParseLsn("23803720"), 23803720u);
  EXPECT_EQ(*ParseLsn("18446744073709551615"), ~0ull);
}

TEST(LsnTest, RoundTrips) {
  for (Lsn lsn :
       {0ull, 1ull, 0xFFFFFFFFull, 0x100000000ull, 0x123456789ABCull}) {
    EXPECT_EQ(*ParseLsn(FormatLsn(lsn)), lsn);
  }
}

TEST(LsnTest, RejectsMalformedTextNamingBothForms) {
  for (const char* bad :
       {"", "/", "0/", "/1", "1/2/3", "x/1", "123456789/0", "0/123456789", "-1",
        "12a", "18446744073709551616", "0x10", " "}) {
    absl::StatusOr<Lsn> lsn = ParseLsn(bad);
    ASSERT_FALSE(lsn.ok()) << bad;
    EXPECT_EQ(lsn.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(lsn.status().message().find("X/Y"), absl::string_view::npos);
    EXPECT_NE(lsn.status().message().find("decimal"), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace pitr
