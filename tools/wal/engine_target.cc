#include "tools/wal/engine_target.h"

#include "base/status_macros.h"

namespace pitr::waltool {

absl::StatusOr<BranchId> EngineTarget::IdOf(const std::string& name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  PITR_ASSIGN_OR_RETURN(Branch branch, engine_->FindBranch(name));
  ids_[name] = branch.id;
  return branch.id;
}

absl::StatusOr<Lsn> EngineTarget::EndLsn() { return engine_->latest_lsn(); }

absl::Status EngineTarget::CreateBranch(const std::string& name,
                                        const std::string& parent, Lsn point) {
  PITR_ASSIGN_OR_RETURN(BranchId parent_id, IdOf(parent));
  PointInTime at;
  at.lsn = point;
  PITR_ASSIGN_OR_RETURN(Branch branch,
                        engine_->CreateBranch(name, parent_id, at));
  ids_[name] = branch.id;
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> EngineTarget::Append(const std::string& branch,
                                                  const CommittedBatch& batch) {
  PITR_ASSIGN_OR_RETURN(BranchId id, IdOf(branch));
  PITR_ASSIGN_OR_RETURN(WalBatch wal_batch, engine_->NewBatch(id));
  PITR_RETURN_IF_ERROR(AddCommittedRecords(batch, &wal_batch));
  return engine_->Append(id, wal_batch);
}

}  // namespace pitr::waltool
