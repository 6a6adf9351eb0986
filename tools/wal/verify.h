// Verify: checks a WAL read-only, exactly as opening it for writing would
// (docs/wal-format.md section 8: every segment header, the chain of
// segments, every frame and its CRC, every batch rule, the timestamp
// index), then reads every batch once more, and says what it found:
//
//   kClean     nothing wrong; opening the log would change nothing that
//              matters (it may append index entries that lag after a crash).
//   kTornTail  the log ends in what a crash leaves: an incomplete last
//              batch (or a last segment with a torn header), which recovery
//              would drop, or index entries for commits the segments no
//              longer hold, which recovery would drop too.
//   kCorrupt   damage before the tail (or a checksummed record that is
//              invalid): the log refuses to open; `problem` names the
//              segment, file offset and LSN of the record at fault and
//              where a repair would cut.
#ifndef PITR_TOOLS_WAL_VERIFY_H_
#define PITR_TOOLS_WAL_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/wal/wal_source.h"

namespace pitr::waltool {

struct VerifyReport {
  enum class Outcome { kClean, kTornTail, kCorrupt };
  Outcome outcome = Outcome::kClean;
  std::string problem;             // kCorrupt: the log's error
  std::vector<std::string> notes;  // what recovery would change, one a line
  Lsn oldest_lsn = 0;
  Lsn end_lsn = 0;
  uint64_t batches = 0;
  uint64_t records = 0;
};

// Verifies the WAL of options.path. Errors only for what stops the check
// itself: a missing directory, a lock held by pitrd, I/O errors, a log of
// another format version or with a record type this build does not know
// (FAILED_PRECONDITION).
absl::StatusOr<VerifyReport> Verify(const WalSourceOptions& options);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_VERIFY_H_
