#include "base/ids.h"

#include <set>
#include <sstream>
#include <type_traits>
#include <unordered_set>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

// The point of TimelineId: a branch id (or any plain number) cannot be
// passed where a timeline is meant, nor a timeline where a branch is, without
// saying so. These are the compile-time checks; a call such as
// WalBatch(kMainBranchId) does not compile.
static_assert(!std::is_convertible_v<BranchId, TimelineId>,
              "a BranchId must not convert to a TimelineId implicitly");
static_assert(!std::is_convertible_v<TimelineId, BranchId>,
              "a TimelineId must not convert to a BranchId");
static_assert(!std::is_convertible_v<int, TimelineId>,
              "a plain number must not convert to a TimelineId implicitly");
static_assert(!std::is_assignable_v<TimelineId&, BranchId>,
              "a BranchId must not be assignable to a TimelineId");
static_assert(std::is_constructible_v<TimelineId, uint64_t>,
              "TimelineId(n) names a timeline explicitly");
static_assert(sizeof(TimelineId) == sizeof(uint64_t),
              "a TimelineId costs what a number does");

TEST(TimelineIdTest, ComparesByValue) {
  EXPECT_EQ(TimelineId(7), TimelineId(7));
  EXPECT_NE(TimelineId(7), TimelineId(8));
  EXPECT_LT(TimelineId(7), TimelineId(8));
  EXPECT_GT(TimelineId(9), TimelineId(8));
  EXPECT_LE(TimelineId(8), TimelineId(8));
  EXPECT_GE(TimelineId(8), TimelineId(8));
  EXPECT_EQ(TimelineId(42).value(), 42u);
}

TEST(TimelineIdTest, NoTimelineIsZeroAndMainIsOne) {
  EXPECT_EQ(TimelineId(), kNoTimeline);
  EXPECT_EQ(kNoTimeline.value(), 0u);
  EXPECT_EQ(kMainTimeline.value(), 1u);
  EXPECT_EQ(kNoTimeline.Next(), kMainTimeline);
  EXPECT_EQ(TimelineId(41).Next(), TimelineId(42));
}

TEST(TimelineIdTest, WorksAsAKeyOfEveryContainer) {
  std::set<TimelineId> ordered = {TimelineId(3), TimelineId(1), TimelineId(2)};
  EXPECT_EQ(ordered.begin()->value(), 1u);
  std::unordered_set<TimelineId> hashed = {TimelineId(3), TimelineId(3)};
  EXPECT_EQ(hashed.size(), 1u);
  absl::flat_hash_set<TimelineId> absl_hashed = {TimelineId(5), TimelineId(6)};
  EXPECT_TRUE(absl_hashed.contains(TimelineId(6)));
  EXPECT_FALSE(absl_hashed.contains(TimelineId(7)));
}

TEST(TimelineIdTest, PrintsAsATimeline) {
  std::ostringstream out;
  out << TimelineId(12);
  EXPECT_EQ(out.str(), "timeline 12");
}

}  // namespace
}  // namespace pitr
