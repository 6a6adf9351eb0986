// The catalog's holds, and the root timelines and branches of imports.
#include <algorithm>

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

absl::StatusOr<TimelineId> Catalog::CreateHeldTimeline(TimelineId parent,
                                                       Lsn branch_point,
                                                       int64_t now_us) {
  MutexLock l(&mu_);
  if (parent != kNoTimeline && tree_.timelines.count(parent) == 0) {
    return absl::NotFoundError(
        absl::StrCat("timeline ", parent.value(), " does not exist"));
  }
  const Timeline timeline{next_timeline_, parent, branch_point, now_us, 0};
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::TimelineKey(timeline.id), cr::EncodeTimeline(timeline)}}, {}));
  next_timeline_ = next_timeline_.Next();
  tree_.timelines[timeline.id] = timeline;
  ++holds_[timeline.id];
  return timeline.id;
}

absl::Status Catalog::CheckHeldAndUnowned(TimelineId timeline) const {
  if (tree_.timelines.count(timeline) == 0 ||
      tree_.owners.count(timeline) > 0 || holds_.count(timeline) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("timeline ", timeline.value(),
                     " is not a held timeline that no branch reads yet"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Catalog::Imported> Catalog::CreateImportedBranch(
    absl::string_view name, TimelineId timeline, Lsn lsn,
    absl::string_view snapshot, const ImportProvenance& provenance,
    int64_t now_us) {
  PITR_RETURN_IF_ERROR(CheckBranchName(name));
  PITR_RETURN_IF_ERROR(CheckBranchName(snapshot));
  MutexLock l(&mu_);
  PITR_RETURN_IF_ERROR(CheckHeldAndUnowned(timeline));
  auto t = tree_.timelines.find(timeline);
  if (t->second.parent != kNoTimeline || provenance.timeline != timeline) {
    return absl::FailedPreconditionError(absl::StrCat(
        "timeline ", timeline.value(),
        " is not a root timeline, or not the one the provenance names"));
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
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::TimelineKey(timeline), cr::EncodeTimeline(updated)},
       {cr::BranchKey(branch.id), cr::EncodeBranch(branch)},
       {cr::SnapshotKey(snap.id), cr::EncodeSnapshot(snap)},
       {cr::ProvenanceKey(branch.id), cr::EncodeProvenance(provenance)}},
      {}));
  ++next_branch_;
  ++next_snapshot_;
  t->second = updated;
  tree_.branches[branch.id] = branch;
  tree_.names[branch.name] = branch.id;
  tree_.owners[timeline] = branch.id;
  snapshots_[snap.name] = snap;
  provenance_[branch.id] = provenance;
  if (--holds_[timeline] == 0) holds_.erase(timeline);
  return Imported{tree_.Describe(branch), snap};
}

absl::StatusOr<Branch> Catalog::AdvanceImportedBranch(
    BranchId branch, Lsn lsn, const ImportProvenance& provenance) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(const Branch* target, tree_.Find(branch));
  const TimelineId timeline = provenance.timeline;
  PITR_RETURN_IF_ERROR(CheckHeldAndUnowned(timeline));
  Timeline updated = tree_.timelines.at(timeline);
  if (updated.parent != target->timeline) {
    return absl::FailedPreconditionError(absl::StrCat(
        "branch \"", target->name, "\" now reads timeline ",
        target->timeline.value(), ", not timeline ", updated.parent.value(),
        " the import started from: it was restored meanwhile"));
  }
  updated.gc_horizon = std::max(updated.gc_horizon, lsn);
  Branch advanced = *target;
  advanced.timeline = timeline;
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::TimelineKey(timeline), cr::EncodeTimeline(updated)},
       {cr::BranchKey(branch), cr::EncodeBranch(advanced)},
       {cr::ProvenanceKey(branch), cr::EncodeProvenance(provenance)}},
      {}));
  tree_.timelines[timeline] = updated;
  tree_.owners.erase(target->timeline);
  tree_.owners[timeline] = branch;
  tree_.branches[branch] = advanced;
  provenance_[branch] = provenance;
  if (--holds_[timeline] == 0) holds_.erase(timeline);
  return tree_.Describe(advanced);
}

}  // namespace pitr
