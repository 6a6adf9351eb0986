#include "engine/gc_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr::gc_policy {
namespace {

using store_keys::Position;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

const absl::Time kNow = absl::FromUnixSeconds(1'000'000);

// Commits once a second: the commit at time t has LSN t * 100.
std::optional<Lsn> CommitAt(absl::Time t) {
  const int64_t s = absl::ToUnixSeconds(t);
  if (s < 1) return std::nullopt;
  return static_cast<Lsn>(s) * 100;
}

TEST(RetentionCutoffTest, WindowDistanceBothAndNeither) {
  const Lsn latest = 100'000'000;
  EXPECT_EQ(RetentionCutoff({absl::Seconds(10), std::nullopt}, latest, kNow,
                            CommitAt),
            (1'000'000 - 10) * 100u);
  EXPECT_EQ(RetentionCutoff({std::nullopt, 5000}, latest, kNow, CommitAt),
            latest - 5000);
  // Both: the more generous (older) cutoff.
  EXPECT_EQ(RetentionCutoff({absl::Seconds(10), 5000}, latest, kNow, CommitAt),
            latest - 5000 < (1'000'000 - 10) * 100u ? latest - 5000
                                                    : (1'000'000 - 10) * 100u);
  EXPECT_EQ(RetentionCutoff({}, latest, kNow, CommitAt), 0u);
  // A window reaching before the first commit keeps everything; a distance
  // longer than the log too.
  EXPECT_EQ(RetentionCutoff({absl::Seconds(2'000'000), std::nullopt}, latest,
                            kNow, CommitAt),
            0u);
  EXPECT_EQ(RetentionCutoff({std::nullopt, latest + 1}, latest, kNow, CommitAt),
            0u);
}

TEST(EffectiveRetentionTest, ABranchsOwnRetentionReplacesTheDefaultWhole) {
  const Retention defaults{absl::Hours(1), 1000};
  Branch inherits;
  EXPECT_EQ(EffectiveRetention(inherits, defaults), defaults);
  Branch own_window;
  own_window.retention.window = absl::Minutes(5);
  // Not merged: the default's lsn_distance does not carry over.
  EXPECT_EQ(EffectiveRetention(own_window, defaults),
            (Retention{absl::Minutes(5), std::nullopt}));
  Branch own_distance;
  own_distance.retention.lsn_distance = 7;
  EXPECT_EQ(EffectiveRetention(own_distance, defaults),
            (Retention{std::nullopt, 7}));
}

TEST(DescribeRetentionTest, NamesEachFieldOrKeepEverything) {
  EXPECT_EQ(DescribeRetention({absl::Hours(2), std::nullopt}), "2h");
  EXPECT_EQ(DescribeRetention({std::nullopt, 1000}), "1000 bytes of WAL");
  EXPECT_EQ(DescribeRetention({absl::Minutes(1), 5}), "1m or 5 bytes of WAL");
  EXPECT_EQ(DescribeRetention({}), "keep everything");
}

TEST(FloorsTest, ChildrenPullTheirParentsFloorDownToTheirBranchPoint) {
  Branch main{1, "main", TimelineId(1), 0, {}, 0, 0, kNoTimeline};
  Branch a{2, "a", TimelineId(2), 0, {}, 1, 500, TimelineId(1)};
  Branch b{3, "b", TimelineId(3), 0, {}, 2, 700, TimelineId(2)};
  std::map<BranchId, Lsn> floors =
      Floors({main, a, b}, {{1, 900}, {2, 800}, {3, 750}});
  EXPECT_EQ(floors[1], 500u);
  EXPECT_EQ(floors[2], 700u);
  EXPECT_EQ(floors[3], 750u);
}

TEST(HorizonsTest, EachTimelineKeepsWhatItsLowestReaderNeeds) {
  // main (timeline 1) floor 900; a (timeline 2, from 1 at 500) floor 300.
  std::vector<Reader> readers = {
      {1, {{TimelineId(1), 10'000}}, 900},
      {2, {{TimelineId(2), 10'000}, {TimelineId(1), 500}}, 300},
  };
  std::map<TimelineId, Lsn> h = Horizons(readers);
  EXPECT_EQ(h[TimelineId(1)],
            300u);  // a reads main's history back to its own floor
  EXPECT_EQ(h[TimelineId(2)], 300u);
  readers[1].floor =
      800;  // a's window no longer reaches before its branch point
  h = Horizons(readers);
  EXPECT_EQ(h[TimelineId(1)], 500u);  // main keeps a's branch point
  EXPECT_EQ(h.count(TimelineId(3)), 0u);
}

std::vector<Version> V(std::initializer_list<std::pair<Lsn, char>> list) {
  std::vector<Version> out;
  uint32_t seq = 0;
  for (auto [lsn, kind] : list)
    out.push_back({Position{lsn, seq++}, kind == 'I'});
  return out;
}

// I@10 D@20 I@30 D@40 D@50 D@60 I@70
std::vector<Version> SevenVersions() {
  return V({{10, 'I'},
           {20, 'D'},
           {30, 'I'},
           {40, 'D'},
           {50, 'D'},
           {60, 'D'},
           {70, 'I'}});
}

TEST(VersionsToDropTest, KeepsTheChainAtTheHorizonAndEverythingAfter) {
  const std::vector<Version> versions = SevenVersions();  // horizon 45
  EXPECT_THAT(VersionsToDrop(versions, 45), ElementsAre(0, 1));
  EXPECT_THAT(VersionsToDrop(versions, 30), ElementsAre(0, 1));  // image at it
  EXPECT_THAT(VersionsToDrop(versions, 29), IsEmpty());  // chain from 10
  EXPECT_THAT(VersionsToDrop(versions, 1000), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(VersionsToDrop(versions, 5), IsEmpty());
}

TEST(VersionsToDropTest, WithoutAnImageEveryDeltaMayBeNeeded) {
  EXPECT_THAT(VersionsToDrop(V({{10, 'D'}, {20, 'D'}}), 100), IsEmpty());
  EXPECT_THAT(VersionsToDrop({}, 100), IsEmpty());
}

TEST(VersionsToDropTest, ATimelineNothingWritesLosesWhatIsAfterItsCeiling) {
  const std::vector<Version> versions = SevenVersions();
  // Read at 30..45 only: the chain at 30 and the delta at 40 stay.
  EXPECT_THAT(VersionsToDrop(versions, 30, 45), ElementsAre(0, 1, 4, 5, 6));
  // Read at exactly one point: its chain alone stays.
  EXPECT_THAT(VersionsToDrop(versions, 50, 50), ElementsAre(0, 1, 5, 6));
  EXPECT_THAT(VersionsToDrop(versions, 5, 5),
              ElementsAre(0, 1, 2, 3, 4, 5, 6));
  // Versions at the ceiling are read there.
  EXPECT_THAT(VersionsToDrop(versions, 70, 70), ElementsAre(0, 1, 2, 3, 4, 5));
  // Without an image, the deltas up to the ceiling stay, the rest go.
  EXPECT_THAT(VersionsToDrop(V({{10, 'D'}, {20, 'D'}, {30, 'D'}}), 15, 20),
              ElementsAre(2));
}

TEST(CeilingsTest, TheNewestPointAnyReaderReadsOnEachTimeline) {
  const TimelineId a(2), b(3);
  std::vector<Reader> readers = {
      {4, {{TimelineId(4), 100}, {a, 40}, {kMainTimeline, 10}}, 50},
      {5, {{TimelineId(5), 100}, {a, 60}, {kMainTimeline, 10}}, 50},
      {0, {{b, 70}, {a, 20}}, 70},  // a pin
  };
  EXPECT_THAT(Ceilings(readers),
              ElementsAre(Pair(kMainTimeline, 10), Pair(a, 60), Pair(b, 70),
                          Pair(TimelineId(4), 100), Pair(TimelineId(5), 100)));
}

}  // namespace
}  // namespace pitr::gc_policy
