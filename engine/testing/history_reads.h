// A history written step by step and what a store reads at every point of
// it, recorded to compare with another store that should read alike (a
// restore from the bucket, a read replica): every page of space 1 on every
// branch at every given commit LSN, and the names of the branches and
// snapshots. For tests only.
#ifndef PITR_ENGINE_TESTING_HISTORY_READS_H_
#define PITR_ENGINE_TESTING_HISTORY_READS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "base/lsn.h"
#include "engine/engine.h"

namespace pitr::testing {

struct HistoryReads {
  Lsn lsn = 0;  // the store's latest LSN when read
  int64_t time_us = 0;  // set by the test if it needs it
  // (branch name, lsn, page) -> page; nullopt: NOT_FOUND. Reads outside a
  // branch's history are not recorded.
  std::map<std::tuple<std::string, Lsn, uint32_t>, std::optional<std::string>>
      pages;
  std::set<std::string> branches;
  std::set<std::string> snapshots;
};

// Step `step` of a history: a batch on `branch` writing page `page` of
// space 1 whole (its first bytes name the step and the page) and, every
// third step, a delta on the next page (of `pages`), committed at
// `commit_us` if given. Its commit LSN; 0, failing the test, if the append
// is refused.
Lsn AppendStep(Engine* engine, BranchId branch, uint32_t page, int step,
               uint32_t pages, std::optional<int64_t> commit_us = std::nullopt);

// Pages 0 to pages - 1 of space 1, at every LSN of `commits` up to the
// latest.
HistoryReads ReadHistory(Engine* engine, const std::vector<Lsn>& commits,
                         uint32_t pages);

// Fails the test unless `engine` is at the same LSN, holds the same
// branches and snapshots and reads every recorded page alike (and at least
// `at_least` of them).
void ExpectReadsAlike(Engine* engine, const HistoryReads& expected,
                      size_t at_least = 100);

}  // namespace pitr::testing

#endif  // PITR_ENGINE_TESTING_HISTORY_READS_H_
