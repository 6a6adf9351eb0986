// Branches through the engine: reads falling through to ancestors, writes
// staying on their branch, restore and its undo, deletion, and the errors.
#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPage = 512;
std::string Filled(char c) { return std::string(kPage, c); }

class BranchesTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("branches", kPage);
    Reopen();
  }
  Lsn Write(BranchId branch, PageKey key, char c) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
    EXPECT_TRUE(batch.ok()) << batch.status();
    EXPECT_TRUE(batch->PutPageImage(key, Filled(c)).ok());
    return AppendBatch(branch, *batch);
  }
  Lsn Poke(BranchId branch, PageKey key, uint32_t offset,
           absl::string_view bytes) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
    EXPECT_TRUE(batch->PutPageDelta(key, offset, bytes).ok());
    return AppendBatch(branch, *batch);
  }
  // The page's first byte, or '-' if it does not exist.
  char Read(BranchId branch, PageKey key,
            std::optional<Lsn> lsn = std::nullopt) {
    absl::StatusOr<std::string> page = engine_->GetPage(branch, key, lsn);
    if (absl::IsNotFound(page.status())) return '-';
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? (*page)[0] : '?';
  }
  Branch Create(absl::string_view name, BranchId parent, PointInTime at) {
    absl::StatusOr<Branch> b = engine_->CreateBranch(name, parent, at);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : Branch{};
  }
};

TEST_F(BranchesTest, AChildReadsItsParentAtTheBranchPoint) {
  const Lsn a1 = Write(kMainBranch, {1, 1}, 'a');
  Write(kMainBranch, {1, 2}, 'b');
  const Lsn point = Write(kMainBranch, {1, 1}, 'A');
  Write(kMainBranch, {1, 1}, 'Z');  // after the branch point: not in the child
  Write(kMainBranch, {1, 3}, 'c');

  Branch dev = Create("dev", kMainBranch, {point, std::nullopt});
  EXPECT_EQ(dev.parent, kMainBranch);
  EXPECT_EQ(dev.branch_point, point);
  EXPECT_EQ(Read(dev.id, {1, 1}), 'A');
  EXPECT_EQ(Read(dev.id, {1, 2}), 'b');
  EXPECT_EQ(Read(dev.id, {1, 3}), '-');
  EXPECT_EQ(Read(dev.id, {1, 1}, a1), 'a');  // the parent's history, too
  EXPECT_EQ(*engine_->GetSpaceSize(dev.id, 1), 3u);

  // Writes stay on their branch.
  Write(dev.id, {1, 2}, 'd');
  EXPECT_EQ(Read(dev.id, {1, 2}), 'd');
  EXPECT_EQ(Read(kMainBranch, {1, 2}), 'b');
  Write(kMainBranch, {1, 2}, 'm');
  EXPECT_EQ(Read(dev.id, {1, 2}), 'd');
  EXPECT_EQ(Read(kMainBranch, {1, 1}), 'Z');
}

TEST_F(BranchesTest, DeltasOnAChildApplyOnTopOfTheParentsImage) {
  const Lsn point = Write(kMainBranch, {2, 0}, 'x');
  Branch dev = Create("dev", kMainBranch, {point, std::nullopt});
  Poke(dev.id, {2, 0}, 1, "yz");
  absl::StatusOr<std::string> page = engine_->GetPage(dev.id, {2, 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->substr(0, 4), "xyzx");
  EXPECT_EQ(engine_->GetPage(kMainBranch, {2, 0})->substr(0, 4), "xxxx");
}

TEST_F(BranchesTest, ATruncationOnAChildHidesTheParentsPages) {
  Write(kMainBranch, {3, 0}, 'a');
  const Lsn point = Write(kMainBranch, {3, 1}, 'b');
  Branch dev = Create("dev", kMainBranch, {point, std::nullopt});
  absl::StatusOr<WalBatch> truncate = engine_->NewBatch(dev.id);
  truncate->PutSpaceTruncate(3, 1);
  ASSERT_TRUE(engine_->Append(dev.id, *truncate).ok());
  EXPECT_EQ(Read(dev.id, {3, 1}), '-');
  EXPECT_EQ(Read(dev.id, {3, 0}), 'a');
  EXPECT_EQ(*engine_->GetSpaceSize(dev.id, 3), 1u);
  EXPECT_EQ(Read(kMainBranch, {3, 1}), 'b');
  EXPECT_EQ(*engine_->GetSpaceSize(kMainBranch, 3), 2u);
}

TEST_F(BranchesTest, BranchesAtATimestampAndAtTheLatest) {
  WalBatch early(kMainTimeline);
  ASSERT_TRUE(early.PutPageImage({1, 1}, Filled('e')).ok());
  early.SetTimestamp(1'000'000);
  ASSERT_TRUE(engine_->Append(early).ok());
  WalBatch late(kMainTimeline);
  ASSERT_TRUE(late.PutPageImage({1, 1}, Filled('l')).ok());
  late.SetTimestamp(2'000'000);
  ASSERT_TRUE(engine_->Append(late).ok());

  Branch then = Create("then", kMainBranch, {std::nullopt, 1'500'000});
  EXPECT_EQ(Read(then.id, {1, 1}), 'e');
  Branch now = Create("now", kMainBranch, {});
  EXPECT_EQ(now.branch_point, engine_->latest_lsn());
  EXPECT_EQ(Read(now.id, {1, 1}), 'l');

  absl::StatusOr<Branch> too_early =
      engine_->CreateBranch("x", kMainBranch, {std::nullopt, 999'999});
  EXPECT_EQ(too_early.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(too_early.status().message(),
              HasSubstr("the first commit is at"));
}

TEST_F(BranchesTest, BranchesOfBranchesFallThroughEveryLevel) {
  Write(kMainBranch, {1, 0}, '0');
  BranchId parent = kMainBranch;
  std::vector<BranchId> chain;
  for (int depth = 1; depth <= 20; ++depth) {
    Write(parent, {1, static_cast<uint32_t>(depth)},
          static_cast<char>('a' + depth));
    Branch child = Create(absl::StrCat("level-", depth), parent, {});
    chain.push_back(child.id);
    parent = child.id;
  }
  for (int depth = 0; depth <= 20; ++depth) {
    EXPECT_EQ(Read(parent, {1, static_cast<uint32_t>(depth)}),
              depth == 0 ? '0' : static_cast<char>('a' + depth));
  }
  EXPECT_EQ(*engine_->GetSpaceSize(parent, 1), 21u);
  Reopen();
  EXPECT_EQ(Read(parent, {1, 0}), '0');
  EXPECT_EQ(engine_->ListBranches().size(), 21u);
}

TEST_F(BranchesTest, RestorePutsThePastInPlaceAndKeepsTheOldState) {
  Write(kMainBranch, {1, 1}, 'a');
  const Lsn good = Write(kMainBranch, {1, 2}, 'b');
  Write(kMainBranch, {1, 1}, 'X');  // the mistake
  Branch child = Create("child", kMainBranch, {});

  absl::StatusOr<Catalog::Restored> r =
      engine_->RestoreBranch(kMainBranch, kMainBranch, {good, std::nullopt});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->branch.id, kMainBranch);
  EXPECT_EQ(r->branch.name, "main");
  EXPECT_EQ(Read(kMainBranch, {1, 1}), 'a');
  EXPECT_EQ(Read(r->backup.id, {1, 1}), 'X');
  EXPECT_THAT(r->backup.name, HasSubstr("main_old_"));
  EXPECT_EQ(engine_->GetBranch(child.id)->parent, r->backup.id);
  EXPECT_EQ(Read(child.id, {1, 1}), 'X');

  // main writes on; a batch made before the restore is refused.
  WalBatch stale(kMainTimeline);
  ASSERT_TRUE(stale.PutPageImage({1, 1}, Filled('s')).ok());
  absl::StatusOr<AppendResult> refused = engine_->Append(kMainBranch, stale);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("was it restored?"));
  Write(kMainBranch, {1, 3}, 'n');
  EXPECT_EQ(Read(kMainBranch, {1, 3}), 'n');
  EXPECT_EQ(Read(r->backup.id, {1, 3}), '-');

  // Undo: restore main from its backup's latest state.
  ASSERT_TRUE(engine_->RestoreBranch(kMainBranch, r->backup.id, {}).ok());
  EXPECT_EQ(Read(kMainBranch, {1, 1}), 'X');
  EXPECT_EQ(Read(kMainBranch, {1, 3}), '-');
  Reopen();
  EXPECT_EQ(Read(kMainBranch, {1, 1}), 'X');
  EXPECT_EQ(engine_->ListBranches().size(), 4u);
}

TEST_F(BranchesTest, DeletingABranchKeepsItsChildrenUnlessCascading) {
  Write(kMainBranch, {1, 1}, 'a');
  Branch a = Create("a", kMainBranch, {});
  Write(a.id, {1, 2}, 'b');
  Branch b = Create("b", a.id, {});
  Branch c = Create("c", b.id, {});
  Write(a.id, {1, 2}, 'x');  // after b's branch point
  ASSERT_TRUE(engine_->DeleteBranch(a.id, false).ok());
  EXPECT_EQ(engine_->NewBatch(a.id).status().code(),
            absl::StatusCode::kNotFound);
  // b reads a's history up to its branch point, as before.
  EXPECT_EQ(Read(b.id, {1, 1}), 'a');
  EXPECT_EQ(Read(b.id, {1, 2}), 'b');
  EXPECT_EQ(engine_->GetBranch(b.id)->parent, 0u);
  EXPECT_EQ(engine_->GetBranch(b.id)->parent_timeline, a.timeline);
  ASSERT_TRUE(engine_->DeleteBranch(b.id, true).ok());
  EXPECT_EQ(engine_->GetPage(c.id, {1, 1}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Read(kMainBranch, {1, 1}), 'a');
  EXPECT_EQ(engine_->ListBranches().size(), 1u);
}

TEST_F(BranchesTest, BoundsSayWhereEachBranchStandsAndWhen) {
  absl::StatusOr<WalBatch> first = engine_->NewBatch(kMainBranch);
  ASSERT_TRUE(first->PutPageImage({1, 1}, Filled('a')).ok());
  const int64_t a_us = absl::ToUnixMicros(absl::Now() - absl::Seconds(1));
  first->SetTimestamp(a_us);
  const Lsn a = AppendBatch(kMainBranch, *first);
  Write(kMainBranch, {1, 1}, 'b');
  Branch dev = Create("dev", kMainBranch, {a, std::nullopt});
  const Lsn main_last = Write(kMainBranch, {1, 1}, 'c');
  auto bounds = [&](BranchId b) { return *engine_->GetHistoryBounds(b); };
  // dev has no commit of its own: it stands at its branch point, with the
  // time of that state; its history starts at 0, the empty store, whose
  // time is the store's creation.
  EXPECT_EQ(bounds(dev.id).latest_lsn, a);
  EXPECT_EQ(bounds(dev.id).latest_timestamp_us, a_us);
  EXPECT_EQ(bounds(dev.id).oldest_lsn, 0u);
  EXPECT_EQ(bounds(dev.id).oldest_timestamp_us,
            engine_->GetBranch(kMainBranch)->created_us);
  EXPECT_EQ(bounds(kMainBranch).latest_lsn, main_last);

  const Lsn dev_last = Write(dev.id, {1, 2}, 'd');
  EXPECT_EQ(bounds(dev.id).latest_lsn, dev_last);
  EXPECT_EQ(bounds(kMainBranch).latest_lsn, main_last);
  Reopen();  // heads are stored with the batches
  EXPECT_EQ(bounds(dev.id).latest_lsn, dev_last);
  EXPECT_EQ(bounds(kMainBranch).latest_lsn, main_last);

  // Restored, it stands at the restore point until it writes.
  absl::StatusOr<Catalog::Restored> r =
      engine_->RestoreBranch(dev.id, dev.id, {a, std::nullopt});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(bounds(dev.id).latest_lsn, a);
  EXPECT_EQ(bounds(r->backup.id).latest_lsn, dev_last);

  // However old its state, an idle branch keeps it readable: the floor GC
  // gives it stops where it stands.
  ASSERT_TRUE(engine_->SetRetention(dev.id, Retention{std::nullopt, 1}).ok());
  for (int i = 0; i < 5; ++i) Write(kMainBranch, {1, 3}, 'e');
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(bounds(dev.id).oldest_lsn, a);
  EXPECT_EQ(bounds(dev.id).latest_lsn, a);
  EXPECT_EQ(Read(dev.id, {1, 1}, a), 'a');
  EXPECT_EQ(Read(dev.id, {1, 1}), 'a');
}

TEST_F(BranchesTest, BadRequestsChangeNothing) {
  const Lsn latest = Write(kMainBranch, {1, 1}, 'a');
  auto refused = [&](absl::StatusOr<Branch> r, absl::StatusCode code,
                     absl::string_view text) {
    EXPECT_EQ(r.status().code(), code) << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr(std::string(text)));
    EXPECT_EQ(engine_->ListBranches().size(), 1u);
  };
  refused(engine_->CreateBranch("x", kMainBranch, {latest + 1, std::nullopt}),
          absl::StatusCode::kOutOfRange, "past the latest lsn");
  refused(engine_->CreateBranch("bad name", kMainBranch, {}),
          absl::StatusCode::kInvalidArgument, "invalid branch name");
  refused(engine_->CreateBranch("x", 77, {}), absl::StatusCode::kNotFound,
          "branch #77 does not exist");
  refused(engine_->CreateBranch("x", kMainBranch, {latest, 5}),
          absl::StatusCode::kInvalidArgument, "not both");
  EXPECT_EQ(
      engine_
          ->RestoreBranch(kMainBranch, kMainBranch, {latest + 9, std::nullopt})
          .status()
          .code(),
      absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Read(kMainBranch, {1, 1}), 'a');
}

TEST_F(BranchesTest, CreatingTheSameBranchAgainIsIdempotent) {
  const Lsn point = Write(kMainBranch, {1, 1}, 'a');
  Branch first = Create("dev", kMainBranch, {point, std::nullopt});
  Branch again = Create("dev", kMainBranch, {point, std::nullopt});
  EXPECT_EQ(again.id, first.id);
  Write(kMainBranch, {1, 1}, 'b');
  EXPECT_EQ(engine_->CreateBranch("dev", kMainBranch, {}).status().code(),
            absl::StatusCode::kAlreadyExists);
}

// Creation and restore write only metadata: the same bytes whatever the
// amount of data (here a few pages against 64 MiB).
TEST_F(BranchesTest, CreateAndRestoreWriteTheSameBytesWhateverTheData) {
  auto metadata_bytes = [&](BranchId source, const std::string& name) {
    const uint64_t before = engine_->stats().catalog_bytes_written;
    Branch b = Create(name, source, {});
    const uint64_t created = engine_->stats().catalog_bytes_written - before;
    EXPECT_TRUE(engine_->RestoreBranch(b.id, source, {}).ok());
    const uint64_t restored =
        engine_->stats().catalog_bytes_written - before - created;
    return std::make_pair(created, restored);
  };
  Write(kMainBranch, {1, 1}, 'a');
  const auto small = metadata_bytes(kMainBranch, "small-a");
  options_.page_size = 0;  // the store's
  options_.sync = SyncPolicy::kNone;
  Reopen();
  for (uint32_t p = 0; p < 64 * 1024 * 1024 / kPage; p += 64) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(kMainBranch);
    for (uint32_t i = 0; i < 64; ++i) {
      ASSERT_TRUE(batch->PutPageImage({2, p + i}, Filled('b')).ok());
    }
    ASSERT_TRUE(engine_->Append(kMainBranch, *batch).ok());
  }
  ASSERT_TRUE(engine_->Flush().ok());
  const auto large = metadata_bytes(kMainBranch, "large-a");  // same length
  EXPECT_EQ(small, large);
  EXPECT_LT(small.first, 200u);
  EXPECT_LT(small.second, 300u);
}

TEST_F(BranchesTest, ImagesAreMaterialisedOnChildBranchesToo) {
  options_.image_after_deltas = 4;
  Reopen();
  const Lsn point = Write(kMainBranch, {5, 5}, '.');
  Branch dev = Create("dev", kMainBranch, {point, std::nullopt});
  std::string expected = Filled('.');
  for (int i = 0; i < 20; ++i) {
    std::string bytes = absl::StrCat(i % 10);
    Poke(dev.id, {5, 5}, static_cast<uint32_t>(i), bytes);
    expected.replace(i, 1, bytes);
  }
  ASSERT_TRUE(engine_->MaterializePendingImages().ok());
  EXPECT_GE(engine_->stats().images_materialized, 4u);
  EXPECT_EQ(*engine_->GetPage(dev.id, {5, 5}), expected);
  EXPECT_EQ(*engine_->GetPage(kMainBranch, {5, 5}), Filled('.'));
}

}  // namespace
}  // namespace pitr
