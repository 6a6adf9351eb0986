// Recovery of a WAL directory when it is opened: checks every segment,
// drops a torn tail, refuses (or with repair, cuts at) damage before it, and
// brings the timestamp index up to date with the segments. Internal to wal/.
#ifndef PITR_WAL_RECOVERY_H_
#define PITR_WAL_RECOVERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "base/lsn.h"
#include "wal/timestamp_index.h"

namespace pitr {

// The state of a log after recovery.
struct RecoveredLog {
  std::vector<Lsn> segment_starts;  // ascending; the last one is active
  Lsn end_lsn = 0;                  // end of the last complete batch
  uint64_t commits = 0;             // commits ever, = index->end_ordinal()
  std::optional<int64_t> last_timestamp_us;
};

// Recovers the log in dir (creating an empty one if it has no segment).
// `index` is the directory's open timestamp index; entries for the commits
// in the remaining segments are rewritten to match them.
absl::StatusOr<RecoveredLog> RecoverLog(FileSystem* fs, const std::string& dir,
                                        bool repair, TimestampIndex* index);

}  // namespace pitr

#endif  // PITR_WAL_RECOVERY_H_
