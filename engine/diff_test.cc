// Engine::DiffPages against brute force: for pairs of points on random
// histories (writes, deltas, truncations, branches, a restore and its
// backup's deletion, GC, a restart), the diff equals what reading every
// page at both points finds; and a diff looks only at the pages changed
// between the points.
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

constexpr uint32_t kPage = 512;
constexpr uint32_t kPages = 24;  // per space; spaces 1 and 2

using Diffs = std::map<PageKey, std::tuple<PageDiff::Kind, std::optional<std::string>,
                                           std::optional<std::string>>>;

struct Point {
  BranchId branch;
  Lsn lsn;
};

class DiffTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("diff", kPage);
    options_.gc_period = absl::InfiniteDuration();
    options_.default_retention = Retention{};
    options_.image_after_deltas = 4;
    Reopen();
  }

  // A random batch on `branch`: images, deltas and now and then a
  // truncation. Its commit LSN.
  Lsn RandomBatch(BranchId branch) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
    EXPECT_TRUE(batch.ok()) << batch.status();
    const int records = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < records; ++i) {
      const PageKey key{1 + static_cast<uint32_t>(rng_() % 2),
                        static_cast<uint32_t>(rng_() % kPages)};
      const int what = static_cast<int>(rng_() % 10);
      if (what < 5) {
        EXPECT_TRUE(batch->PutPageImage(key, Bytes(kPage)).ok());
      } else if (what < 9) {
        EXPECT_TRUE(
            batch->PutPageDelta(key, static_cast<uint32_t>(rng_() % 400),
                                Bytes(1 + rng_() % 64))
                .ok());
      } else {
        batch->PutSpaceTruncate(key.space,
                                static_cast<uint32_t>(rng_() % kPages));
      }
    }
    const Lsn lsn = AppendBatch(branch, *batch);
    points_.push_back({branch, lsn});
    return lsn;
  }

  std::string Bytes(size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>('a' + rng_() % 26);
    return out;
  }

  // Every page of both spaces read at both points.
  Diffs BruteForce(Point a, Point b) {
    Diffs diffs;
    for (uint32_t space : {1u, 2u}) {
      for (uint32_t page = 0; page < kPages; ++page) {
        const PageKey key{space, page};
        std::optional<std::string> before = Read(a, key), after = Read(b, key);
        if (before == after) continue;
        const PageDiff::Kind kind = !before  ? PageDiff::Kind::kAdded
                                    : !after ? PageDiff::Kind::kRemoved
                                             : PageDiff::Kind::kChanged;
        diffs[key] = {kind, before, after};
      }
    }
    return diffs;
  }

  std::optional<std::string> Read(Point p, PageKey key) {
    absl::StatusOr<std::string> page = engine_->GetPage(p.branch, key, p.lsn);
    if (absl::IsNotFound(page.status())) return std::nullopt;
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? std::optional<std::string>(*page) : std::nullopt;
  }

  absl::StatusOr<Diffs> Diff(Point a, Point b, DiffSummary* summary = nullptr) {
    Diffs diffs;
    PITR_ASSIGN_OR_RETURN(
        DiffSummary s,
        engine_->DiffPages(a.branch, {a.lsn, std::nullopt}, b.branch,
                           {b.lsn, std::nullopt}, true,
                           [&diffs](const PageDiff& d) {
                             diffs[d.key] = {d.kind, d.before, d.after};
                             return absl::OkStatus();
                           }));
    if (summary != nullptr) *summary = s;
    return diffs;
  }

  // Diffs between `n` random pairs of recorded points (on branches that
  // still exist) equal the brute force.
  void ExpectRandomDiffsExact(int n) {
    std::vector<Point> live;
    for (const Point& p : points_) {
      if (engine_->GetBranch(p.branch).ok() &&
          p.lsn >= engine_->GetHistoryBounds(p.branch)->oldest_lsn) {
        live.push_back(p);
      }
    }
    ASSERT_GE(live.size(), 2u);
    for (int i = 0; i < n; ++i) {
      const Point a = live[rng_() % live.size()], b = live[rng_() % live.size()];
      absl::StatusOr<Diffs> got = Diff(a, b);
      ASSERT_TRUE(got.ok()) << got.status();
      const Diffs want = BruteForce(a, b);
      ASSERT_EQ(got->size(), want.size())
          << "branch " << a.branch << "@" << FormatLsn(a.lsn) << " vs branch "
          << b.branch << "@" << FormatLsn(b.lsn);
      EXPECT_TRUE(*got == want);
      ++checked_;
    }
  }

  std::mt19937_64 rng_{20261204};
  std::vector<Point> points_;
  int checked_ = 0;
};

TEST_F(DiffTest, EqualsReadingEveryPageAtBothPoints) {
  for (int i = 0; i < 40; ++i) RandomBatch(kMainBranch);
  Branch dev = *engine_->CreateBranch("dev", kMainBranch,
                                      {points_[20].lsn, std::nullopt});
  for (int i = 0; i < 30; ++i) RandomBatch(i % 2 ? kMainBranch : dev.id);
  Branch child = *engine_->CreateBranch("child", dev.id, {});
  for (int i = 0; i < 20; ++i) RandomBatch(i % 3 ? child.id : dev.id);
  ExpectRandomDiffsExact(150);

  // A restore, the backup's deletion, images, GC and a restart change no
  // answer.
  absl::StatusOr<Catalog::Restored> restored =
      engine_->RestoreBranch(kMainBranch, kMainBranch, {points_[30].lsn, {}});
  ASSERT_TRUE(restored.ok()) << restored.status();
  for (int i = 0; i < 15; ++i) RandomBatch(kMainBranch);
  ExpectRandomDiffsExact(60);
  ASSERT_TRUE(engine_->DeleteBranch(restored->backup.id, false).ok());
  ASSERT_TRUE(engine_->MaterializePendingImages().ok());
  ASSERT_TRUE(engine_->SetRetention(dev.id, Retention{std::nullopt, 3000}).ok());
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  Reopen();
  ExpectRandomDiffsExact(150);
  EXPECT_EQ(checked_, 360);
}

TEST_F(DiffTest, LooksOnlyAtThePagesChangedBetweenThePoints) {
  // 400 pages, then 3 of them changed.
  for (uint32_t first = 0; first < 400; first += 100) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(kMainBranch);
    for (uint32_t p = first; p < first + 100; ++p) {
      ASSERT_TRUE(batch->PutPageImage({7, p}, std::string(kPage, 'x')).ok());
    }
    AppendBatch(kMainBranch, *batch);
  }
  const Lsn before = engine_->latest_lsn();
  Branch copy = *engine_->CreateBranch("copy", kMainBranch, {});
  absl::StatusOr<WalBatch> batch = engine_->NewBatch(kMainBranch);
  ASSERT_TRUE(batch->PutPageImage({7, 5}, std::string(kPage, 'y')).ok());
  ASSERT_TRUE(batch->PutPageDelta({7, 6}, 0, "z").ok());
  ASSERT_TRUE(batch->PutPageImage({7, 400}, std::string(kPage, 'n')).ok());
  const Lsn after = AppendBatch(kMainBranch, *batch);
  ASSERT_TRUE(engine_->Flush().ok());

  DiffSummary summary;
  absl::StatusOr<Diffs> diffs = Diff({kMainBranch, before}, {kMainBranch, after},
                                     &summary);
  ASSERT_TRUE(diffs.ok()) << diffs.status();
  EXPECT_EQ(summary.pages_compared, 3u);
  EXPECT_EQ(summary.changed, 2u);
  EXPECT_EQ(summary.added, 1u);
  EXPECT_EQ(std::get<0>(diffs->at({7, 400})), PageDiff::Kind::kAdded);
  EXPECT_EQ(std::get<1>(diffs->at({7, 400})), std::nullopt);
  // Across branches: the same three, the other way round.
  ASSERT_TRUE(Diff({kMainBranch, after}, {copy.id, after}, &summary).ok());
  EXPECT_EQ(summary.pages_compared, 3u);
  EXPECT_EQ(summary.removed, 1u);
  // A point with itself, or a branch with its parent at the branch point.
  ASSERT_TRUE(Diff({kMainBranch, after}, {kMainBranch, after}, &summary).ok());
  EXPECT_EQ(summary.pages_compared, 0u);
  ASSERT_TRUE(Diff({kMainBranch, before}, {copy.id, after}, &summary).ok());
  EXPECT_EQ(summary.pages_compared, 0u);
}

TEST_F(DiffTest, BadPointsAreRefusedNamingThem) {
  const Lsn lsn = RandomBatch(kMainBranch);
  absl::StatusOr<DiffSummary> past = engine_->DiffPages(
      kMainBranch, {lsn + 1000, std::nullopt}, kMainBranch, {}, false,
      [](const PageDiff&) { return absl::OkStatus(); });
  EXPECT_EQ(past.status().code(), absl::StatusCode::kOutOfRange);
  absl::StatusOr<DiffSummary> unknown = engine_->DiffPages(
      kMainBranch, {}, 77, {}, false,
      [](const PageDiff&) { return absl::OkStatus(); });
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  // The sink's error stops it.
  absl::StatusOr<WalBatch> batch = engine_->NewBatch(kMainBranch);
  ASSERT_TRUE(batch->PutPageImage({9, 0}, std::string(kPage, 'q')).ok());
  AppendBatch(kMainBranch, *batch);
  absl::StatusOr<DiffSummary> stopped = engine_->DiffPages(
      kMainBranch, {lsn, std::nullopt}, kMainBranch, {}, false,
      [](const PageDiff&) { return absl::CancelledError("enough"); });
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace pitr
