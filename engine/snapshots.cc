#include "engine/snapshots.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/engine_core.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace {

// Deletes the snapshots `schedule` took that expired by `now_us`, and its
// oldest beyond keep_last.
absl::Status Prune(Catalog* catalog, const SnapshotSchedule& schedule,
                   int64_t now_us) {
  std::vector<Snapshot> kept;
  for (const Snapshot& snap : catalog->ListSnapshots()) {
    if (snap.schedule != schedule.name) continue;
    if (snap.expires_us && *snap.expires_us <= now_us) {
      PITR_RETURN_IF_ERROR(catalog->DeleteSnapshot(snap.name));
    } else {
      kept.push_back(snap);
    }
  }
  std::sort(kept.begin(), kept.end(), [](const Snapshot& a, const Snapshot& b) {
    return a.created_us < b.created_us;
  });
  for (size_t i = 0;
       schedule.keep_last && i + *schedule.keep_last < kept.size(); ++i) {
    PITR_RETURN_IF_ERROR(catalog->DeleteSnapshot(kept[i].name));
  }
  return absl::OkStatus();
}

}  // namespace

Snapshots::Snapshots(EngineCore* core) : core_(core) {}

absl::StatusOr<Snapshot> Snapshots::Create(
    absl::string_view name, BranchId branch, const PointInTime& at,
    std::optional<absl::Duration> keep_for) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  Lsn lsn;
  {
    ReaderMutexLock gc(&core_->history.mu());
    PITR_ASSIGN_OR_RETURN(lsn, core_->ResolvePoint(branch, at));
  }
  const int64_t now = NowMicros();
  std::optional<int64_t> expires;
  if (keep_for) expires = now + absl::ToInt64Microseconds(*keep_for);
  PITR_ASSIGN_OR_RETURN(
      Snapshot snapshot,
      core_->catalog->CreateSnapshot(name, branch, lsn,
                                     Snapshot::Kind::kOnDemand, expires, now));
  spdlog::info("pitr: snapshot \"{}\" of branch #{} at lsn {}", snapshot.name,
               branch, FormatLsn(lsn));
  return snapshot;
}

absl::StatusOr<Snapshot> Snapshots::Get(absl::string_view name) const {
  return core_->catalog->GetSnapshot(name);
}

std::vector<Snapshot> Snapshots::List() const {
  return core_->catalog->ListSnapshots();
}

absl::Status Snapshots::Delete(absl::string_view name) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  return core_->catalog->DeleteSnapshot(name);
}

absl::StatusOr<Branch> Snapshots::CreateBranch(absl::string_view name,
                                               absl::string_view snapshot) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  PITR_ASSIGN_OR_RETURN(Snapshot snap, core_->catalog->GetSnapshot(snapshot));
  PITR_ASSIGN_OR_RETURN(
      Branch branch,
      core_->catalog->CreateFromSnapshot(name, snapshot, NowMicros()));
  core_->history.SetFloors({{branch.id, snap.lsn}});  // its history starts there
  return branch;
}

absl::StatusOr<Catalog::Restored> Snapshots::RestoreBranch(
    BranchId branch, absl::string_view snapshot) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);
  PITR_ASSIGN_OR_RETURN(Snapshot snap, core_->catalog->GetSnapshot(snapshot));
  Lsn old_floor;
  {
    ReaderMutexLock gc(&core_->history.mu());
    old_floor = core_->history.FloorOf(branch);
  }
  PITR_ASSIGN_OR_RETURN(
      Catalog::Restored restored,
      core_->catalog->RestoreFromSnapshot(branch, snapshot, NowMicros()));
  core_->history.SetFloors(
      {{restored.branch.id, snap.lsn}, {restored.backup.id, old_floor}});
  return restored;
}

absl::Status Snapshots::ExpireDue(absl::Time now) {
  MutexLock l(&core_->branch_mu);
  for (const Snapshot& s : core_->catalog->ListSnapshots()) {
    if (s.expires_us && *s.expires_us <= absl::ToUnixMicros(now)) {
      spdlog::info("pitr: snapshot \"{}\" expired", s.name);
      PITR_RETURN_IF_ERROR(core_->catalog->DeleteSnapshot(s.name));
    }
  }
  return absl::OkStatus();
}

absl::Status Snapshots::CreateSchedule(const SnapshotSchedule& schedule) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  // A bad schedule is INVALID_ARGUMENT before an unknown branch is
  // NOT_FOUND (Create checks it again, for its other callers).
  PITR_RETURN_IF_ERROR(ScheduleCatalog::Check(schedule));
  MutexLock l(&core_->branch_mu);  // the branch stays while it is checked
  PITR_RETURN_IF_ERROR(core_->catalog->Get(schedule.branch).status());
  return core_->schedules->Create(schedule);
}

std::vector<SnapshotSchedule> Snapshots::ListSchedules() const {
  return core_->schedules->List();
}

absl::Status Snapshots::DeleteSchedule(absl::string_view name) {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock l(&core_->branch_mu);  // not in the middle of RunSchedules' step
  return core_->schedules->Delete(name);
}

absl::StatusOr<int> Snapshots::RunSchedules(absl::Time now) {
  const int64_t now_us = absl::ToUnixMicros(now);
  int taken = 0;
  for (const SnapshotSchedule& s : core_->schedules->List()) {
    if (s.last_taken_us != 0 &&
        now_us - s.last_taken_us < absl::ToInt64Microseconds(s.every)) {
      continue;
    }
    MutexLock l(&core_->branch_mu);
    absl::StatusOr<Branch> branch = core_->catalog->Get(s.branch);
    if (!branch.ok()) continue;  // its branch is gone; the schedule idles
    std::optional<int64_t> expires;
    if (s.keep_for) expires = now_us + absl::ToInt64Microseconds(*s.keep_for);
    const std::string name = absl::StrCat(
        s.name, "-",
        absl::FormatTime("%Y%m%dT%H%M%E6SZ", now, absl::UTCTimeZone()));
    PITR_RETURN_IF_ERROR(core_->catalog
                             ->CreateSnapshot(name, s.branch,
                                              core_->latest_lsn.load(),
                                              Snapshot::Kind::kScheduled,
                                              expires, now_us, s.name)
                             .status());
    PITR_RETURN_IF_ERROR(core_->schedules->MarkRun(s.name, now_us));
    ++taken;
    PITR_RETURN_IF_ERROR(Prune(core_->catalog.get(), s, now_us));
  }
  return taken;
}

}  // namespace pitr
