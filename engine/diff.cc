// Engine::DiffPages: the pages that differ between two points.
//
// The pages that may differ come from the change keys (CandidatePages,
// engine/changed_pages.h); each is read at both points and reported if it
// differs. The rest of the store is never looked at.
#include <set>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/changed_pages.h"
#include "engine/engine.h"
#include "engine/engine_core.h"

namespace pitr {
namespace {

// One end of a diff: the point, pinned, and how it reads.
struct DiffEnd {
  Lsn lsn = 0;
  std::vector<ReadStep> path;
  uint64_t pin = 0;
};

// Resolves `at` on `branch` and pins it.
absl::StatusOr<DiffEnd> PinEnd(EngineCore* core, BranchId branch,
                               const PointInTime& at)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(core->branch_mu) {
  PITR_ASSIGN_OR_RETURN(Branch b, core->catalog->Get(branch));
  DiffEnd end;
  {
    ReaderMutexLock gc(&core->history.mu());
    PITR_ASSIGN_OR_RETURN(end.lsn, core->ResolvePoint(branch, at));
    PITR_ASSIGN_OR_RETURN(end.path, core->catalog->ReadPath(branch, end.lsn));
    if (!core->history.IsLocal(end.path, end.lsn)) {
      return absl::FailedPreconditionError(
          absl::StrCat("lsn ", FormatLsn(end.lsn), " of branch \"", b.name,
                       "\" is older than the history this server's disk holds "
                       "(--local_history); a diff reaches local history only"));
    }
  }
  end.pin = core->PinPoint(b.timeline, end.lsn);
  return end;
}

}  // namespace

absl::StatusOr<DiffSummary> Engine::DiffPages(
    BranchId from, const PointInTime& from_at, BranchId to,
    const PointInTime& to_at, bool with_contents, const DiffSink& sink) {
  if (core_->closed)
    return absl::FailedPreconditionError("the store is closed");
  EngineCore* core = core_.get();
  DiffEnd a, b;
  absl::Status pinned_b;
  {
    MutexLock l(&core->branch_mu);
    PITR_ASSIGN_OR_RETURN(a, PinEnd(core, from, from_at));
    absl::StatusOr<DiffEnd> end = PinEnd(core, to, to_at);
    pinned_b = end.status();
    if (end.ok()) b = *std::move(end);
  }
  if (!pinned_b.ok()) {
    core->Unpin(a.pin);
    return pinned_b;
  }
  absl::Cleanup unpin = [&] {
    core->Unpin(a.pin);
    core->Unpin(b.pin);
  };

  PITR_ASSIGN_OR_RETURN(const std::set<PageKey> pages,
                        CandidatePages(*core->store, a.path, b.path));

  DiffSummary summary;
  summary.from_lsn = a.lsn;
  summary.to_lsn = b.lsn;
  summary.pages_compared = pages.size();
  for (PageKey key : pages) {
    PageRead before, after;
    {
      ReaderMutexLock gc(&core->history.mu());
      PITR_ASSIGN_OR_RETURN(before, core->reader.Read(key, a.path, a.lsn));
      PITR_ASSIGN_OR_RETURN(after, core->reader.Read(key, b.path, b.lsn));
    }
    if (before.page == after.page) continue;
    PageDiff diff;
    diff.key = key;
    if (!before.page) {
      diff.kind = PageDiff::Kind::kAdded;
      ++summary.added;
    } else if (!after.page) {
      diff.kind = PageDiff::Kind::kRemoved;
      ++summary.removed;
    } else {
      ++summary.changed;
    }
    if (with_contents) {
      diff.before = std::move(before.page);
      diff.after = std::move(after.page);
    }
    PITR_RETURN_IF_ERROR(sink(diff));
  }
  return summary;
}

}  // namespace pitr
