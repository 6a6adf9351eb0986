// The engine's snapshots and leases: points of history that GC keeps.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/engine.h"
#include "spdlog/spdlog.h"

namespace pitr {

absl::StatusOr<Snapshot> Engine::CreateSnapshot(
    absl::string_view name, BranchId branch, const PointInTime& at,
    std::optional<absl::Duration> keep_for) {
  MutexLock l(&branch_mu_);
  Lsn lsn;
  {
    ReaderMutexLock gc(&history_.mu());
    PITR_ASSIGN_OR_RETURN(lsn, ResolvePoint(branch, at));
  }
  const int64_t now = NowMicros();
  std::optional<int64_t> expires;
  if (keep_for) expires = now + absl::ToInt64Microseconds(*keep_for);
  PITR_ASSIGN_OR_RETURN(
      Snapshot snapshot,
      catalog_->CreateSnapshot(name, branch, lsn, Snapshot::Kind::kOnDemand,
                               expires, now));
  spdlog::info("pitr: snapshot \"{}\" of branch #{} at lsn {}", snapshot.name,
               branch, FormatLsn(lsn));
  return snapshot;
}

absl::StatusOr<Snapshot> Engine::GetSnapshot(absl::string_view name) const {
  return catalog_->GetSnapshot(name);
}

std::vector<Snapshot> Engine::ListSnapshots() const {
  return catalog_->ListSnapshots();
}

absl::Status Engine::DeleteSnapshot(absl::string_view name) {
  MutexLock l(&branch_mu_);
  return catalog_->DeleteSnapshot(name);
}

absl::StatusOr<Branch> Engine::CreateBranchFromSnapshot(
    absl::string_view name, absl::string_view snapshot) {
  MutexLock l(&branch_mu_);
  PITR_ASSIGN_OR_RETURN(Snapshot snap, catalog_->GetSnapshot(snapshot));
  PITR_ASSIGN_OR_RETURN(
      Branch branch, catalog_->CreateFromSnapshot(name, snapshot, NowMicros()));
  history_.SetFloors({{branch.id, snap.lsn}});  // its history starts there
  return branch;
}

absl::StatusOr<Catalog::Restored> Engine::RestoreBranchFromSnapshot(
    BranchId branch, absl::string_view snapshot) {
  MutexLock l(&branch_mu_);
  PITR_ASSIGN_OR_RETURN(Snapshot snap, catalog_->GetSnapshot(snapshot));
  Lsn old_floor;
  {
    ReaderMutexLock gc(&history_.mu());
    old_floor = history_.FloorOf(branch);
  }
  PITR_ASSIGN_OR_RETURN(
      Catalog::Restored restored,
      catalog_->RestoreFromSnapshot(branch, snapshot, NowMicros()));
  history_.SetFloors(
      {{restored.branch.id, snap.lsn}, {restored.backup.id, old_floor}});
  return restored;
}

absl::Status Engine::CreateSnapshotSchedule(const SnapshotSchedule& schedule) {
  MutexLock l(&branch_mu_);
  return catalog_->CreateSchedule(schedule);
}

std::vector<SnapshotSchedule> Engine::ListSnapshotSchedules() const {
  return catalog_->ListSchedules();
}

absl::Status Engine::DeleteSnapshotSchedule(absl::string_view name) {
  MutexLock l(&branch_mu_);
  return catalog_->DeleteSchedule(name);
}

absl::StatusOr<int> Engine::RunSnapshotSchedules(absl::Time now) {
  const int64_t now_us = absl::ToUnixMicros(now);
  int taken = 0;
  for (const SnapshotSchedule& s : catalog_->ListSchedules()) {
    if (s.last_taken_us != 0 &&
        now_us - s.last_taken_us < absl::ToInt64Microseconds(s.every)) {
      continue;
    }
    MutexLock l(&branch_mu_);
    absl::StatusOr<Branch> branch = catalog_->Get(s.branch);
    if (!branch.ok()) continue;  // its branch is gone; the schedule idles
    std::optional<int64_t> expires;
    if (s.keep_for) expires = now_us + absl::ToInt64Microseconds(*s.keep_for);
    const std::string name = absl::StrCat(
        s.name, "-",
        absl::FormatTime("%Y%m%dT%H%M%E6SZ", now, absl::UTCTimeZone()));
    PITR_RETURN_IF_ERROR(catalog_
                             ->CreateSnapshot(name, s.branch, latest_lsn(),
                                              Snapshot::Kind::kScheduled,
                                              expires, now_us, s.name)
                             .status());
    PITR_RETURN_IF_ERROR(catalog_->MarkScheduleRun(s.name, now_us));
    ++taken;
    // Prune: expired ones, and the oldest beyond keep_last.
    std::vector<Snapshot> mine;
    for (const Snapshot& snap : catalog_->ListSnapshots()) {
      if (snap.schedule != s.name) continue;
      if (snap.expires_us && *snap.expires_us <= now_us) {
        PITR_RETURN_IF_ERROR(catalog_->DeleteSnapshot(snap.name));
      } else {
        mine.push_back(snap);
      }
    }
    std::sort(mine.begin(), mine.end(),
              [](const Snapshot& a, const Snapshot& b) {
                return a.created_us < b.created_us;
              });
    for (size_t i = 0; s.keep_last && i + *s.keep_last < mine.size(); ++i) {
      PITR_RETURN_IF_ERROR(catalog_->DeleteSnapshot(mine[i].name));
    }
  }
  return taken;
}

absl::StatusOr<uint64_t> Engine::CreateLease(BranchId branch, Lsn lsn,
                                             absl::Duration ttl) {
  MutexLock l(&branch_mu_);
  {
    ReaderMutexLock gc(&history_.mu());
    PITR_RETURN_IF_ERROR(ResolveLsn(branch, lsn).status());
  }
  PITR_ASSIGN_OR_RETURN(Branch b, catalog_->Get(branch));
  return history_.AddPin(b.timeline, lsn, absl::Now() + ttl);
}

absl::Status Engine::RenewLease(uint64_t lease, absl::Duration ttl) {
  const absl::Time now = absl::Now();
  return history_.RenewPin(lease, now, now + ttl);
}

absl::Status Engine::ReleaseLease(uint64_t lease) {
  if (!history_.RemovePin(lease)) {
    return absl::NotFoundError(
        absl::StrCat("lease ", lease, " does not exist"));
  }
  return absl::OkStatus();
}

}  // namespace pitr
