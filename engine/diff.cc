// Engine::DiffPages: the pages that differ between two points.
//
// Two points read along two paths (Catalog::ReadPath). A page can differ
// only if one path sees a change of it that the other does not: on a
// timeline both paths read, a change between their two caps; on a timeline
// only one reads, any change up to its cap. Those changes are short ranges
// of the change keys (store_keys::ChangeKey, timeline first), plus the
// truncations in the same ranges (the pages they cut). Each page so found
// is read at both points and reported if it differs; the rest of the store
// is never looked at.
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
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
      return absl::FailedPreconditionError(absl::StrCat(
          "lsn ", FormatLsn(end.lsn), " of branch \"", b.name,
          "\" is older than the history this server's disk holds "
          "(--local_history); a diff reaches local history only"));
    }
  }
  end.pin = core->PinPoint(b.timeline, end.lsn);
  return end;
}

// Per timeline, the commit LSNs (after, up_to] whose changes one path sees
// and the other does not.
std::map<TimelineId, std::pair<Lsn, Lsn>> DiffRanges(
    const std::vector<ReadStep>& a, const std::vector<ReadStep>& b) {
  std::map<TimelineId, Lsn> caps_a, caps_b;
  for (const ReadStep& step : a) caps_a[step.timeline] = step.up_to;
  for (const ReadStep& step : b) caps_b[step.timeline] = step.up_to;
  std::map<TimelineId, std::pair<Lsn, Lsn>> ranges;
  for (const auto& [timeline, cap] : caps_a) {
    auto other = caps_b.find(timeline);
    if (other == caps_b.end()) {
      ranges[timeline] = {0, cap};
    } else if (other->second != cap) {
      ranges[timeline] = {std::min(cap, other->second),
                          std::max(cap, other->second)};
    }
  }
  for (const auto& [timeline, cap] : caps_b) {
    if (caps_a.count(timeline) == 0) ranges[timeline] = {0, cap};
  }
  return ranges;
}

}  // namespace

absl::StatusOr<DiffSummary> Engine::DiffPages(BranchId from,
                                              const PointInTime& from_at,
                                              BranchId to,
                                              const PointInTime& to_at,
                                              bool with_contents,
                                              const DiffSink& sink) {
  if (core_->closed) return absl::FailedPreconditionError("the store is closed");
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
  PageStore& store = *core->store;

  std::set<PageKey> pages;
  for (const auto& [timeline, range] : DiffRanges(a.path, b.path)) {
    const auto [after, up_to] = range;
    PITR_RETURN_IF_ERROR(store.ForEachChange(
        timeline, after, up_to, [&pages](PageKey key) { pages.insert(key); }));
    PITR_ASSIGN_OR_RETURN(auto cuts, store.Truncations(timeline, after, up_to));
    for (const auto& [space, count] : cuts) {
      // The pages it cut, as far as either point has pages there.
      PITR_ASSIGN_OR_RETURN(uint32_t size_a, store.SpaceSize(space, a.path));
      PITR_ASSIGN_OR_RETURN(uint32_t size_b, store.SpaceSize(space, b.path));
      for (uint32_t page = count; page < std::max(size_a, size_b); ++page) {
        pages.insert({space, page});
      }
    }
  }

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
