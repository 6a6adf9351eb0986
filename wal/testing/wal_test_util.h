// Helpers shared by the WAL's tests (and the WAL tools'): segment files,
// deterministic batches, raw frames, and reading a whole log back. The
// scratch-directory and file helpers of base/testing/test_files.h come with
// it. For tests only.
#ifndef PITR_WAL_TESTING_WAL_TEST_UTIL_H_
#define PITR_WAL_TESTING_WAL_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/testing/test_files.h"
#include "wal/batch.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace pitr::testing {

// Paths of the segment files of a WAL directory, in LSN order.
std::vector<std::string> SegmentPaths(const std::string& dir);

// A batch of `records` changes (images, deltas and truncates in turn) whose
// content is determined by seed.
WalBatch MakeBatch(TimelineId timeline, uint64_t seed, int records = 3);

// Every batch from `from` to the end of the log. Fails the test on error.
std::vector<CommittedBatch> ReadAll(Wal* wal, Lsn from);

// A record frame of `type` around `payload`, with a valid checksum: what a
// different (e.g. later) version of pitr might have written.
std::string RawFrame(uint8_t type, absl::string_view payload);
// A commit record frame.
std::string RawCommit(TimelineId timeline, int64_t timestamp_us,
                      uint32_t record_count);

// Checks that `read` is `written` as appended with `result`.
void ExpectBatchEq(const WalBatch& written, const AppendResult& result,
                   const CommittedBatch& read);

}  // namespace pitr::testing

#endif  // PITR_WAL_TESTING_WAL_TEST_UTIL_H_
