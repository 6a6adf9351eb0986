#include "clients/common/point.h"

#include "gtest/gtest.h"

namespace pitr::clients {
namespace {

TEST(ParsePointTest, Lsns) {
  auto p = ParsePoint("0/16B3748");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->lsn(), 0x16B3748u);
  p = ParsePoint("1/0");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->lsn(), 1ull << 32);
  p = ParsePoint("23803720");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->lsn(), 23803720u);
  EXPECT_EQ(p->point_case(), v1::PointInTime::kLsn);
}

TEST(ParsePointTest, Times) {
  auto p = ParsePoint("2026-11-21T10:00:00Z");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE(p->has_timestamp());
  EXPECT_EQ(p->timestamp().seconds(), 1795255200);
  EXPECT_EQ(p->timestamp().nanos(), 0);
  p = ParsePoint("2026-11-21T11:00:00.25+01:00");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->timestamp().seconds(), 1795255200);
  EXPECT_EQ(p->timestamp().nanos(), 250000000);
}

TEST(ParsePointTest, Snapshots) {
  auto p = ParsePoint("snapshot:nightly-1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->snapshot(), "nightly-1");
}

TEST(ParsePointTest, BadInputsNameTheTextAndTheForms) {
  for (const char* bad :
       {"", "0/", "xyz", "0/123456789", "snapshot:", "2026-11-21",
        "2026-11-21T10:00:00", "2026-13-01T00:00:00Z", "-5"}) {
    auto p = ParsePoint(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(std::string("\"") + bad + "\""),
              absl::string_view::npos)
        << p.status();
    EXPECT_NE(p.status().message().find("snapshot:NAME"),
              absl::string_view::npos);
  }
}

TEST(ParseTimeTest, ErrorSaysWhatIsExpected) {
  auto t = ParseTime("yesterday");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("2026-11-21T10:00:00Z"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace pitr::clients
