// Snapshots: named, read-only points (branch, LSN) that GC keeps until they
// are deleted or expire, and the schedules that take them. A snapshot
// records its timeline, so it keeps naming the same state after its branch
// is restored; a branch can start from one, or be restored to one. Each
// change is a catalog change, metadata only, atomic across crashes.
//
// Schedules: RunSchedules (called by the background, engine/maintenance.h)
// takes a snapshot of each schedule's branch at the latest LSN every
// `every`, named "<schedule>-<UTC time>", and deletes that schedule's
// snapshots beyond keep_last or older than keep_for.
//
// Locks: none of its own. Every change takes the engine's branch lock
// (EngineCore::branch_mu) exclusively, and reads the history under
// HistoryGuard::mu() shared, in that order.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_SNAPSHOTS_H_
#define PITR_ENGINE_SNAPSHOTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "branch/catalog.h"
#include "engine/point_in_time.h"

namespace pitr {

struct EngineCore;

class Snapshots {
 public:
  // `core` must outlive the snapshots.
  explicit Snapshots(EngineCore* core);
  Snapshots(const Snapshots&) = delete;
  Snapshots& operator=(const Snapshots&) = delete;

  // A snapshot `name` of `branch` at `at`, kept for `keep_for` if given
  // (else until deleted). The point must be in the branch's history, as
  // for Engine::CreateBranch; names as for Catalog::CreateSnapshot.
  absl::StatusOr<Snapshot> Create(
      absl::string_view name, BranchId branch, const PointInTime& at,
      std::optional<absl::Duration> keep_for = std::nullopt);
  absl::StatusOr<Snapshot> Get(absl::string_view name) const;
  std::vector<Snapshot> List() const;
  absl::Status Delete(absl::string_view name);
  // A new branch `name` whose history starts at the snapshot's point.
  absl::StatusOr<Branch> CreateBranch(absl::string_view name,
                                      absl::string_view snapshot);
  // `branch` restored to the snapshot's point, its old state kept as a
  // backup branch (as Engine::RestoreBranch).
  absl::StatusOr<Catalog::Restored> RestoreBranch(BranchId branch,
                                                  absl::string_view snapshot);
  // Deletes every snapshot whose expiry is at or before `now` (GC does,
  // before it plans).
  absl::Status ExpireDue(absl::Time now);

  absl::Status CreateSchedule(const SnapshotSchedule& schedule);
  std::vector<SnapshotSchedule> ListSchedules() const;
  absl::Status DeleteSchedule(absl::string_view name);
  // Takes the snapshots due at `now` and prunes; returns how many it took.
  absl::StatusOr<int> RunSchedules(absl::Time now);

 private:
  EngineCore* const core_;
};

}  // namespace pitr

#endif  // PITR_ENGINE_SNAPSHOTS_H_
