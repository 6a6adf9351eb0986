// HistoryGuard: what keeps history readable while GC deletes. One per
// engine.
//
// It holds what GC last published, the floor of each branch (the oldest LSN
// a read of it may ask for) and the horizon of each timeline (below which GC
// may delete versions), and the pins that hold exact points of a timeline:
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
  void Publish(std::map<BranchId, Lsn> floors,
               std::map<TimelineId, Lsn> horizons) ABSL_LOCKS_EXCLUDED(mu_);

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

  Mutex pins_mu_;
  std::map<uint64_t, Pin> pins_ ABSL_GUARDED_BY(pins_mu_);
  uint64_t next_pin_ ABSL_GUARDED_BY(pins_mu_) = 1;
};

}  // namespace pitr

#endif  // PITR_ENGINE_HISTORY_GUARD_H_
