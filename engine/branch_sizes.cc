// Branch sizes: what each branch shows (logical) and what the store holds
// for it (physical).
//
// Physical sizes come from one pass over the store, summing key and value
// bytes by the timeline each record carries (docs/storage-format.md,
// "Keys"); a timeline's bytes go to the branch that writes it now, or to
// "unowned" if none does. Logical sizes come from the size events: the
// spaces a branch sees are enumerated along its read path as an export
// does (engine/export.cc), one seek per space.
#include "base/status_macros.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace {

// The logical size of `branch` at its latest LSN.
absl::StatusOr<uint64_t> LogicalSize(EngineCore* core, BranchId branch) {
  std::vector<ReadStep> path;
  {
    ReaderMutexLock gc(&core->history.mu());
    PITR_ASSIGN_OR_RETURN(Lsn at, core->ResolveLsn(branch, std::nullopt));
    PITR_ASSIGN_OR_RETURN(path, core->catalog->ReadPath(branch, at));
  }
  // GC never removes what a read at the latest LSN needs, so the path stays
  // readable without holding core->history.mu() across the whole enumeration (which
  // would hold up GC's publishing of floors, and every read behind it).
  uint64_t pages = 0;
  std::optional<uint32_t> space;
  PITR_ASSIGN_OR_RETURN(space, core->store->NextSpace(path, 0));
  while (space) {
    PITR_ASSIGN_OR_RETURN(uint32_t size, core->store->SpaceSize(*space, path));
    pages += size;
    if (*space == UINT32_MAX) break;
    PITR_ASSIGN_OR_RETURN(space, core->store->NextSpace(path, *space + 1));
  }
  return pages * core->page_size;
}

}  // namespace

absl::StatusOr<BranchSizes> Engine::MeasureBranchSizes(
    const std::function<bool()>& cancelled) {
  if (core_->closed) return absl::FailedPreconditionError("the store is closed");
  const absl::Time start = absl::Now();
  // Branches first, then the scan: a branch made in between has its first
  // bytes counted as unowned, never lost.
  const std::vector<Branch> branches = core_->catalog->List();
  PITR_ASSIGN_OR_RETURN(PageStore::TimelineBytes physical,
                        core_->store->MeasureTimelines(cancelled));
  BranchSizes sizes;
  sizes.metadata_bytes = physical.other;
  sizes.records_scanned = physical.records;
  for (const Branch& branch : branches) {
    if (cancelled && cancelled()) {
      return absl::CancelledError("measuring branch sizes: cancelled");
    }
    absl::StatusOr<uint64_t> logical = LogicalSize(core_.get(), branch.id);
    if (absl::IsNotFound(logical.status())) continue;  // deleted meanwhile
    PITR_RETURN_IF_ERROR(logical.status());
    BranchSize size;
    size.branch = branch.id;
    size.name = branch.name;
    size.logical_bytes = *logical;
    auto owned = physical.by_timeline.find(branch.timeline);
    if (owned != physical.by_timeline.end()) {
      size.physical_bytes = owned->second;
      physical.by_timeline.erase(owned);
    }
    sizes.branches.push_back(std::move(size));
  }
  for (const auto& [timeline, bytes] : physical.by_timeline) {
    sizes.unowned_physical_bytes += bytes;
  }
  sizes.measured_at = absl::Now();
  sizes.took = sizes.measured_at - start;
  spdlog::debug("pitr: measured {} branches over {} records in {}",
                sizes.branches.size(), sizes.records_scanned,
                absl::FormatDuration(sizes.took));
  return sizes;
}

}  // namespace pitr
