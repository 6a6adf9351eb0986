// The engine's named spaces (branch/space_catalog.h) and GetChanges: where
// a branch stands, and what changed in a space since an earlier position.
#include <set>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/changed_pages.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "spdlog/spdlog.h"

namespace pitr {

absl::StatusOr<NamedSpace> Engine::ResolveSpace(absl::string_view name,
                                                bool create) {
  if (core_->closed)
    return absl::FailedPreconditionError("the store is closed");
  absl::StatusOr<NamedSpace> known = core_->spaces->Resolve(name, false, 0);
  if (known.ok() || !create || !absl::IsNotFound(known.status())) return known;
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  PITR_ASSIGN_OR_RETURN(NamedSpace made,
                        core_->spaces->Resolve(name, true, NowMicros()));
  spdlog::info("pitr: named space \"{}\" is space {}", made.name, made.id);
  return made;
}

std::vector<NamedSpace> Engine::ListSpaces() const {
  return core_->spaces->List();
}

absl::StatusOr<SpaceChanges> Engine::GetChanges(
    BranchId branch, uint32_t space,
    const std::optional<BranchPosition>& since) {
  if (core_->closed)
    return absl::FailedPreconditionError("the store is closed");
  SpaceChanges changes;
  // branch_mu: the branch keeps its timeline while it is read.
  ReaderMutexLock l(&core_->branch_mu);
  PITR_ASSIGN_OR_RETURN(Branch b, core_->catalog->Get(branch));
  ReaderMutexLock gc(&core_->history.mu());
  const Lsn lsn = core_->latest_lsn.load();
  changes.position = {lsn, b.timeline};
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        core_->catalog->ReadPath(branch, lsn));
  PITR_ASSIGN_OR_RETURN(changes.space_pages,
                        core_->store->SpaceSize(space, path));
  if (since && *since == changes.position) return changes;
  // Comparable: the same timeline (a restore drops the cache: rare), not in
  // the future, inside the branch's readable history (GC keeps every
  // version newer than the floor, and its change key) and on this disk.
  bool comparable = since && since->timeline == b.timeline &&
                    since->lsn <= lsn &&
                    core_->ResolveLsn(branch, since->lsn).ok();
  std::vector<ReadStep> before;
  if (comparable) {
    PITR_ASSIGN_OR_RETURN(before, core_->catalog->ReadPath(branch, since->lsn));
    comparable = core_->history.IsLocal(before, since->lsn);
  }
  if (!comparable) {
    changes.all_changed = true;
    return changes;
  }
  PITR_ASSIGN_OR_RETURN(const std::set<PageKey> candidates,
                        CandidatePages(*core_->store, before, path));
  for (auto it = candidates.lower_bound({space, 0});
       it != candidates.end() && it->space == space; ++it) {
    changes.pages.push_back(it->page);
  }
  return changes;
}

}  // namespace pitr
