#include "branch/catalog.h"

#include "absl/strings/str_cat.h"
#include "base/timestamp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

MATCHER_P2(Step, timeline, up_to, "") {
  return arg.timeline == timeline && arg.up_to == static_cast<Lsn>(up_to);
}

constexpr int64_t kNow = 1'763'700'000'000'000;  // 2025-11-21T04:40:00Z

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    auto catalog = Catalog::Open(&store_);
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = std::move(*catalog);
  }
  Branch Create(absl::string_view name, BranchId parent, Lsn point) {
    absl::StatusOr<Branch> b = catalog_->Create(name, parent, point, kNow);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : Branch{};
  }

  // The provenance of an import onto `timeline` of state 7@900 of a store.
  static ImportProvenance Imported(TimelineId timeline, Lsn lsn = 40) {
    ImportProvenance provenance;
    provenance.store.bytes[0] = 0xab;
    provenance.source_timeline = TimelineId(7);
    provenance.source_lsn = 900;
    provenance.timeline = timeline;
    provenance.lsn = lsn;
    return provenance;
  }

  MemoryCatalogStore store_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, MainExistsFromTheStart) {
  Branch main = *catalog_->Get(kMainBranchId);
  EXPECT_EQ(main.name, "main");
  EXPECT_EQ(main.timeline, kMainTimeline);
  EXPECT_EQ(main.parent, 0u);
  EXPECT_EQ(catalog_->GetByName("main")->id, kMainBranchId);
  EXPECT_EQ(catalog_->List().size(), 1u);
}

TEST_F(CatalogTest, MainIsCreatedWithTheStoreAndKeepsItsTime) {
  const int64_t created = catalog_->Get(kMainBranchId)->created_us;
  EXPECT_LE(created, NowMicros());
  EXPECT_GT(created, NowMicros() - 60 * 1000000);
  Reopen();
  EXPECT_EQ(catalog_->Get(kMainBranchId)->created_us, created);
}

TEST_F(CatalogTest, CreatesBranchesThatSurviveReopen) {
  Branch dev = Create("dev", kMainBranchId, 100);
  Branch feature = Create("feature.x-1", dev.id, 150);
  EXPECT_EQ(dev.parent, kMainBranchId);
  EXPECT_EQ(dev.branch_point, 100u);
  EXPECT_EQ(feature.parent, dev.id);
  EXPECT_NE(feature.timeline, dev.timeline);
  Reopen();
  Branch reloaded = *catalog_->GetByName("feature.x-1");
  EXPECT_EQ(reloaded.id, feature.id);
  EXPECT_EQ(reloaded.parent, dev.id);
  EXPECT_EQ(reloaded.branch_point, 150u);
  EXPECT_EQ(reloaded.created_us, kNow);
  // Ids keep growing after a reopen.
  EXPECT_GT(Create("later", kMainBranchId, 1).id, feature.id);
}

TEST_F(CatalogTest, CreateIsIdempotentForTheSamePoint) {
  Branch first = Create("dev", kMainBranchId, 100);
  const int commits = store_.commits();
  Branch again = Create("dev", kMainBranchId, 100);
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(store_.commits(), commits);  // nothing written
  absl::StatusOr<Branch> other =
      catalog_->Create("dev", kMainBranchId, 101, kNow);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(other.status().message(), HasSubstr("at lsn 0/64"));
}

TEST_F(CatalogTest, RefusesBadNamesAndUnknownParents) {
  for (const char* bad : {"", "-x", ".x", "a b", "a/b", "ü"}) {
    absl::StatusOr<Branch> b = catalog_->Create(bad, kMainBranchId, 1, kNow);
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(catalog_->Create(std::string(129, 'a'), kMainBranchId, 1, kNow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      catalog_->Create(std::string(128, 'a'), kMainBranchId, 1, kNow).ok());
  EXPECT_EQ(catalog_->Create("x", 999, 1, kNow).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(catalog_->List().size(), 2u);
}

TEST_F(CatalogTest, ReadPathWalksAncestorsCappedAtBranchPoints) {
  Branch a = Create("a", kMainBranchId, 100);
  Branch b = Create("b", a.id, 300);
  std::vector<ReadStep> path = *catalog_->ReadPath(b.id, 500);
  ASSERT_EQ(path.size(), 3u);
  EXPECT_EQ(path[0].timeline, b.timeline);
  EXPECT_EQ(path[0].up_to, 500u);
  EXPECT_EQ(path[1].timeline, a.timeline);
  EXPECT_EQ(path[1].up_to, 300u);
  EXPECT_EQ(path[2].timeline, kMainTimeline);
  EXPECT_EQ(path[2].up_to, 100u);
  path = *catalog_->ReadPath(b.id, 50);  // below every branch point
  EXPECT_EQ(path[1].up_to, 50u);
  EXPECT_EQ(path[2].up_to, 50u);
}

TEST_F(CatalogTest, RestoreKeepsTheBranchAndBacksUpTheOldState) {
  Branch dev = Create("dev", kMainBranchId, 100);
  Branch child = Create("child", dev.id, 120);
  Catalog::Restored r = *catalog_->Restore(dev.id, kMainBranchId, 50, kNow);
  EXPECT_EQ(r.branch.id, dev.id);
  EXPECT_EQ(r.branch.name, "dev");
  EXPECT_NE(r.branch.timeline, dev.timeline);
  EXPECT_EQ(r.branch.parent, kMainBranchId);
  EXPECT_EQ(r.branch.branch_point, 50u);
  EXPECT_EQ(r.backup.name, "dev_old_20251121T044000Z");
  EXPECT_EQ(r.backup.timeline, dev.timeline);
  EXPECT_EQ(r.backup.parent, kMainBranchId);
  EXPECT_EQ(r.backup.branch_point, 100u);
  // The child stays on the old state, now the backup's.
  EXPECT_EQ(catalog_->Get(child.id)->parent, r.backup.id);

  // A second restore in the same second gets a distinct backup name, and
  // restoring from the backup undoes the first.
  Catalog::Restored undo =
      *catalog_->Restore(dev.id, r.backup.id, 1'000'000, kNow);
  EXPECT_EQ(undo.backup.name, "dev_old_20251121T044000Z_2");
  EXPECT_EQ(catalog_->ReadPath(dev.id, 2'000'000)->at(1).timeline,
            dev.timeline);
  Reopen();
  EXPECT_EQ(catalog_->Get(child.id)->parent, r.backup.id);
  EXPECT_EQ(catalog_->Get(dev.id)->timeline, undo.branch.timeline);
}

TEST_F(CatalogTest, DeletingABranchLeavesItsChildrenOnAnUnnamedAncestor) {
  Branch a = Create("a", kMainBranchId, 10);
  Branch b = Create("b", a.id, 20);
  Branch c = Create("c", b.id, 30);
  const int commits = store_.commits();
  EXPECT_THAT(*catalog_->Delete(b.id, false), ElementsAre(b.id));
  EXPECT_EQ(store_.commits(), commits + 1);
  EXPECT_EQ(catalog_->GetByName("b").status().code(),
            absl::StatusCode::kNotFound);
  // c reads as before, through b's timeline, which nothing names now.
  const Branch child = *catalog_->Get(c.id);
  EXPECT_EQ(child.parent, 0u);
  EXPECT_EQ(child.parent_timeline, b.timeline);
  EXPECT_EQ(child.branch_point, 30u);
  EXPECT_THAT(*catalog_->ReadPath(c.id, 100),
              ElementsAre(Step(c.timeline, 100), Step(b.timeline, 30),
                          Step(a.timeline, 20), Step(kMainTimeline, 10)));
  ASSERT_EQ(catalog_->UnnamedAncestors().size(), 1u);
  EXPECT_EQ(catalog_->UnnamedAncestors()[0].id, b.timeline);
  EXPECT_EQ(catalog_->UnnamedAncestors()[0].parent, a.timeline);
  EXPECT_THAT(catalog_->UnwrittenTimelines(), ElementsAre(b.timeline));
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());
  Reopen();
  EXPECT_EQ(catalog_->Get(c.id)->parent_timeline, b.timeline);
  EXPECT_EQ(catalog_->UnnamedAncestors().size(), 1u);

  // Cascading takes the branch and what is below it.
  EXPECT_THAT(*catalog_->Delete(a.id, true), ElementsAre(c.id, a.id));
  EXPECT_EQ(catalog_->List().size(), 1u);
  EXPECT_TRUE(catalog_->UnnamedAncestors().empty());
  EXPECT_THAT(catalog_->UnusedTimelines(),
              ElementsAre(a.timeline, b.timeline, c.timeline));
  EXPECT_EQ(catalog_->Delete(kMainBranchId, true).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->Delete(a.id, true).status().code(),
            absl::StatusCode::kNotFound);
  Reopen();
  EXPECT_EQ(catalog_->List().size(), 1u);
}

TEST_F(CatalogTest, ARestoresBackupCanBeDeletedAndMainKeepsItsHistory) {
  Branch feature = Create("feature", kMainBranchId, 50);
  Catalog::Restored r =
      *catalog_->Restore(kMainBranchId, kMainBranchId, 40, kNow);
  Branch later = Create("later", kMainBranchId, 60);
  EXPECT_EQ(catalog_->Get(kMainBranchId)->parent, r.backup.id);
  EXPECT_EQ(catalog_->Get(feature.id)->parent, r.backup.id);

  // Alone: only the backup goes; main and feature read its timeline still.
  EXPECT_THAT(*catalog_->Delete(r.backup.id, false), ElementsAre(r.backup.id));
  EXPECT_EQ(catalog_->Get(kMainBranchId)->parent_timeline, kMainTimeline);
  EXPECT_THAT(
      *catalog_->ReadPath(kMainBranchId, 100),
      ElementsAre(Step(r.branch.timeline, 100), Step(kMainTimeline, 40)));
  EXPECT_TRUE(catalog_->Get(feature.id).ok());
  EXPECT_EQ(catalog_->UnnamedAncestors().size(), 1u);

  // With cascade: what was below the backup goes, never main nor what is
  // below main.
  Catalog::Restored again =
      *catalog_->Restore(kMainBranchId, kMainBranchId, 70, kNow + 1'000'000);
  Branch old_child = Create("old_child", again.backup.id, 65);
  Branch newer = Create("newer", kMainBranchId, 80);
  // later was made from main before this restore: it is the backup's child.
  EXPECT_THAT(*catalog_->Delete(again.backup.id, true),
              UnorderedElementsAre(old_child.id, later.id, again.backup.id));
  EXPECT_TRUE(catalog_->Get(kMainBranchId).ok());
  EXPECT_TRUE(catalog_->Get(newer.id).ok());
  EXPECT_TRUE(catalog_->Get(feature.id).ok());
  EXPECT_THAT(
      *catalog_->ReadPath(kMainBranchId, 100),
      ElementsAre(Step(again.branch.timeline, 100), Step(r.branch.timeline, 70),
                  Step(kMainTimeline, 40)));
  EXPECT_THAT(catalog_->UnusedTimelines(),
              ElementsAre(later.timeline, old_child.timeline));

  // Main restored from an imported branch: once the branches reading its
  // first timeline are gone, that timeline is reclaimed like any other.
  const TimelineId root = *catalog_->CreateHeldTimeline(kNoTimeline, 0, kNow);
  Catalog::Imported imported = *catalog_->CreateImportedBranch(
      "imp", root, 10, "imp", Imported(root), kNow);
  Catalog::Restored third = *catalog_->Restore(
      kMainBranchId, imported.branch.id, 10, kNow + 2'000'000);
  for (BranchId id : {third.backup.id, newer.id, feature.id}) {
    ASSERT_TRUE(catalog_->Delete(id, false).ok());
  }
  EXPECT_TRUE(catalog_->UnnamedAncestors().empty());
  const std::vector<TimelineId> unused = catalog_->UnusedTimelines();
  EXPECT_NE(std::find(unused.begin(), unused.end(), kMainTimeline),
            unused.end());
  EXPECT_TRUE(catalog_->ForgetTimelines(unused).ok());
}

TEST_F(CatalogTest, IdsAreNeverHandedOutTwice) {
  Branch a = Create("a", kMainBranchId, 10);
  Branch b = Create("b", a.id, 20);
  const Snapshot s = *catalog_->CreateSnapshot(
      "s", b.id, 20, Snapshot::Kind::kOnDemand, std::nullopt, kNow);
  // The records with the highest ids go, timelines too.
  ASSERT_TRUE(catalog_->Delete(a.id, true).ok());
  ASSERT_TRUE(catalog_->ForgetTimelines(catalog_->UnusedTimelines()).ok());
  Reopen();
  Branch c = Create("c", kMainBranchId, 30);
  EXPECT_GT(c.id, b.id);
  EXPECT_GT(c.timeline.value(), b.timeline.value());
  const Snapshot t = *catalog_->CreateSnapshot(
      "t", c.id, 30, Snapshot::Kind::kOnDemand, std::nullopt, kNow);
  EXPECT_GT(t.id, s.id);
}

TEST_F(CatalogTest, TimelinesNoBranchReadsAreUnused) {
  Branch a = Create("a", kMainBranchId, 10);
  Branch b = Create("b", a.id, 20);
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());
  ASSERT_TRUE(catalog_->Delete(a.id, true).ok());
  EXPECT_THAT(catalog_->UnusedTimelines(), ElementsAre(a.timeline, b.timeline));
}

TEST_F(CatalogTest, RetentionIsStoredPerBranch) {
  Branch dev = Create("dev", kMainBranchId, 10);
  Retention r{absl::Hours(24 * 7), 1 << 30};
  ASSERT_TRUE(catalog_->SetRetention(dev.id, r).ok());
  Reopen();
  EXPECT_EQ(catalog_->Get(dev.id)->retention, r);
  EXPECT_EQ(catalog_->Get(kMainBranchId)->retention, Retention{});
}

TEST_F(CatalogTest, TheDefaultRetentionIsStoredOnceSet) {
  EXPECT_EQ(catalog_->default_retention(), std::nullopt);
  Reopen();
  EXPECT_EQ(catalog_->default_retention(), std::nullopt);

  const Retention month{absl::Hours(24 * 30), std::nullopt};
  ASSERT_TRUE(catalog_->SetDefaultRetention(month).ok());
  EXPECT_EQ(catalog_->default_retention(), month);
  Reopen();
  EXPECT_EQ(catalog_->default_retention(), month);

  const Retention both{absl::Minutes(30), uint64_t{1} << 30};
  ASSERT_TRUE(catalog_->SetDefaultRetention(both).ok());
  Reopen();
  EXPECT_EQ(catalog_->default_retention(), both);

  // A failed write changes nothing, in memory or stored.
  store_.FailNextCommit(absl::InternalError("disk full"));
  EXPECT_EQ(catalog_->SetDefaultRetention(month).code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(catalog_->default_retention(), both);
  Reopen();
  EXPECT_EQ(catalog_->default_retention(), both);
}

TEST_F(CatalogTest, AMalformedDefaultRetentionRefusesToOpen) {
  ASSERT_TRUE(store_.Commit({{"cd", "\x01short"}}, {}).ok());
  absl::StatusOr<std::unique_ptr<Catalog>> catalog = Catalog::Open(&store_);
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(catalog.status().message(), HasSubstr("default retention"));
}

TEST_F(CatalogTest, AFailedCommitChangesNothing) {
  store_.FailNextCommit(absl::InternalError("disk full"));
  EXPECT_EQ(catalog_->Create("dev", kMainBranchId, 10, kNow).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(catalog_->List().size(), 1u);
  Branch dev = Create("dev", kMainBranchId, 10);
  store_.FailNextCommit(absl::InternalError("disk full"));
  EXPECT_FALSE(catalog_->Restore(dev.id, kMainBranchId, 5, kNow).ok());
  EXPECT_EQ(catalog_->Get(dev.id)->timeline, dev.timeline);
  EXPECT_EQ(catalog_->List().size(), 2u);
}

TEST_F(CatalogTest, CreateAndRestoreWriteTheSameBytesWithManyBranches) {
  auto cost = [&](auto op) {
    size_t before = store_.bytes_written();
    op();
    return store_.bytes_written() - before;
  };
  size_t create_few = cost([&] { Create("probe-a", kMainBranchId, 10); });
  BranchId probe = catalog_->GetByName("probe-a")->id;
  size_t restore_few = cost([&] {
    ASSERT_TRUE(catalog_->Restore(probe, kMainBranchId, 5, kNow).ok());
  });
  for (int i = 0; i < 2000; ++i)
    Create(absl::StrCat("bulk-", i), kMainBranchId, i);
  size_t create_many = cost([&] { Create("probe-b", kMainBranchId, 10); });
  BranchId probe_b = catalog_->GetByName("probe-b")->id;
  size_t restore_many = cost([&] {
    ASSERT_TRUE(catalog_->Restore(probe_b, kMainBranchId, 5, kNow).ok());
  });
  EXPECT_EQ(create_few, create_many);
  EXPECT_EQ(restore_few, restore_many);
  EXPECT_LT(create_many, 200u);
  EXPECT_LT(restore_many, 300u);
}

TEST_F(CatalogTest, SnapshotsNameAPointThatSurvivesRestoreAndReopen) {
  Branch dev = Create("dev", kMainBranchId, 100);
  Snapshot snap =
      *catalog_->CreateSnapshot("before-migration", dev.id, 150,
                                Snapshot::Kind::kOnDemand, kNow + 5, kNow);
  EXPECT_EQ(snap.timeline, dev.timeline);
  EXPECT_EQ(catalog_
                ->CreateSnapshot("before-migration", dev.id, 1,
                                 Snapshot::Kind::kOnDemand, std::nullopt, kNow)
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(catalog_->Restore(dev.id, kMainBranchId, 50, kNow).ok());
  Reopen();
  Snapshot reloaded = *catalog_->GetSnapshot("before-migration");
  EXPECT_EQ(reloaded.timeline, snap.timeline);  // still the old state
  EXPECT_EQ(reloaded.lsn, 150u);
  EXPECT_EQ(reloaded.expires_us, kNow + 5);
  Branch from =
      *catalog_->CreateFromSnapshot("from-snap", "before-migration", kNow);
  EXPECT_EQ(catalog_->ReadPath(from.id, 1000)->at(1).timeline, snap.timeline);
  EXPECT_EQ(catalog_->ReadPath(from.id, 1000)->at(1).up_to, 150u);
  Catalog::Restored r =
      *catalog_->RestoreFromSnapshot(dev.id, "before-migration", kNow);
  EXPECT_EQ(catalog_->ReadPath(dev.id, 1000)->at(1).timeline, snap.timeline);
  EXPECT_EQ(r.branch.branch_point, 150u);
  EXPECT_EQ(catalog_->ListSnapshots().size(), 1u);
}

TEST_F(CatalogTest, SnapshotsKeepTheirTimelineAndBlockDeletesWithoutCascade) {
  Branch dev = Create("dev", kMainBranchId, 100);
  ASSERT_TRUE(catalog_
                  ->CreateSnapshot("s1", dev.id, 120,
                                   Snapshot::Kind::kScheduled, std::nullopt,
                                   kNow)
                  .ok());
  absl::StatusOr<std::vector<BranchId>> refused =
      catalog_->Delete(dev.id, false);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("1 snapshots"));
  ASSERT_TRUE(catalog_->Delete(dev.id, true).ok());
  EXPECT_TRUE(catalog_->ListSnapshots().empty());
  EXPECT_EQ(catalog_->UnusedTimelines().size(), 1u);

  Branch other = Create("other", kMainBranchId, 100);
  ASSERT_TRUE(catalog_
                  ->CreateSnapshot("s2", other.id, 130,
                                   Snapshot::Kind::kOnDemand, std::nullopt,
                                   kNow)
                  .ok());
  ASSERT_TRUE(catalog_->Restore(other.id, kMainBranchId, 90, kNow).ok());
  // The backup owns the snapshot's timeline now; deleting it needs cascade
  // too, and until the snapshot goes its timeline stays in use.
  EXPECT_EQ(catalog_->UnusedTimelines().size(), 1u);
  ASSERT_TRUE(catalog_->DeleteSnapshot("s2").ok());
  EXPECT_EQ(catalog_->DeleteSnapshot("s2").code(), absl::StatusCode::kNotFound);
}

TEST_F(CatalogTest, AHoldKeepsATimelineInUse) {
  Branch a = Create("a", kMainBranchId, 10);
  catalog_->Hold(a.timeline);
  catalog_->Hold(a.timeline);
  ASSERT_TRUE(catalog_->Delete(a.id, false).ok());
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());
  EXPECT_EQ(catalog_->ForgetTimelines({a.timeline}).code(),
            absl::StatusCode::kFailedPrecondition);
  catalog_->Release(a.timeline);
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());  // counted
  catalog_->Release(a.timeline);
  EXPECT_THAT(catalog_->UnusedTimelines(), ElementsAre(a.timeline));
}

TEST_F(CatalogTest, AnImportMakesARootBranchAndItsSnapshotInOneCommit) {
  const TimelineId root = *catalog_->CreateHeldTimeline(kNoTimeline, 0, kNow);
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());  // held
  const int commits = store_.commits();
  absl::StatusOr<Catalog::Imported> imported = catalog_->CreateImportedBranch(
      "restored", root, 500, "restored", Imported(root), kNow);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(store_.commits(), commits + 1);
  EXPECT_EQ(imported->branch.timeline, root);
  EXPECT_EQ(imported->branch.parent, 0u);
  EXPECT_EQ(imported->snapshot.kind, Snapshot::Kind::kImport);
  EXPECT_EQ(imported->snapshot.branch, imported->branch.id);
  EXPECT_EQ(imported->snapshot.lsn, 500u);
  EXPECT_EQ(catalog_->GetTimeline(root)->gc_horizon, 500u);
  Reopen();
  Branch reloaded = *catalog_->GetByName("restored");
  EXPECT_EQ(reloaded.timeline, root);
  EXPECT_EQ(reloaded.parent, 0u);
  EXPECT_EQ(catalog_->GetSnapshot("restored")->kind, Snapshot::Kind::kImport);
  EXPECT_THAT(*catalog_->ReadPath(reloaded.id, 600),
              ElementsAre(::testing::Field(&ReadStep::timeline, root)));
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());
}

TEST_F(CatalogTest, AnUnfinishedImportLeavesAnUnusedTimeline) {
  const TimelineId released =
      *catalog_->CreateHeldTimeline(kNoTimeline, 0, kNow);
  catalog_->Release(released);  // the import failed
  const TimelineId crashed =
      *catalog_->CreateHeldTimeline(kNoTimeline, 0, kNow);
  Reopen();  // the process died: holds are gone
  EXPECT_THAT(catalog_->UnusedTimelines(), ElementsAre(released, crashed));
  EXPECT_EQ(catalog_->List().size(), 1u);
  EXPECT_TRUE(catalog_->ListSnapshots().empty());
  EXPECT_EQ(catalog_
                ->CreateImportedBranch("late", crashed, 5, "late",
                                       Imported(crashed), kNow)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CatalogTest, AnImportUnderATakenNameChangesNothing) {
  Create("dev", kMainBranchId, 10);
  ASSERT_TRUE(catalog_
                  ->CreateSnapshot("snap", kMainBranchId, 5,
                                   Snapshot::Kind::kOnDemand, std::nullopt,
                                   kNow)
                  .ok());
  const TimelineId root = *catalog_->CreateHeldTimeline(kNoTimeline, 0, kNow);
  EXPECT_EQ(
      catalog_
          ->CreateImportedBranch("dev", root, 5, "new", Imported(root), kNow)
          .status()
          .code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      catalog_
          ->CreateImportedBranch("new", root, 5, "snap", Imported(root), kNow)
          .status()
          .code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(catalog_
                ->CreateImportedBranch("main", kMainTimeline, 5, "x",
                                       Imported(kMainTimeline), kNow)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->List().size(), 2u);
  EXPECT_EQ(catalog_->ListSnapshots().size(), 1u);
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());  // still held
  EXPECT_TRUE(
      catalog_
          ->CreateImportedBranch("new", root, 5, "new", Imported(root), kNow)
          .ok());
}

TEST_F(CatalogTest, TheStoreIdIsDrawnOnceAndKept) {
  const StoreId id = catalog_->store_id();
  EXPECT_FALSE(id.IsZero());
  EXPECT_EQ(id.ToHex().size(), 32u);
  Reopen();
  EXPECT_EQ(catalog_->store_id(), id);
  MemoryCatalogStore other_store;
  EXPECT_NE((*Catalog::Open(&other_store))->store_id(), id);
}

TEST_F(CatalogTest, AStoreOlderThanIdsIsNamedByMainsCreationTime) {
  const int64_t created = catalog_->Get(kMainBranchId)->created_us;
  ASSERT_TRUE(store_.Commit({}, {"ci"}).ok());
  Reopen();
  StoreId expected;
  for (int i = 0; i < 8; ++i) expected.bytes[i] = uint64_t(created) >> (8 * i);
  EXPECT_EQ(catalog_->store_id(), expected);
  Reopen();
  EXPECT_EQ(catalog_->store_id(), expected);
}

TEST_F(CatalogTest, StateTimelineNamesTheTimelineThatOwnsAState) {
  Branch dev = Create("dev", kMainBranchId, 100);
  Branch feature = Create("feature", dev.id, 150);
  EXPECT_EQ(*catalog_->StateTimeline(feature.timeline, 151), feature.timeline);
  EXPECT_EQ(*catalog_->StateTimeline(feature.timeline, 150), dev.timeline);
  EXPECT_EQ(*catalog_->StateTimeline(feature.timeline, 100), kMainTimeline);
  EXPECT_EQ(*catalog_->StateTimeline(kMainTimeline, 0), kMainTimeline);
  EXPECT_EQ(catalog_->StateTimeline(TimelineId(99), 5).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(CatalogTest, AnImportRecordsItsProvenanceAndAnAdvanceMovesIt) {
  const TimelineId root = *catalog_->CreateHeldTimeline(kNoTimeline, 0, kNow);
  Catalog::Imported imported = *catalog_->CreateImportedBranch(
      "copy", root, 40, "copy", Imported(root), kNow);
  EXPECT_EQ(catalog_->Provenance(imported.branch.id), Imported(root));
  EXPECT_EQ(catalog_->Provenance(kMainBranchId), std::nullopt);

  const TimelineId next = *catalog_->CreateHeldTimeline(root, 40, kNow);
  ImportProvenance later = Imported(next, 70);
  later.source_lsn = 1200;
  const int commits = store_.commits();
  absl::StatusOr<Branch> advanced =
      catalog_->AdvanceImportedBranch(imported.branch.id, 70, later);
  ASSERT_TRUE(advanced.ok()) << advanced.status();
  EXPECT_EQ(store_.commits(), commits + 1);
  EXPECT_EQ(advanced->timeline, next);
  EXPECT_EQ(advanced->parent_timeline, root);
  EXPECT_EQ(catalog_->GetTimeline(next)->gc_horizon, 70u);
  // The import's snapshot keeps the old timeline; nothing else is unused.
  EXPECT_TRUE(catalog_->UnusedTimelines().empty());
  Reopen();
  EXPECT_EQ(catalog_->Provenance(imported.branch.id), later);
  EXPECT_EQ(catalog_->GetByName("copy")->timeline, next);

  // An advance from a timeline the branch no longer reads changes nothing.
  const TimelineId stale = *catalog_->CreateHeldTimeline(root, 40, kNow);
  EXPECT_EQ(
      catalog_
          ->AdvanceImportedBranch(imported.branch.id, 80, Imported(stale, 80))
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->Provenance(imported.branch.id), later);

  ASSERT_TRUE(catalog_->Delete(imported.branch.id, /*cascade=*/true).ok());
  EXPECT_EQ(catalog_->Provenance(imported.branch.id), std::nullopt);
  Reopen();
  EXPECT_EQ(catalog_->Provenance(imported.branch.id), std::nullopt);
}

}  // namespace
}  // namespace pitr
