// Target: where `replay` and `generate` write: a store (EngineTarget), a
// running server (ServerTarget) or a WAL directory (WalDirTarget). Branches
// are named; LSNs are the target's own.
//
// Not thread-safe.
#ifndef PITR_TOOLS_WAL_TARGET_H_
#define PITR_TOOLS_WAL_TARGET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace pitr::waltool {

class Target {
 public:
  virtual ~Target() = default;

  // The end of the target's log: where the next batch would start.
  virtual absl::StatusOr<Lsn> EndLsn() = 0;
  // Creates branch `name` from branch `parent` at `point` (a target LSN).
  virtual absl::Status CreateBranch(const std::string& name,
                                    const std::string& parent, Lsn point) = 0;
  // Appends batch.records to `branch` as one batch, with commit time
  // batch.timestamp_us. batch's LSNs and branch are ignored.
  virtual absl::StatusOr<AppendResult> Append(const std::string& branch,
                                              const CommittedBatch& batch) = 0;
  // Makes everything durable and releases the target.
  virtual absl::Status Close() = 0;
};

// OK if `dir` is missing or empty; ALREADY_EXISTS naming it (and `what`
// the command makes there) otherwise.
absl::Status RequireEmptyDir(const std::string& dir, absl::string_view what);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_TARGET_H_
