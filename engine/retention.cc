// The engine's retention settings, and the history bounds they give each
// branch (what GC enforces is in gc.h and gc_policy.h).
#include <algorithm>

#include "base/status_macros.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "engine/gc_policy.h"

namespace pitr {

absl::Status Engine::SetRetention(BranchId branch, const Retention& retention) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  return core_->catalog->SetRetention(branch, retention);
}

absl::Status Engine::SetDefaultRetention(const Retention& retention) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  return core_->catalog->SetDefaultRetention(retention);
}

Retention Engine::default_retention() const {
  return core_->default_retention();
}

absl::StatusOr<HistoryBounds> Engine::GetHistoryBounds(BranchId branch) const {
  PITR_ASSIGN_OR_RETURN(Branch b, core_->catalog->Get(branch));
  HistoryBounds bounds;
  {
    ReaderMutexLock l(&core_->history.mu());
    bounds.oldest_lsn = core_->history.FloorOf(branch);
    // A floor GC raised before it knew where the branch stands may be past
    // it; the state there is the same.
    bounds.latest_lsn = std::max(core_->BranchLatest(b), bounds.oldest_lsn);
    PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                          core_->catalog->ReadPath(branch, bounds.latest_lsn));
    bounds.local_oldest_lsn = core_->history.LocalFrom(path, bounds.oldest_lsn,
                                                      bounds.latest_lsn);
  }
  if (bounds.local_oldest_lsn) {
    PITR_ASSIGN_OR_RETURN(bounds.local_oldest_timestamp_us,
                          core_->TimeOfState(*bounds.local_oldest_lsn));
  }
  PITR_ASSIGN_OR_RETURN(bounds.oldest_timestamp_us,
                        core_->TimeOfState(bounds.oldest_lsn));
  PITR_ASSIGN_OR_RETURN(bounds.latest_timestamp_us,
                        core_->TimeOfState(bounds.latest_lsn));
  bounds.retention =
      gc_policy::EffectiveRetention(b, core_->default_retention());
  return bounds;
}

}  // namespace pitr
