// The engine's branch operations: batches for a branch, appends checked
// against the branch's timeline, and creating, restoring and deleting
// branches (each a catalog change; see branch/catalog.h).
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "spdlog/spdlog.h"

namespace pitr {

absl::StatusOr<WalBatch> Engine::NewBatch(BranchId branch) const {
  PITR_ASSIGN_OR_RETURN(Branch b, core_->catalog->Get(branch));
  return WalBatch(b.timeline);
}

absl::StatusOr<AppendResult> Engine::Append(const WalBatch& batch) {
  std::optional<BranchId> owner = core_->catalog->OwnerOf(batch.timeline());
  if (!owner) {
    return absl::NotFoundError(
        absl::StrCat("branch #", batch.timeline().value(),
                     " does not exist (no branch writes timeline ",
                     batch.timeline().value(), ")"));
  }
  return Append(*owner, batch);
}

namespace {

// An append to `branch`, with its append lock held (shared, or exclusively
// with `expected`): the branch's timeline checked against the batch's and,
// with `expected`, where the branch stands; then the WAL append.
absl::StatusOr<AppendResult> AppendChecked(
    EngineCore* core, BranchId branch, const WalBatch& batch,
    const std::optional<BranchPosition>& expected) {
  ReaderMutexLock l(&core->branch_mu);
  PITR_ASSIGN_OR_RETURN(Branch b, core->catalog->Get(branch));
  if (expected) {
    const Lsn latest = core->BranchLatest(b);
    if (b.timeline != expected->timeline || latest > expected->lsn) {
      return absl::AbortedError(absl::StrCat(
          "branch \"", b.name, "\" has moved since lsn ",
          FormatLsn(expected->lsn), " on timeline ", expected->timeline.value(),
          ": it stands at lsn ", FormatLsn(latest), " on timeline ",
          b.timeline.value(),
          b.timeline != expected->timeline ? " (it was restored)" : "",
          "; nothing was written: read it again and retry"));
    }
  }
  if (b.timeline != batch.timeline()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the batch was made for timeline ", batch.timeline().value(),
        " but branch \"", b.name, "\" now writes timeline ", b.timeline.value(),
        " (was it restored?); make the batch again with NewBatch"));
  }
  return core->wal->Append(batch);
}

}  // namespace

absl::StatusOr<AppendResult> Engine::Append(BranchId branch,
                                            const WalBatch& batch) {
  return AppendAndArchive(branch, batch, std::nullopt);
}

absl::StatusOr<AppendResult> Engine::Append(BranchId branch,
                                            const WalBatch& batch,
                                            const BranchPosition& expected) {
  return AppendAndArchive(branch, batch, expected);
}

absl::StatusOr<AppendResult> Engine::AppendAndArchive(
    BranchId branch, const WalBatch& batch,
    const std::optional<BranchPosition>& expected) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  PITR_RETURN_IF_ERROR(core_->ValidateBatch(batch));
  PITR_RETURN_IF_ERROR(core_->CheckCommitTime(batch));
  AppendResult result;
  {
    const std::shared_ptr<Mutex> lock = core_->append_locks.For(branch);
    if (expected) {
      MutexLock alone(lock.get());
      PITR_ASSIGN_OR_RETURN(
          result, AppendChecked(core_.get(), branch, batch, expected));
    } else {
      ReaderMutexLock shared(lock.get());
      PITR_ASSIGN_OR_RETURN(
          result, AppendChecked(core_.get(), branch, batch, expected));
    }
  }
  if (core_->options.archive_sync && core_->archiver() != nullptr) {
    absl::Status archived = core_->archiver()->WaitArchived(
        result.commit_lsn, absl::Now() + core_->options.archive_sync_timeout);
    if (!archived.ok()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the batch is committed on this machine at lsn ",
          FormatLsn(result.commit_lsn),
          " (readable and durable here; do not append it again) but is not "
          "in object storage after ",
          absl::FormatDuration(core_->options.archive_sync_timeout), ": ",
          archived.message()));
    }
  }
  return result;
}

absl::StatusOr<Branch> Engine::CreateBranch(absl::string_view name,
                                            BranchId parent,
                                            const PointInTime& at) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  Lsn point, parent_floor;
  {
    ReaderMutexLock gc(&core_->history.mu());
    PITR_ASSIGN_OR_RETURN(point, core_->ResolvePoint(parent, at));
    parent_floor = core_->history.FloorOf(parent);
  }
  PITR_ASSIGN_OR_RETURN(
      Branch branch, core_->catalog->Create(name, parent, point, NowMicros()));
  {
    // The child reads its parent's history from where the parent can.
    core_->history.SetFloors({{branch.id, parent_floor}});
  }
  spdlog::info("pitr: branch \"{}\" (#{}) from #{} at lsn {}", branch.name,
               branch.id, parent, FormatLsn(point));
  return branch;
}

absl::StatusOr<Catalog::Restored> Engine::RestoreBranch(BranchId branch,
                                                        BranchId source,
                                                        const PointInTime& at) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  Lsn point, source_floor, old_floor;
  {
    ReaderMutexLock gc(&core_->history.mu());
    PITR_ASSIGN_OR_RETURN(point, core_->ResolvePoint(source, at));
    source_floor = core_->history.FloorOf(source);
    old_floor = core_->history.FloorOf(branch);
  }
  PITR_ASSIGN_OR_RETURN(
      Catalog::Restored restored,
      core_->catalog->Restore(branch, source, point, NowMicros()));
  core_->history.SetFloors(
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
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  PITR_ASSIGN_OR_RETURN(std::vector<BranchId> deleted,
                        core_->catalog->Delete(branch, cascade));
  core_->history.ForgetFloors(deleted);
  spdlog::info("pitr: deleted {} branches (#{}{})", deleted.size(), branch,
               cascade ? " and below" : "");
  return deleted;
}

absl::StatusOr<Branch> Engine::GetBranch(BranchId branch) const {
  return core_->catalog->Get(branch);
}

absl::StatusOr<Branch> Engine::FindBranch(absl::string_view name) const {
  return core_->catalog->GetByName(name);
}

std::vector<Branch> Engine::ListBranches() const {
  return core_->catalog->List();
}

std::vector<Timeline> Engine::UnnamedAncestors() const {
  return core_->catalog->UnnamedAncestors();
}

absl::StatusOr<Timeline> Engine::GetTimeline(TimelineId timeline) const {
  return core_->catalog->GetTimeline(timeline);
}

}  // namespace pitr
