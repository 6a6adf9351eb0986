// The engine's branch operations: batches for a branch, appends checked
// against the branch's timeline, and creating, restoring and deleting
// branches (each a catalog change; see branch/catalog.h).
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/engine.h"
#include "spdlog/spdlog.h"

namespace pitr {

absl::StatusOr<WalBatch> Engine::NewBatch(BranchId branch) const {
  PITR_ASSIGN_OR_RETURN(Branch b, catalog_->Get(branch));
  return WalBatch(b.timeline);
}

absl::StatusOr<AppendResult> Engine::Append(const WalBatch& batch) {
  std::optional<BranchId> owner = catalog_->OwnerOf(batch.timeline());
  if (!owner) {
    return absl::NotFoundError(
        absl::StrCat("branch #", batch.timeline().value(),
                     " does not exist (no branch writes timeline ",
                     batch.timeline().value(), ")"));
  }
  return Append(*owner, batch);
}

absl::StatusOr<AppendResult> Engine::Append(BranchId branch,
                                            const WalBatch& batch) {
  PITR_RETURN_IF_ERROR(Validate(batch));
  ReaderMutexLock l(&branch_mu_);
  PITR_ASSIGN_OR_RETURN(Branch b, catalog_->Get(branch));
  if (b.timeline != batch.timeline()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the batch was made for timeline ", batch.timeline().value(),
        " but branch \"", b.name, "\" now writes timeline ", b.timeline.value(),
        " (was it restored?); make the batch again with NewBatch"));
  }
  return wal_->Append(batch);
}

absl::StatusOr<Lsn> Engine::ResolvePoint(BranchId branch,
                                         const PointInTime& at) const {
  if (at.lsn && at.timestamp_us) {
    return absl::InvalidArgumentError(
        "give a point in history as an lsn or a timestamp, not both");
  }
  if (!at.timestamp_us) return ResolveLsn(branch, at.lsn);
  PITR_ASSIGN_OR_RETURN(Lsn lsn, wal_->LsnAtTimestamp(*at.timestamp_us));
  return ResolveLsn(branch, lsn);  // inside the branch's history?
}

absl::StatusOr<Branch> Engine::CreateBranch(absl::string_view name,
                                            BranchId parent,
                                            const PointInTime& at) {
  MutexLock l(&branch_mu_);
  Lsn point, parent_floor;
  {
    ReaderMutexLock gc(&history_.mu());
    PITR_ASSIGN_OR_RETURN(point, ResolvePoint(parent, at));
    parent_floor = history_.FloorOf(parent);
  }
  PITR_ASSIGN_OR_RETURN(Branch branch,
                        catalog_->Create(name, parent, point, NowMicros()));
  {
    // The child reads its parent's history from where the parent can.
    history_.SetFloors({{branch.id, parent_floor}});
  }
  spdlog::info("pitr: branch \"{}\" (#{}) from #{} at lsn {}", branch.name,
               branch.id, parent, FormatLsn(point));
  return branch;
}

absl::StatusOr<Catalog::Restored> Engine::RestoreBranch(BranchId branch,
                                                        BranchId source,
                                                        const PointInTime& at) {
  MutexLock l(&branch_mu_);
  Lsn point, source_floor, old_floor;
  {
    ReaderMutexLock gc(&history_.mu());
    PITR_ASSIGN_OR_RETURN(point, ResolvePoint(source, at));
    source_floor = history_.FloorOf(source);
    old_floor = history_.FloorOf(branch);
  }
  PITR_ASSIGN_OR_RETURN(Catalog::Restored restored,
                        catalog_->Restore(branch, source, point, NowMicros()));
  history_.SetFloors(
      {{restored.branch.id, source_floor}, {restored.backup.id, old_floor}});
  spdlog::info(
      "pitr: restored branch \"{}\" to #{} at lsn {}; its old state is "
      "branch \"{}\" (#{})",
      restored.branch.name, source, FormatLsn(point), restored.backup.name,
      restored.backup.id);
  return restored;
}

absl::StatusOr<std::vector<BranchId>> Engine::DeleteBranch(BranchId branch,
                                                           bool cascade) {
  MutexLock l(&branch_mu_);
  PITR_ASSIGN_OR_RETURN(std::vector<BranchId> deleted,
                        catalog_->Delete(branch, cascade));
  history_.ForgetFloors(deleted);
  spdlog::info("pitr: deleted {} branches (#{} and below)", deleted.size(),
               branch);
  return deleted;
}

absl::StatusOr<Branch> Engine::GetBranch(BranchId branch) const {
  return catalog_->Get(branch);
}

absl::StatusOr<Branch> Engine::FindBranch(absl::string_view name) const {
  return catalog_->GetByName(name);
}

std::vector<Branch> Engine::ListBranches() const { return catalog_->List(); }

}  // namespace pitr
