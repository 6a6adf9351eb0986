// Incremental dumps through the engine, between two stores: a chain of
// incremental imports on top of a full one reads, at every link, exactly as
// the source branch at that point and as a full import of it, over random
// histories with truncations, regrowth, emptied spaces and pages inherited
// from a parent that keeps changing; and an incremental dump offered to a
// branch that does not hold its base is refused, changing nothing.
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"
#include "engine/engine.h"
#include "engine/testing/branch_state.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::pitr::testing::BranchState;
using ::pitr::testing::NewTestDir;
using ::pitr::testing::OpenTestEngine;
using ::pitr::testing::WriteFileBytes;
using ::testing::HasSubstr;

constexpr uint32_t kPage = 512;
constexpr uint32_t kSpaces = 5;
constexpr uint32_t kPages = 24;

class IncrementalDumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = OpenTestEngine(testing::TestEngineOptions("inc_source", kPage));
    target_options_ = testing::TestEngineOptions("inc_target", kPage);
    target_ = OpenTestEngine(target_options_);
    ASSERT_NE(source_, nullptr);
    ASSERT_NE(target_, nullptr);
    files_ = NewTestDir("inc_files");
  }

  // One random batch on `branch`: now and then a truncation first (to 0 at
  // times), then images of random pages, some followed by a delta.
  Lsn RandomBatch(Engine* engine, BranchId branch) {
    WalBatch batch = *engine->NewBatch(branch);
    if (rng_() % 4 == 0) {
      batch.PutSpaceTruncate(rng_() % kSpaces,
                             rng_() % 3 == 0 ? 0 : rng_() % kPages);
    }
    const int writes = 1 + rng_() % 4;
    for (int i = 0; i < writes; ++i) {
      const PageKey key{static_cast<uint32_t>(rng_() % kSpaces),
                        static_cast<uint32_t>(rng_() % kPages)};
      EXPECT_TRUE(
          batch.PutPageImage(key, std::string(kPage, 'a' + rng_() % 26)).ok());
      if (rng_() % 3 == 0) {
        EXPECT_TRUE(
            batch.PutPageDelta(key, rng_() % (kPage - 4), absl::StrCat(i))
                .ok());
      }
    }
    absl::StatusOr<AppendResult> appended = engine->Append(branch, batch);
    EXPECT_TRUE(appended.ok()) << appended.status();
    return appended.ok() ? appended->commit_lsn : 0;
  }

  // Exports `branch` of `engine` at `at` (changes since `since`, if set) to
  // a new file; returns its path.
  std::string Export(Engine* engine, BranchId branch, Lsn at,
                     std::optional<Lsn> since,
                     ExportSummary* summary = nullptr) {
    std::string bytes;
    std::optional<PointInTime> base;
    if (since) base = PointInTime{*since, std::nullopt};
    absl::StatusOr<ExportSummary> exported = engine->ExportBranch(
        branch, PointInTime{at, std::nullopt},
        [&](absl::string_view b) {
          bytes.append(b.data(), b.size());
          return absl::OkStatus();
        },
        nullptr, base);
    EXPECT_TRUE(exported.ok()) << exported.status();
    if (summary != nullptr && exported.ok()) *summary = *exported;
    const std::string path = absl::StrCat(files_, "/", ++dumps_, ".dump");
    WriteFileBytes(path, bytes);
    return path;
  }

  BranchState StateOf(Engine* engine, BranchId branch,
                      std::optional<Lsn> lsn = std::nullopt) {
    return testing::ReadBranchState(engine, branch, lsn, kSpaces, kPages);
  }
  BranchState StateOf(Engine* engine, absl::string_view branch) {
    return StateOf(engine, engine->FindBranch(branch)->id);
  }

  // Imports the full dump of `branch` at `at` into the target as "copy".
  void ImportFull(BranchId branch, Lsn at) {
    absl::StatusOr<ImportSummary> imported =
        target_->ImportDump("copy", Export(source_.get(), branch, at, {}));
    ASSERT_TRUE(imported.ok()) << imported.status();
  }

  // Expects the import of `path` onto "copy" to be refused with
  // FAILED_PRECONDITION mentioning `why`, and "copy" unchanged.
  void ExpectRefused(const std::string& path, absl::string_view why) {
    const BranchState before = StateOf(target_.get(), "copy");
    const Branch branch = *target_->FindBranch("copy");
    const size_t branches = target_->ListBranches().size();
    absl::StatusOr<ImportSummary> imported = target_->ImportDump("copy", path);
    EXPECT_TRUE(absl::IsFailedPrecondition(imported.status()))
        << imported.status();
    EXPECT_THAT(imported.status().message(), HasSubstr(why));
    EXPECT_EQ(target_->FindBranch("copy")->timeline, branch.timeline);
    EXPECT_EQ(target_->ListBranches().size(), branches);
    EXPECT_TRUE(StateOf(target_.get(), "copy") == before);
  }

  std::mt19937 rng_{20261204};
  std::unique_ptr<Engine> source_;
  EngineOptions target_options_;
  std::unique_ptr<Engine> target_;
  std::string files_;
  int dumps_ = 0;
};

TEST_F(IncrementalDumpTest, AChainOfIncrementalsReadsAsTheSourceAtEveryLink) {
  for (int i = 0; i < 10; ++i) RandomBatch(source_.get(), kMainBranch);
  const Branch dev = *source_->CreateBranch("dev", kMainBranch, {});
  Lsn at = RandomBatch(source_.get(), dev.id);
  ImportFull(dev.id, at);
  ASSERT_TRUE(StateOf(target_.get(), "copy") ==
              StateOf(source_.get(), dev.id, at));

  for (int round = 1; round <= 16; ++round) {
    const Lsn base = at;
    const int batches = round % 5 == 0 ? 0 : 1 + rng_() % 4;  // some empty
    for (int b = 0; b < batches; ++b) {
      at = RandomBatch(source_.get(), dev.id);
      RandomBatch(source_.get(), kMainBranch);  // the parent moves on too
    }
    const BranchState expected = StateOf(source_.get(), dev.id, at);
    absl::StatusOr<ImportSummary> applied =
        target_->ImportDump("copy", Export(source_.get(), dev.id, at, base));
    ASSERT_TRUE(applied.ok()) << "round " << round << ": " << applied.status();
    EXPECT_EQ(applied->source.lsn, at);
    EXPECT_EQ(applied->source.base_lsn, base);
    EXPECT_FALSE(applied->snapshot.has_value());
    ASSERT_TRUE(StateOf(target_.get(), "copy") == expected)
        << "round " << round;
    if (round % 4 == 0) {  // full + incrementals == full
      const std::string name = absl::StrCat("full", round);
      ASSERT_TRUE(
          target_->ImportDump(name, Export(source_.get(), dev.id, at, {}))
              .ok());
      EXPECT_TRUE(StateOf(target_.get(), name) ==
                  StateOf(target_.get(), "copy"));
    }
  }
  // The chain goes on after a restart of the target.
  target_.reset();
  target_ = OpenTestEngine(target_options_);
  const Lsn base = at;
  at = RandomBatch(source_.get(), dev.id);
  ASSERT_TRUE(
      target_->ImportDump("copy", Export(source_.get(), dev.id, at, base))
          .ok());
  EXPECT_TRUE(StateOf(target_.get(), "copy") ==
              StateOf(source_.get(), dev.id, at));
}

TEST_F(IncrementalDumpTest, ItsSizeGrowsWithTheChangesNotWithTheBranch) {
  for (uint32_t p = 0; p < kPages; ++p) {
    WalBatch batch = *source_->NewBatch(kMainBranch);
    for (uint32_t s = 0; s < kSpaces; ++s) {
      ASSERT_TRUE(batch.PutPageImage({s, p}, std::string(kPage, 'x')).ok());
    }
    ASSERT_TRUE(source_->Append(kMainBranch, batch).ok());
  }
  const Lsn base = source_->latest_lsn();
  WalBatch one = *source_->NewBatch(kMainBranch);
  ASSERT_TRUE(one.PutPageImage({2, 7}, std::string(kPage, 'y')).ok());
  const Lsn at = source_->Append(kMainBranch, one)->commit_lsn;
  ExportSummary full, changes;
  Export(source_.get(), kMainBranch, at, {}, &full);
  Export(source_.get(), kMainBranch, at, base, &changes);
  EXPECT_EQ(full.pages, kSpaces * kPages);
  EXPECT_EQ(changes.pages, 1u);
  EXPECT_EQ(changes.spaces, 1u);
  EXPECT_EQ(changes.base_lsn, base);
}

TEST_F(IncrementalDumpTest, ABranchThatDoesNotHoldTheBaseIsRefused) {
  for (int i = 0; i < 5; ++i) RandomBatch(source_.get(), kMainBranch);
  const Lsn p0 = source_->latest_lsn();
  ImportFull(kMainBranch, p0);
  const Lsn p1 = RandomBatch(source_.get(), kMainBranch);
  const Lsn p2 = RandomBatch(source_.get(), kMainBranch);
  const std::string first = Export(source_.get(), kMainBranch, p1, p0);
  const std::string second = Export(source_.get(), kMainBranch, p2, p1);

  // A link skipped.
  ExpectRefused(second, "instead: export the changes since that point");
  // Not a branch an import made, or no branch at all.
  EXPECT_TRUE(
      absl::IsFailedPrecondition(target_->ImportDump("main", first).status()));
  EXPECT_TRUE(absl::IsNotFound(target_->ImportDump("nobody", first).status()));
  // The changes of another store, at the same LSNs.
  auto other = OpenTestEngine(testing::TestEngineOptions("inc_other", kPage));
  rng_.seed(20261204);
  for (int i = 0; i < 5; ++i) RandomBatch(other.get(), kMainBranch);
  ASSERT_EQ(other->latest_lsn(), p0);
  ASSERT_EQ(RandomBatch(other.get(), kMainBranch), p1);
  ExpectRefused(Export(other.get(), kMainBranch, p1, p0),
                "holds the state of store");

  // The right link applies, once.
  ASSERT_TRUE(target_->ImportDump("copy", first).ok());
  ExpectRefused(first, "instead");

  // Written by a client since the import: refused.
  const BranchId copy = target_->FindBranch("copy")->id;
  WalBatch write = *target_->NewBatch(copy);
  ASSERT_TRUE(write.PutPageImage({0, 0}, std::string(kPage, 'w')).ok());
  ASSERT_TRUE(target_->Append(copy, write).ok());
  ExpectRefused(second, "was written or restored since its last import");
}

TEST_F(IncrementalDumpTest, ARestoreOnEitherSideBreaksTheChain) {
  for (int i = 0; i < 5; ++i) RandomBatch(source_.get(), kMainBranch);
  const Lsn p0 = source_->latest_lsn();
  ImportFull(kMainBranch, p0);
  const Lsn p1 = RandomBatch(source_.get(), kMainBranch);
  const std::string first = Export(source_.get(), kMainBranch, p1, p0);

  // The target restored to where it stands: the same pages, but on
  // another timeline than the import left, so refused.
  const BranchId copy = target_->FindBranch("copy")->id;
  const Lsn imported = target_->GetHistoryBounds(copy)->latest_lsn;
  ASSERT_TRUE(
      target_->RestoreBranch(copy, copy, PointInTime{imported, std::nullopt})
          .ok());
  ExpectRefused(first, "was written or restored since its last import");

  // The source restored to before p0: its state at p0 is another one now,
  // and so are its changes since p0.
  auto target2 =
      OpenTestEngine(testing::TestEngineOptions("inc_target2", kPage));
  ASSERT_TRUE(
      target2->ImportDump("copy", Export(source_.get(), kMainBranch, p0, {}))
          .ok());
  const Lsn before_p0 = p0 - 1;
  ASSERT_TRUE(source_
                  ->RestoreBranch(kMainBranch, kMainBranch,
                                  PointInTime{before_p0, std::nullopt})
                  .ok());
  const Lsn p2 = RandomBatch(source_.get(), kMainBranch);
  absl::StatusOr<ImportSummary> refused =
      target2->ImportDump("copy", Export(source_.get(), kMainBranch, p2, p0));
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
}

TEST_F(IncrementalDumpTest,
       ACancelledIncrementalChangesNothingAndCanBeRetried) {
  for (int i = 0; i < 5; ++i) RandomBatch(source_.get(), kMainBranch);
  const Lsn p0 = source_->latest_lsn();
  ImportFull(kMainBranch, p0);
  Lsn p1 = 0;
  for (int i = 0; i < 6; ++i) p1 = RandomBatch(source_.get(), kMainBranch);
  const std::string changes = Export(source_.get(), kMainBranch, p1, p0);
  const BranchState before = StateOf(target_.get(), "copy");
  absl::StatusOr<ImportSummary> cancelled =
      target_->ImportDump("copy", changes, [](uint64_t done, uint64_t) {
        return done >= 2 ? absl::CancelledError("stop") : absl::OkStatus();
      });
  ASSERT_TRUE(absl::IsCancelled(cancelled.status())) << cancelled.status();
  EXPECT_TRUE(StateOf(target_.get(), "copy") == before);
  ASSERT_TRUE(target_->ImportDump("copy", changes).ok());
  EXPECT_TRUE(StateOf(target_.get(), "copy") ==
              StateOf(source_.get(), kMainBranch, p1));
}

TEST_F(IncrementalDumpTest, AnExportRefusesABaseAfterItsPointOrAtZero) {
  const Lsn p0 = RandomBatch(source_.get(), kMainBranch);
  const Lsn p1 = RandomBatch(source_.get(), kMainBranch);
  auto sink = [](absl::string_view) { return absl::OkStatus(); };
  EXPECT_TRUE(absl::IsInvalidArgument(
      source_
          ->ExportBranch(kMainBranch, PointInTime{p0, std::nullopt}, sink,
                         nullptr, PointInTime{p1, std::nullopt})
          .status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      source_
          ->ExportBranch(kMainBranch, PointInTime{p1, std::nullopt}, sink,
                         nullptr, PointInTime{0, std::nullopt})
          .status()));
}

}  // namespace
}  // namespace pitr
