#include "engine/testing/history_reads.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace pitr::testing {

Lsn AppendStep(Engine* engine, BranchId branch, uint32_t page, int step,
               uint32_t pages, std::optional<int64_t> commit_us) {
  absl::StatusOr<WalBatch> batch = engine->NewBatch(branch);
  EXPECT_TRUE(batch.ok()) << batch.status();
  if (!batch.ok()) return 0;
  std::string image(engine->page_size(), static_cast<char>('a' + step % 26));
  image.replace(0, 16, absl::StrCat("step ", step, " page ", page, "    ")
                           .substr(0, 16));
  EXPECT_TRUE(batch->PutPageImage({1, page}, image).ok());
  if (step % 3 == 0) {
    EXPECT_TRUE(
        batch->PutPageDelta({1, (page + 1) % pages}, 100, "delta!").ok());
  }
  if (commit_us) batch->SetTimestamp(*commit_us);
  absl::StatusOr<AppendResult> appended = engine->Append(branch, *batch);
  EXPECT_TRUE(appended.ok()) << appended.status();
  return appended.ok() ? appended->commit_lsn : 0;
}

HistoryReads ReadHistory(Engine* engine, const std::vector<Lsn>& commits,
                         uint32_t pages) {
  HistoryReads reads;
  reads.lsn = engine->latest_lsn();
  for (const Branch& branch : engine->ListBranches()) {
    reads.branches.insert(branch.name);
    for (Lsn lsn : commits) {
      if (lsn > reads.lsn) continue;
      for (uint32_t page = 0; page < pages; ++page) {
        absl::StatusOr<std::string> read =
            engine->GetPage(branch.id, {1, page}, lsn);
        if (read.ok()) {
          reads.pages[{branch.name, lsn, page}] = *read;
        } else if (absl::IsNotFound(read.status())) {
          reads.pages[{branch.name, lsn, page}] = std::nullopt;
        }  // else outside the branch's history: not compared
      }
    }
  }
  for (const Snapshot& snapshot : engine->snapshots().List()) {
    reads.snapshots.insert(snapshot.name);
  }
  return reads;
}

void ExpectReadsAlike(Engine* engine, const HistoryReads& expected,
                      size_t at_least) {
  EXPECT_EQ(engine->latest_lsn(), expected.lsn);
  std::set<std::string> branches, snapshots;
  for (const Branch& b : engine->ListBranches()) branches.insert(b.name);
  for (const Snapshot& s : engine->snapshots().List()) snapshots.insert(s.name);
  EXPECT_EQ(branches, expected.branches);
  EXPECT_EQ(snapshots, expected.snapshots);
  size_t compared = 0;
  for (const auto& [where, page] : expected.pages) {
    const auto& [name, lsn, number] = where;
    absl::StatusOr<Branch> branch = engine->FindBranch(name);
    ASSERT_TRUE(branch.ok()) << branch.status();
    absl::StatusOr<std::string> read =
        engine->GetPage(branch->id, {1, number}, lsn);
    if (page) {
      ASSERT_TRUE(read.ok()) << name << " lsn " << lsn << " page " << number
                             << ": " << read.status();
      ASSERT_TRUE(*read == *page)
          << name << " lsn " << lsn << " page " << number << ": read \""
          << read->substr(0, 16) << "...\", expected \"" << page->substr(0, 16)
          << "...\"";
    } else {
      ASSERT_TRUE(absl::IsNotFound(read.status()))
          << name << " lsn " << lsn << " page " << number << ": "
          << read.status();
    }
    ++compared;
  }
  EXPECT_GE(compared, at_least);
}

}  // namespace pitr::testing
