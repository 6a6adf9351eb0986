// GarbageCollector: retention enforced. A run expires the snapshots whose
// time is up (Snapshots::ExpireDue), then plans (under the engine's branch
// lock, so no branch changes meanwhile) and deletes:
//   1. Plan: every branch's floor and every timeline's horizon are computed from
//      the retention windows, the branch points, the snapshots and the live
//      pins (gc_policy.h); the horizons are recorded durably in the
//      catalog and the floors published (HistoryGuard::Publish, which waits
//      for reads checked against the old ones).
//   2. Delete, in batches and without the branch lock: versions below each
//      horizon that no read needs any more, and all data of timelines no
//      branch reads; then the catalog forgets those timelines. Deletes are
//      ordinary RocksDB deletes; compaction (Run(compact=true)) gives the
//      space back at once.
// The engine plans once at open too, so reads are checked against floors
// from the start.
//
// Locks: run_mu_ lets one run at a time and is taken before the engine's
// branch lock (EngineCore::branch_mu). The counters are atomics.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_GC_H_
#define PITR_ENGINE_GC_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "engine/gc_progress.h"

namespace pitr {

struct EngineCore;

// What a GC run did. The sizes are the page store's live files on disk
// (PageStore::LiveBytes). A run first flushes what is in memory, which
// adds to the files (bytes_flushed); store_bytes_before is measured after
// that flush, so before and after compare what GC itself changed.
// Deletes free space only once compaction drops the deleted versions (at
// once with compact, else in RocksDB's own time), and writes during the
// run add to the size after: bytes_reclaimed, before minus after when
// positive, is what the run gave back by its end, never negative.
struct GcReport {
  uint64_t versions_examined = 0;
  uint64_t versions_removed = 0;
  uint64_t timelines_removed = 0;  // with all their data
  uint64_t bytes_flushed = 0;      // added to the files by GC's flush
  uint64_t store_bytes_before = 0;  // after GC's flush
  uint64_t store_bytes_after = 0;   // after compaction, if asked for
  uint64_t bytes_reclaimed = 0;
  absl::Duration took;
};

// What GC runs have done since the engine opened.
struct GcStats {
  uint64_t runs = 0;  // background and asked for
  uint64_t versions_removed = 0;
  uint64_t timelines_removed = 0;
  uint64_t bytes_reclaimed = 0;  // GcReport::bytes_reclaimed, summed
};

class GarbageCollector {
 public:
  // What a plan decided.
  struct Plan {
    std::map<BranchId, Lsn> floors;
    std::map<TimelineId, Lsn> horizons;
    // What the local disk keeps (EngineOptions::local_history): at or
    // above the horizons; what GC deletes.
    std::map<TimelineId, Lsn> local_horizons;
    std::vector<TimelineId> unused;  // timelines no branch reads
    // Of the timelines nothing writes any more that some reader passes
    // through (deleted branches'): the newest point read on each.
    std::map<TimelineId, Lsn> ceilings;
  };

  // `core` must outlive the collector.
  explicit GarbageCollector(EngineCore* core);
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

  // One whole run, now: a flush, the plan, the deletes and, with
  // `compact`, a compaction. `progress` (if not null) hears how far it has
  // got (gc_progress.h), on this thread. FAILED_PRECONDITION once the
  // store is closed.
  absl::StatusOr<GcReport> Run(bool compact = false,
                               const GcProgressFn& progress = nullptr)
      ABSL_LOCKS_EXCLUDED(run_mu_);

  // Step 1 alone: plans and publishes the floors, deleting nothing. Takes
  // the branch lock.
  absl::StatusOr<Plan> PlanAndPublish();

  GcStats stats() const;

 private:
  // The LSN below which the local disk may leave history to the bucket
  // (EngineOptions::local_history): the point local_history ago, but not
  // past what is archived nor past the newest base backup, and 0 (none)
  // until a backup reaches back to the oldest point retention keeps. Lists
  // the bucket's backups: not under the branch lock.
  Lsn LocalCutoff() const;
  // Step 2: deletes what `plan` lets go, counting into `report` and
  // telling `progress` of each version examined.
  absl::Status DeleteCollected(const Plan& plan, GcReport* report,
                               GcProgressReporter* progress)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);

  EngineCore* const core_;
  Mutex run_mu_;
  std::atomic<uint64_t> runs_{0};
  std::atomic<uint64_t> versions_removed_{0};
  std::atomic<uint64_t> timelines_removed_{0};
  std::atomic<uint64_t> bytes_reclaimed_{0};
};

}  // namespace pitr

#endif  // PITR_ENGINE_GC_H_
