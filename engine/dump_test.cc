// Export and import through the engine: round trips compared page by page
// and space by space with the source, export at a timestamp and a
// snapshot, exports racing GC, and imports refused (cut short, damaged,
// wrong page size, name taken, cancelled, crashed) leaving nothing visible.
#include <unistd.h>

#include <map>
#include <string>

#include "absl/time/clock.h"
#include "base/testing/test_files.h"
#include "base/timestamp.h"
#include "engine/engine.h"
#include "engine/testing/branch_state.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::pitr::testing::NewTestDir;
using ::pitr::testing::ReadFileBytes;
using ::pitr::testing::WriteFileBytes;

constexpr uint32_t kPage = 512;
constexpr uint32_t kSpaces = 6;
constexpr uint32_t kPages = 14;

// Options of an engine over `dir` that keeps ~no history and collects it
// only when asked.
EngineOptions DumpTestOptions(const std::string& dir,
                              uint32_t page_size = kPage) {
  EngineOptions options;
  options.dir = dir;
  options.page_size = page_size;
  options.gc_period = absl::InfiniteDuration();
  options.default_retention = Retention{std::nullopt, 1};  // keep ~nothing
  return options;
}

std::unique_ptr<Engine> OpenEngine(const std::string& dir,
                                   uint32_t page_size = kPage) {
  return testing::OpenTestEngine(DumpTestOptions(dir, page_size));
}

using State = testing::BranchState;

State StateOf(Engine* engine, BranchId branch, std::optional<Lsn> lsn) {
  return testing::ReadBranchState(engine, branch, lsn, kSpaces, kPages);
}

class DumpTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    dir_ = NewTestDir("dump");
    options_ = DumpTestOptions(dir_);
    Reopen();
    dump_ = NewTestDir("dump_files") + "/a.dump";
  }

  Lsn Append(BranchId branch, const std::function<void(WalBatch*)>& fill) {
    WalBatch batch = *engine_->NewBatch(branch);
    fill(&batch);
    return AppendBatch(branch, batch);
  }
  Lsn Image(BranchId branch, PageKey key, char c) {
    return Append(branch, [&](WalBatch* b) {
      ASSERT_TRUE(b->PutPageImage(key, std::string(kPage, c)).ok());
    });
  }

  // Writes a dump of the branch at `at` to dump_.
  absl::StatusOr<ExportSummary> Export(BranchId branch, const PointInTime& at,
                                       const DumpProgress& progress = nullptr) {
    std::string bytes;
    absl::StatusOr<ExportSummary> summary = engine_->ExportBranch(
        branch, at,
        [&](absl::string_view b) {
          bytes.append(b.data(), b.size());
          return absl::OkStatus();
        },
        progress);
    WriteFileBytes(dump_, bytes);
    return summary;
  }

  // The bytes of a dump of two pages of main.
  std::string SmallDump() {
    Image(kMainBranch, {1, 1}, 'a');
    Image(kMainBranch, {2, 0}, 'b');
    EXPECT_TRUE(Export(kMainBranch, {}).ok());
    return ReadFileBytes(dump_);
  }

  // What a refused import must leave: the same branches, snapshots and end
  // of the WAL.
  void ExpectNothingImported(size_t branches, size_t snapshots) {
    EXPECT_EQ(engine_->ListBranches().size(), branches);
    EXPECT_EQ(engine_->snapshots().List().size(), snapshots);
    EXPECT_FALSE(engine_->FindBranch("imported").ok());
  }

  // main: three spaces of images and deltas; dev, from main, with its own
  // writes and truncations. Returns dev.
  Branch MakeHistory() {
    for (uint32_t s = 1; s <= 3; ++s) {
      for (uint32_t p = 0; p < 8; ++p) Image(kMainBranch, {s, p}, 'a' + p);
    }
    Append(kMainBranch, [](WalBatch* b) {
      ASSERT_TRUE(b->PutPageDelta({1, 2}, 100, "delta on main").ok());
    });
    const Lsn point = Image(kMainBranch, {2, 9}, 'm');
    Image(kMainBranch, {1, 0}, 'Z');  // after the branch point
    Branch dev = *engine_->CreateBranch("dev", kMainBranch, {point, {}});
    Append(dev.id, [](WalBatch* b) {
      ASSERT_TRUE(b->PutPageDelta({1, 3}, 7, "dev delta").ok());
      b->PutSpaceTruncate(2, 3);  // hides inherited pages 3..9
      ASSERT_TRUE(b->PutPageImage({2, 5}, std::string(kPage, 'n')).ok());
      // Space 4: page 11 only, then cut to 6 pages: size 6, no page.
      ASSERT_TRUE(b->PutPageImage({4, 11}, std::string(kPage, 'x')).ok());
      b->PutSpaceTruncate(4, 6);
      // Space 5: a page far from the start (size 13).
      ASSERT_TRUE(b->PutPageDelta({5, 12}, 0, "sparse").ok());
    });
    return dev;
  }

  std::string dir_;
  std::string dump_;
};

TEST_F(DumpTest, ARoundTripGivesEveryPageAndSpaceSizeOfTheSource) {
  const Branch dev = MakeHistory();
  const Lsn at = engine_->latest_lsn();
  const State expected = StateOf(engine_.get(), dev.id, at);
  Image(dev.id, {1, 1}, 'L');  // after the exported point
  Image(kMainBranch, {3, 3}, 'L');

  absl::StatusOr<ExportSummary> exported = Export(dev.id, {at, {}});
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->lsn, at);
  EXPECT_GT(exported->timestamp_us, 0);
  EXPECT_EQ(exported->spaces, 5u);  // 1 to 5
  EXPECT_EQ(exported->bytes, ReadFileBytes(dump_).size());

  // Into another store, and into this one.
  const std::string other_dir = NewTestDir("dump_other");
  std::unique_ptr<Engine> other = OpenEngine(other_dir);
  for (Engine* target : {other.get(), engine_.get()}) {
    absl::StatusOr<ImportSummary> imported =
        target->ImportDump("imported", dump_);
    ASSERT_TRUE(imported.ok()) << imported.status();
    EXPECT_EQ(imported->pages, exported->pages);
    EXPECT_EQ(imported->source.source_branch_name, "dev");
    EXPECT_EQ(imported->source.lsn, at);
    EXPECT_EQ(imported->branch.parent, 0u);
    EXPECT_EQ(imported->snapshot->kind, Snapshot::Kind::kImport);
    EXPECT_EQ(imported->snapshot->name, "imported");
    EXPECT_EQ(imported->snapshot->lsn, target->latest_lsn());
    EXPECT_TRUE(StateOf(target, imported->branch.id, std::nullopt) == expected);
    // The half-written history before the import is not readable.
    EXPECT_TRUE(absl::IsOutOfRange(
        target
            ->GetPage(imported->branch.id, {1, 0}, imported->snapshot->lsn - 1)
            .status()));
  }
  // It survives a restart and a GC.
  other.reset();
  other = OpenEngine(other_dir);
  ASSERT_TRUE(other->gc().Run(true).ok());
  EXPECT_TRUE(StateOf(other.get(), other->FindBranch("imported")->id,
                      std::nullopt) == expected);
}

TEST_F(DumpTest, AnEmptyBranchRoundTrips) {
  absl::StatusOr<ExportSummary> exported = Export(kMainBranch, {});
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->pages, 0u);
  absl::StatusOr<ImportSummary> imported = engine_->ImportDump("empty", dump_);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_TRUE(StateOf(engine_.get(), imported->branch.id, std::nullopt) ==
              StateOf(engine_.get(), kMainBranch, std::nullopt));
}

TEST_F(DumpTest, ExportsAtATimestampAndAtASnapshot) {
  Image(kMainBranch, {1, 1}, 'a');
  const Lsn a = Image(kMainBranch, {1, 2}, 'a');
  const State at_a = StateOf(engine_.get(), kMainBranch, a);
  absl::SleepFor(absl::Milliseconds(2));
  const int64_t time = NowMicros();
  absl::SleepFor(absl::Milliseconds(2));
  ASSERT_TRUE(engine_->snapshots().Create("snap", kMainBranch, {a, {}}).ok());
  Image(kMainBranch, {1, 1}, 'b');
  Image(kMainBranch, {2, 1}, 'b');

  absl::StatusOr<ExportSummary> exported = Export(kMainBranch, {{}, time});
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->lsn, a);
  ASSERT_TRUE(engine_->ImportDump("by-time", dump_).ok());
  EXPECT_TRUE(StateOf(engine_.get(), engine_->FindBranch("by-time")->id,
                      std::nullopt) == at_a);

  std::string bytes;
  exported = engine_->ExportSnapshot("snap", [&](absl::string_view b) {
    bytes.append(b.data(), b.size());
    return absl::OkStatus();
  });
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->lsn, a);
  WriteFileBytes(dump_, bytes);
  ASSERT_TRUE(engine_->ImportDump("by-snapshot", dump_).ok());
  EXPECT_TRUE(StateOf(engine_.get(), engine_->FindBranch("by-snapshot")->id,
                      std::nullopt) == at_a);
  EXPECT_TRUE(absl::IsNotFound(
      engine_
          ->ExportSnapshot("nope",
                           [](absl::string_view) { return absl::OkStatus(); })
          .status()));
}

TEST_F(DumpTest, AnExportStaysExactWhileGcCollectsAroundIt) {
  for (uint32_t p = 0; p < 10; ++p) Image(kMainBranch, {1, p}, 'a');
  const Lsn at = engine_->latest_lsn();
  const State expected = StateOf(engine_.get(), kMainBranch, at);
  // Half way, every page changes and GC (keeping ~nothing) runs.
  absl::StatusOr<ExportSummary> exported =
      Export(kMainBranch, {at, {}}, [&](uint64_t done, uint64_t) {
        if (done != 5) return absl::OkStatus();
        for (uint32_t p = 0; p < 10; ++p) Image(kMainBranch, {1, p}, 'z');
        absl::StatusOr<GcReport> gc = engine_->gc().Run(true);
        EXPECT_TRUE(gc.ok()) << gc.status();
        return absl::OkStatus();
      });
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_TRUE(engine_->ImportDump("imported", dump_).ok());
  EXPECT_TRUE(StateOf(engine_.get(), engine_->FindBranch("imported")->id,
                      std::nullopt) == expected);
  // Once the export is over, its point is no longer kept.
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_TRUE(
      absl::IsOutOfRange(engine_->GetPage(kMainBranch, {1, 1}, at).status()));
}

TEST_F(DumpTest, ADumpCutShortAnywhereImportsNothing) {
  const std::string dump = SmallDump();
  const Lsn end = engine_->latest_lsn();
  for (size_t n = 0; n < dump.size(); ++n) {
    WriteFileBytes(dump_, dump.substr(0, n));
    absl::Status s = engine_->ImportDump("imported", dump_).status();
    ASSERT_TRUE(absl::IsDataLoss(s)) << n << ": " << s;
  }
  ExpectNothingImported(1, 0);
  EXPECT_EQ(engine_->latest_lsn(), end);  // not a byte written
}

TEST_F(DumpTest, ADumpWithAFlippedByteImportsNothing) {
  const std::string dump = SmallDump();
  const Lsn end = engine_->latest_lsn();
  for (size_t i = 0; i < dump.size(); ++i) {
    std::string damaged = dump;
    damaged[i] ^= 0x01;
    WriteFileBytes(dump_, damaged);
    ASSERT_FALSE(engine_->ImportDump("imported", dump_).ok()) << i;
  }
  ExpectNothingImported(1, 0);
  EXPECT_EQ(engine_->latest_lsn(), end);
}

TEST_F(DumpTest, ADumpOfAnotherPageSizeIsRefused) {
  std::unique_ptr<Engine> big = OpenEngine(NewTestDir("dump_big"), 1024);
  WalBatch batch(kMainTimeline);
  ASSERT_TRUE(batch.PutPageImage({1, 1}, std::string(1024, 'a')).ok());
  ASSERT_TRUE(big->Append(batch).ok());
  std::string bytes;
  ASSERT_TRUE(big->ExportBranch(kMainBranch, {},
                                [&](absl::string_view b) {
                                  bytes.append(b.data(), b.size());
                                  return absl::OkStatus();
                                })
                  .ok());
  WriteFileBytes(dump_, bytes);
  absl::Status s = engine_->ImportDump("imported", dump_).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(s.message(), ::testing::HasSubstr("1024"));
  ExpectNothingImported(1, 0);
}

TEST_F(DumpTest, ATakenNameIsRefusedBeforeAnythingIsWritten) {
  Image(kMainBranch, {1, 1}, 'a');
  ASSERT_TRUE(Export(kMainBranch, {}).ok());
  ASSERT_TRUE(engine_->CreateBranch("dev", kMainBranch, {}).ok());
  ASSERT_TRUE(engine_->snapshots().Create("snap", kMainBranch, {}).ok());
  const Lsn end = engine_->latest_lsn();
  for (const char* name : {"dev", "snap", "main"}) {
    absl::Status s = engine_->ImportDump(name, dump_).status();
    EXPECT_TRUE(absl::IsAlreadyExists(s)) << name << ": " << s;
  }
  EXPECT_TRUE(
      absl::IsInvalidArgument(engine_->ImportDump("-bad", dump_).status()));
  EXPECT_EQ(engine_->latest_lsn(), end);
  EXPECT_EQ(engine_->ListBranches().size(), 2u);
  EXPECT_EQ(engine_->snapshots().List().size(), 1u);
}

// Enough pages for several WAL batches of the import.
void WriteManyPages(Engine* engine) {
  for (uint32_t p = 0; p < 6000; p += 500) {
    WalBatch batch(kMainTimeline);
    for (uint32_t i = p; i < p + 500; ++i) {
      ASSERT_TRUE(batch.PutPageImage({1, i}, std::string(kPage, 'p')).ok());
    }
    ASSERT_TRUE(engine->Append(batch).ok());
  }
}

TEST_F(DumpTest, ACancelledImportLeavesNothingAndGcReclaimsItsPages) {
  WriteManyPages(engine_.get());
  ASSERT_TRUE(Export(kMainBranch, {}).ok());
  const Lsn end = engine_->latest_lsn();
  absl::Status s = engine_
                       ->ImportDump("imported", dump_,
                                    [](uint64_t done, uint64_t total) {
                                      EXPECT_EQ(total, 6000u);
                                      return done == 5000
                                                 ? absl::CancelledError("stop")
                                                 : absl::OkStatus();
                                    })
                       .status();
  EXPECT_TRUE(absl::IsCancelled(s)) << s;
  EXPECT_GT(engine_->latest_lsn(), end);  // batches were written
  ExpectNothingImported(1, 0);
  absl::StatusOr<GcReport> gc = engine_->gc().Run(true);
  ASSERT_TRUE(gc.ok()) << gc.status();
  EXPECT_EQ(gc->timelines_removed, 1u);
  EXPECT_GE(gc->versions_removed, 3000u);  // whole 1 MiB batches
  // The name is free again.
  EXPECT_TRUE(engine_->ImportDump("imported", dump_).ok());
}

TEST_F(DumpTest, AnImportKilledHalfWayLeavesNothingAfterRestart) {
#ifdef __SANITIZE_THREAD__
  GTEST_SKIP() << "ThreadSanitizer cannot run the threads of a forked child "
                  "of a multi-threaded process (the kill -9 suites in "
                  "tests/crash cover crashes under TSan)";
#endif
  WriteManyPages(engine_.get());
  ASSERT_TRUE(Export(kMainBranch, {}).ok());
  engine_.reset();
  EXPECT_EXIT(
      {
        std::unique_ptr<Engine> engine = OpenEngine(dir_);
        engine
            ->ImportDump("imported", dump_,
                         [](uint64_t done, uint64_t) {
                           if (done == 5000) _exit(3);  // kill -9
                           return absl::OkStatus();
                         })
            .IgnoreError();
      },
      ::testing::ExitedWithCode(3), "");
  Reopen();
  ExpectNothingImported(1, 0);
  absl::StatusOr<GcReport> gc = engine_->gc().Run(true);
  ASSERT_TRUE(gc.ok()) << gc.status();
  EXPECT_EQ(gc->timelines_removed, 1u);
  EXPECT_TRUE(engine_->ImportDump("imported", dump_).ok());
}

}  // namespace
}  // namespace pitr
