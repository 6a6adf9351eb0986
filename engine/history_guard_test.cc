#include "engine/history_guard.h"

#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

Lsn FloorOf(const HistoryGuard& guard, BranchId branch) {
  ReaderMutexLock l(&guard.mu());
  return guard.FloorOf(branch);
}

TEST(HistoryGuardTest, ABranchWithoutAFloorReadsFromZero) {
  HistoryGuard guard;
  EXPECT_EQ(FloorOf(guard, 7), 0u);
}

TEST(HistoryGuardTest, PublishReplacesEveryFloor) {
  HistoryGuard guard;
  guard.SetFloors({{1, 100}, {2, 200}});
  guard.Publish({{1, 150}}, {}, {});
  EXPECT_EQ(FloorOf(guard, 1), 150u);
  EXPECT_EQ(FloorOf(guard, 2), 0u);  // not in the published set
}

TEST(HistoryGuardTest, SetFloorsKeepsTheOthersAndForgetFloorsDrops) {
  HistoryGuard guard;
  guard.Publish({{1, 100}, {2, 200}}, {}, {});
  guard.SetFloors({{2, 250}, {3, 300}});
  EXPECT_EQ(FloorOf(guard, 1), 100u);
  EXPECT_EQ(FloorOf(guard, 2), 250u);
  EXPECT_EQ(FloorOf(guard, 3), 300u);
  guard.ForgetFloors({1, 3});
  EXPECT_EQ(FloorOf(guard, 1), 0u);
  EXPECT_EQ(FloorOf(guard, 2), 250u);
  EXPECT_EQ(FloorOf(guard, 3), 0u);
}

TEST(HistoryGuardTest, CollectedUpToAndIncludingTheHorizon) {
  HistoryGuard guard;
  EXPECT_FALSE(guard.MayBeCollected(TimelineId(1), 0));
  guard.Publish({}, {{TimelineId(1), 500}}, {});
  EXPECT_TRUE(guard.MayBeCollected(TimelineId(1), 499));
  EXPECT_TRUE(guard.MayBeCollected(TimelineId(1), 500));
  EXPECT_FALSE(guard.MayBeCollected(TimelineId(1), 501));
  EXPECT_FALSE(guard.MayBeCollected(TimelineId(2), 1));  // no horizon
}

// A read is local when each step of its path reads at or above its
// timeline's local horizon; local horizons never go down; a branch whose
// ancestor step is below is all remote.
TEST(HistoryGuardTest, LocalReadsAreThoseAboveEveryStepsLocalHorizon) {
  HistoryGuard guard;
  const TimelineId main(1), child(2);
  guard.Publish({}, {}, {{main, 400}, {child, 700}});
  const std::vector<ReadStep> path = {{child, 1000}, {main, 500}};
  ReaderMutexLock l(&guard.mu());
  EXPECT_TRUE(guard.IsLocal(path, 800));
  EXPECT_FALSE(guard.IsLocal(path, 650));  // the child below its horizon
  EXPECT_TRUE(guard.IsLocal({{main, 1000}}, 400));
  EXPECT_FALSE(guard.IsLocal({{main, 1000}}, 399));
  EXPECT_TRUE(guard.IsLocal({{TimelineId(9), 1000}}, 1));  // no horizon
  EXPECT_EQ(guard.LocalFrom(path, 100, 1000), std::optional<Lsn>(700));
  EXPECT_EQ(guard.LocalFrom(path, 900, 1000), std::optional<Lsn>(900));
  EXPECT_EQ(guard.LocalFrom({{child, 1000}, {main, 300}}, 0, 1000),
            std::nullopt);  // its branch point is below main's horizon
}

TEST(HistoryGuardTest, LocalHorizonsOnlyRise) {
  HistoryGuard guard;
  guard.Publish({}, {}, {{TimelineId(1), 400}});
  guard.Publish({}, {}, {{TimelineId(1), 300}, {TimelineId(2), 50}});
  const std::map<TimelineId, Lsn> local = guard.LocalHorizons();
  EXPECT_EQ(local.at(TimelineId(1)), 400u);
  EXPECT_EQ(local.at(TimelineId(2)), 50u);
  EXPECT_TRUE(guard.MayBeCollected(TimelineId(1), 400));
}

TEST(HistoryGuardTest, LivePinsDropTheExpiredOnes) {
  HistoryGuard guard;
  const uint64_t a = guard.AddPin(TimelineId(1), 10, kNow + absl::Seconds(5));
  const uint64_t b = guard.AddPin(TimelineId(2), 20, absl::InfiniteFuture());
  EXPECT_NE(a, b);
  EXPECT_THAT(
      guard.LivePins(kNow),
      UnorderedElementsAre(Pair(TimelineId(1), 10u), Pair(TimelineId(2), 20u)));
  EXPECT_THAT(guard.LivePins(kNow + absl::Seconds(5)),
              ElementsAre(Pair(TimelineId(2), 20u)));
  // Gone for good: the expired pin cannot be renewed.
  absl::Status renewed = guard.RenewPin(a, kNow, kNow + absl::Hours(1));
  EXPECT_EQ(renewed.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(renewed.message(), HasSubstr("does not exist or has expired"));
}

TEST(HistoryGuardTest, RenewMovesTheExpiry) {
  HistoryGuard guard;
  const uint64_t pin = guard.AddPin(TimelineId(3), 30, kNow + absl::Seconds(1));
  ASSERT_TRUE(guard.RenewPin(pin, kNow, kNow + absl::Minutes(1)).ok());
  EXPECT_THAT(guard.LivePins(kNow + absl::Seconds(30)),
              ElementsAre(Pair(TimelineId(3), 30u)));
  // At its expiry it is refused.
  EXPECT_EQ(guard.RenewPin(pin, kNow + absl::Minutes(1), kNow + absl::Hours(1))
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(HistoryGuardTest, RemoveReturnsThePinsTimelineOnce) {
  HistoryGuard guard;
  const uint64_t pin = guard.AddPin(TimelineId(4), 40, absl::InfiniteFuture());
  EXPECT_EQ(guard.RemovePin(pin), TimelineId(4));
  EXPECT_EQ(guard.RemovePin(pin), std::nullopt);
  EXPECT_TRUE(guard.LivePins(kNow).empty());
  // Ids are never reused.
  EXPECT_NE(guard.AddPin(TimelineId(4), 40, absl::InfiniteFuture()), pin);
}

TEST(HistoryGuardTest, PublishWaitsForTheReadsInProgress) {
  HistoryGuard guard;
  guard.Publish({{1, 100}}, {}, {});
  std::atomic<bool> published{false};
  std::thread gc;
  {
    ReaderMutexLock read(&guard.mu());
    EXPECT_EQ(guard.FloorOf(1), 100u);
    gc = std::thread([&] {
      guard.Publish({{1, 900}}, {}, {});
      published = true;
    });
    absl::SleepFor(absl::Milliseconds(50));
    // The read still sees the floor it checked against.
    EXPECT_FALSE(published);
    EXPECT_EQ(guard.FloorOf(1), 100u);
  }
  gc.join();
  EXPECT_TRUE(published);
  EXPECT_EQ(FloorOf(guard, 1), 900u);
}

}  // namespace
}  // namespace pitr
