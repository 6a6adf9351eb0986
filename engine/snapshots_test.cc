// Snapshots and leases through the engine: what they keep from GC, and
// branches and restores from snapshots.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPage = 512;
std::string Filled(char c) { return std::string(kPage, c); }

class SnapshotsTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("snapshots", kPage);
    options_.gc_period = absl::InfiniteDuration();
    options_.default_retention = Retention{std::nullopt, 1};  // keep ~nothing
    Reopen();
  }
  Lsn Write(char c) {
    WalBatch batch(kMainTimeline);
    EXPECT_TRUE(batch.PutPageImage({1, 1}, Filled(c)).ok());
    return engine_->Append(batch)->commit_lsn;
  }
  char Read(BranchId branch, std::optional<Lsn> lsn = std::nullopt) {
    absl::StatusOr<std::string> page = engine_->GetPage(branch, {1, 1}, lsn);
    if (!page.ok()) return absl::IsOutOfRange(page.status()) ? '!' : '?';
    return (*page)[0];
  }
};

TEST_F(SnapshotsTest, ASnapshotKeepsItsPointThroughGc) {
  const Lsn a = Write('a');
  ASSERT_TRUE(
      engine_->snapshots().Create("before", kMainBranch, {a, std::nullopt}).ok());
  Write('b');
  const Lsn c = Write('c');
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(Read(kMainBranch, a), 'a');  // pinned
  EXPECT_EQ(Read(kMainBranch), 'c');

  Branch from = *engine_->snapshots().CreateBranch("from-before", "before");
  EXPECT_EQ(Read(from.id), 'a');
  ASSERT_TRUE(engine_->DeleteBranch(from.id, false).ok());

  ASSERT_TRUE(engine_->snapshots().Delete("before").ok());
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(Read(kMainBranch, a), '!');  // below the horizon now
  EXPECT_EQ(Read(kMainBranch, c), 'c');
}

TEST_F(SnapshotsTest, RestoreFromASnapshot) {
  const Lsn a = Write('a');
  ASSERT_TRUE(
      engine_->snapshots().Create("good", kMainBranch, {a, std::nullopt}).ok());
  Write('x');
  absl::StatusOr<Catalog::Restored> r =
      engine_->snapshots().RestoreBranch(kMainBranch, "good");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Read(kMainBranch), 'a');
  EXPECT_EQ(Read(r->backup.id), 'x');
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(Read(kMainBranch), 'a');
  EXPECT_EQ(Read(r->backup.id), 'x');
}

TEST_F(SnapshotsTest, ExpiredSnapshotsGoAtTheNextGc) {
  const Lsn a = Write('a');
  ASSERT_TRUE(engine_
                  ->snapshots().Create("brief", kMainBranch, {a, std::nullopt},
                                   absl::Milliseconds(1))
                  .ok());
  Write('b');
  absl::SleepFor(absl::Milliseconds(5));
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_TRUE(engine_->snapshots().List().empty());
  EXPECT_EQ(Read(kMainBranch, a), '!');
}

TEST_F(SnapshotsTest, ALeasePinsAPointUntilReleased) {
  const Lsn a = Write('a');
  absl::StatusOr<uint64_t> lease =
      engine_->CreateLease(kMainBranch, a, absl::Minutes(1));
  ASSERT_TRUE(lease.ok()) << lease.status();
  Write('b');
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(Read(kMainBranch, a), 'a');
  ASSERT_TRUE(engine_->RenewLease(*lease, absl::Minutes(1)).ok());
  ASSERT_TRUE(engine_->ReleaseLease(*lease).ok());
  EXPECT_EQ(engine_->RenewLease(*lease, absl::Minutes(1)).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(Read(kMainBranch, a), '!');
}

TEST_F(SnapshotsTest, SchedulesTakeSnapshotsAndKeepTheLastK) {
  Write('a');
  SnapshotSchedule hourly{"hourly", kMainBranch,  absl::Hours(1),
                          3,        std::nullopt, 0};
  ASSERT_TRUE(engine_->snapshots().CreateSchedule(hourly).ok());
  absl::Time t = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_EQ(*engine_->snapshots().RunSchedules(t), 1);
  EXPECT_EQ(*engine_->snapshots().RunSchedules(t + absl::Minutes(30)),
            0);  // not due
  for (int i = 1; i <= 4; ++i) {
    Write(static_cast<char>('a' + i));
    EXPECT_EQ(*engine_->snapshots().RunSchedules(t + absl::Hours(i)), 1);
  }
  std::vector<Snapshot> snaps = engine_->snapshots().List();
  ASSERT_EQ(snaps.size(), 3u);  // keep_last
  for (const Snapshot& s : snaps) {
    EXPECT_EQ(s.kind, Snapshot::Kind::kScheduled);
    EXPECT_EQ(s.schedule, "hourly");
  }
  // 1'800'000'000 s is 2027-01-15T08:00:00Z: the 08:00 and 09:00 snapshots
  // were pruned, 10:00 to 12:00 are kept.
  EXPECT_FALSE(engine_->snapshots().Get("hourly-20270115T090000.000000Z").ok());
  EXPECT_TRUE(engine_->snapshots().Get("hourly-20270115T100000.000000Z").ok());
  EXPECT_TRUE(engine_->snapshots().Get("hourly-20270115T120000.000000Z").ok());
  // The newest keeps the state at its time, through GC.
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  Branch b = *engine_->snapshots().CreateBranch("at-4", snaps.back().name);
  EXPECT_EQ(Read(b.id), 'e');
  ASSERT_TRUE(engine_->snapshots().DeleteSchedule("hourly").ok());
  EXPECT_TRUE(engine_->snapshots().ListSchedules().empty());
}

TEST_F(SnapshotsTest, ScheduleRulesAreChecked) {
  EXPECT_EQ(
      engine_
          ->snapshots().CreateSchedule(
              {"x", kMainBranch, absl::Milliseconds(10), 3, std::nullopt, 0})
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_
                ->snapshots().CreateSchedule({"x", kMainBranch, absl::Hours(1),
                                          std::nullopt, std::nullopt, 0})
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_
                ->snapshots().CreateSchedule(
                    {"x", 99, absl::Hours(1), 1, std::nullopt, 0})
                .code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(engine_
                  ->snapshots().CreateSchedule({"x", kMainBranch, absl::Hours(1),
                                            std::nullopt, absl::Hours(24), 0})
                  .ok());
  EXPECT_EQ(engine_
                ->snapshots().CreateSchedule(
                    {"x", kMainBranch, absl::Hours(1), 1, std::nullopt, 0})
                .code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(SnapshotsTest, BadRequestsAreRefused) {
  const Lsn a = Write('a');
  EXPECT_EQ(engine_->snapshots().Create("s", kMainBranch, {a + 1, std::nullopt})
                .status()
                .code(),
            absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(engine_->snapshots().Create("s", kMainBranch, {}).ok());
  EXPECT_EQ(engine_->snapshots().Create("s", kMainBranch, {}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      engine_->snapshots().Create("bad name", kMainBranch, {}).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->snapshots().CreateBranch("x", "nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->CreateLease(kMainBranch, a + 1, absl::Seconds(1))
                .status()
                .code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(engine_->ReleaseLease(42).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->snapshots().List().size(), 1u);
}

}  // namespace
}  // namespace pitr
