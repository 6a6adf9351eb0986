// The engine's leases: short-lived pins of a point of a branch's history,
// kept by the history guard (history_guard.h) in memory.
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "engine/engine_core.h"

namespace pitr {

absl::StatusOr<uint64_t> Engine::CreateLease(BranchId branch, Lsn lsn,
                                             absl::Duration ttl) {
  // Under the branch lock, so no GC plan runs between the check of the
  // point and the pin.
  MutexLock l(&core_->branch_mu);
  {
    ReaderMutexLock gc(&core_->history.mu());
    PITR_RETURN_IF_ERROR(core_->ResolveLsn(branch, lsn).status());
  }
  PITR_ASSIGN_OR_RETURN(Branch b, core_->catalog->Get(branch));
  return core_->history.AddPin(b.timeline, lsn, absl::Now() + ttl);
}

absl::Status Engine::RenewLease(uint64_t lease, absl::Duration ttl) {
  const absl::Time now = absl::Now();
  return core_->history.RenewPin(lease, now, now + ttl);
}

absl::Status Engine::ReleaseLease(uint64_t lease) {
  if (!core_->history.RemovePin(lease)) {
    return absl::NotFoundError(
        absl::StrCat("lease ", lease, " does not exist"));
  }
  return absl::OkStatus();
}

}  // namespace pitr
