// HistoryGuard: what keeps history readable while GC deletes. One per
// engine.
//
// It holds what GC last published, the floor of each branch (the oldest LSN
// a read of it may ask for), the horizon of each timeline (below which GC
// may delete versions) and its local horizon (below which the local disk
// may no longer hold them: EngineOptions::local_history; reads there go to
// the bucket, engine/cold_history.h), and the pins that hold exact points of a timeline:
// leases (with an expiry; kept in memory, a restart drops them) and export
// pins (leases that never expire, removed when the export ends).
//
// Locks and their order:
// - mu_ guards floors and horizons. A read holds it shared (mu()) from the
//   check of its LSN against the floor to the end of the read; GC takes it
//   exclusively in Publish, so it waits for every read checked against the
//   old floors before it deletes below the new ones.
// - pins_mu_ guards the pins. It is never held with mu_.
// - Engine's branch lock is taken before either (GC plans, and leases are
//   made, under it, so no pin appears while GC plans).
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_HISTORY_GUARD_H_
#define PITR_ENGINE_HISTORY_GUARD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "branch/catalog_types.h"

namespace pitr {

class HistoryGuard {
 public:
  HistoryGuard() = default;
  HistoryGuard(const HistoryGuard&) = delete;
  HistoryGuard& operator=(const HistoryGuard&) = delete;

  // The lock a read holds shared while it checks and reads (see above).
  Mutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }

  // The oldest LSN a read of `branch` may ask for (0 before GC published a
  // floor for it).
  Lsn FloorOf(BranchId branch) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // True if GC may have deleted versions of `timeline` at or before
  // `commit_lsn` (it is at or below the timeline's horizon).
  bool MayBeCollected(TimelineId timeline, Lsn commit_lsn) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Sets the floors of branches just made or restored, until GC computes
  // them all again.
  void SetFloors(const std::map<BranchId, Lsn>& floors)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets the floors of deleted branches.
  void ForgetFloors(const std::vector<BranchId>& branches)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Replaces the floors and horizons, waiting for the reads in progress.
  // Local horizons only rise (a timeline's stays where it was if
  // `local_horizons` has a lower one or none).
  void Publish(std::map<BranchId, Lsn> floors,
               std::map<TimelineId, Lsn> horizons,
               const std::map<TimelineId, Lsn>& local_horizons)
      ABSL_LOCKS_EXCLUDED(mu_);
  // True if the local disk holds every version a read along `path` at
  // `lsn` needs: each step's point is at or above its timeline's local
  // horizon.
  bool IsLocal(const std::vector<ReadStep>& path, Lsn lsn) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The oldest LSN from `floor` to `latest` at which reads along `path`
  // (a branch's path at its latest) are local: each later read is too.
  // nullopt if none is.
  std::optional<Lsn> LocalFrom(const std::vector<ReadStep>& path, Lsn floor,
                               Lsn latest) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The local horizons (what GC keeps to itself and persists).
  std::map<TimelineId, Lsn> LocalHorizons() const ABSL_LOCKS_EXCLUDED(mu_);

  // Pins (timeline, lsn) until `expires`; returns the pin's id (ids are
  // never reused).
  uint64_t AddPin(TimelineId timeline, Lsn lsn, absl::Time expires)
      ABSL_LOCKS_EXCLUDED(pins_mu_);
  // Moves a live pin's expiry to `expires`; NOT_FOUND (naming it) if the
  // pin does not exist or has expired at `now`.
  absl::Status RenewPin(uint64_t pin, absl::Time now, absl::Time expires)
      ABSL_LOCKS_EXCLUDED(pins_mu_);
  // Removes a pin; returns its timeline, or nothing if there was no such
  // pin.
  std::optional<TimelineId> RemovePin(uint64_t pin)
      ABSL_LOCKS_EXCLUDED(pins_mu_);
  // Forgets the pins expired at `now` and returns the points the others
  // hold, for GC.
  std::vector<std::pair<TimelineId, Lsn>> LivePins(absl::Time now)
      ABSL_LOCKS_EXCLUDED(pins_mu_);

 private:
  struct Pin {
    TimelineId timeline;
    Lsn lsn = 0;
    absl::Time expires;
  };

  mutable Mutex mu_;
  std::map<BranchId, Lsn> floors_ ABSL_GUARDED_BY(mu_);
  std::map<TimelineId, Lsn> horizons_ ABSL_GUARDED_BY(mu_);
  std::map<TimelineId, Lsn> local_horizons_ ABSL_GUARDED_BY(mu_);

  Mutex pins_mu_;
  std::map<uint64_t, Pin> pins_ ABSL_GUARDED_BY(pins_mu_);
  uint64_t next_pin_ ABSL_GUARDED_BY(pins_mu_) = 1;
};

}  // namespace pitr

#endif  // PITR_ENGINE_HISTORY_GUARD_H_
