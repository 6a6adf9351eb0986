// The catalog's holds, and the root timelines and branches of imports.
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "branch/catalog.h"
#include "branch/catalog_records.h"

namespace pitr {

namespace cr = catalog_records;

void Catalog::Hold(TimelineId timeline) {
  MutexLock l(&mu_);
  ++holds_[timeline];
}

void Catalog::Release(TimelineId timeline) {
  MutexLock l(&mu_);
  auto it = holds_.find(timeline);
  if (it != holds_.end() && --it->second == 0) holds_.erase(it);
}

absl::StatusOr<TimelineId> Catalog::CreateRootTimeline(int64_t now_us) {
  MutexLock l(&mu_);
  const Timeline timeline{next_timeline_, kNoTimeline, 0, now_us, 0};
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::TimelineKey(timeline.id), cr::EncodeTimeline(timeline)}}, {}));
  next_timeline_ = next_timeline_.Next();
  tree_.timelines[timeline.id] = timeline;
  ++holds_[timeline.id];
  return timeline.id;
}

absl::StatusOr<Catalog::Imported> Catalog::CreateImportedBranch(
    absl::string_view name, TimelineId timeline, Lsn lsn,
    absl::string_view snapshot, int64_t now_us) {
  PITR_RETURN_IF_ERROR(CheckBranchName(name));
  PITR_RETURN_IF_ERROR(CheckBranchName(snapshot));
  MutexLock l(&mu_);
  auto t = tree_.timelines.find(timeline);
  if (t == tree_.timelines.end() || t->second.parent != kNoTimeline ||
      tree_.owners.count(timeline) > 0 || holds_.count(timeline) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("timeline ", timeline.value(),
                     " is not a held root timeline that no branch reads yet"));
  }
  if (tree_.FindByName(name) != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat("branch \"", name, "\" already exists"));
  }
  if (snapshots_.count(std::string(snapshot)) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("snapshot \"", snapshot, "\" already exists"));
  }
  Timeline updated = t->second;
  updated.gc_horizon = std::max(updated.gc_horizon, lsn);
  const Branch branch{
      next_branch_, std::string(name), timeline, now_us, {}, 0, 0, kNoTimeline};
  const Snapshot snap{
      next_snapshot_, std::string(snapshot),   branch.id,    timeline, lsn,
      now_us,         Snapshot::Kind::kImport, std::nullopt, ""};
  PITR_RETURN_IF_ERROR(
      store_->Commit({{cr::TimelineKey(timeline), cr::EncodeTimeline(updated)},
                      {cr::BranchKey(branch.id), cr::EncodeBranch(branch)},
                      {cr::SnapshotKey(snap.id), cr::EncodeSnapshot(snap)}},
                     {}));
  ++next_branch_;
  ++next_snapshot_;
  t->second = updated;
  tree_.branches[branch.id] = branch;
  tree_.names[branch.name] = branch.id;
  tree_.owners[timeline] = branch.id;
  snapshots_[snap.name] = snap;
  if (--holds_[timeline] == 0) holds_.erase(timeline);
  return Imported{tree_.Describe(branch), snap};
}

}  // namespace pitr
