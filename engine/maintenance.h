// Maintenance: the engine's background work and the state it keeps. One
// thread, started by Start and ended by Stop, that in turn
// - takes the snapshots their schedules make due,
// - materialises an image wherever a page's delta chain grew long (queued
//   by the applier; bounded, dropped when full: the page is picked up again
//   after its next deltas),
// - flushes the in-memory layer when its oldest change is flush_age old or
//   the WAL behind it holds flush_wal_bytes, then trims the WAL,
// - runs GC every gc_period.
// The work itself (reading a page, taking snapshots, GC) is the engine's,
// handed in as MaintenanceWork; flushing is done here.
//
// Locks: mu_ guards the queue, the dirty mark, the counters and the stop
// flag; flush_mu_ serialises flushes and is taken before mu_. No callback
// of MaintenanceWork is called with either held.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_MAINTENANCE_H_
#define PITR_ENGINE_MAINTENANCE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "engine/applier.h"
#include "engine/page_store.h"
#include "wal/wal.h"

namespace pitr {

struct MaintenanceOptions {
  absl::Duration flush_age = absl::Seconds(60);
  uint64_t flush_wal_bytes = 256 << 20;
  // absl::InfiniteDuration(): never by itself.
  absl::Duration gc_period = absl::Minutes(10);
  size_t max_pending_images = 100000;
  absl::Duration interval = absl::Milliseconds(100);
};

// What the background does through the engine.
struct MaintenanceWork {
  // Writes the image a task asks for; false if there was nothing to write
  // (the page is gone, or GC may have removed what it would be built from).
  std::function<absl::StatusOr<bool>(const ImageTask&)> materialize;
  std::function<absl::Status(absl::Time now)> run_snapshot_schedules;
  std::function<absl::Status()> run_gc;
  // The LSN of the last applied batch.
  std::function<Lsn()> latest_lsn;
  // The oldest LSN the WAL must keep for someone other than the store (an
  // archiver: what has not reached object storage yet); a flush trims the
  // WAL below the smaller of it and what the store holds. Unset: only the
  // store counts.
  std::function<Lsn()> wal_needed_from;
};

// What the background has done since open.
struct MaintenanceStats {
  uint64_t images_materialized = 0;
  uint64_t images_dropped = 0;  // tasks dropped because the queue was full
  uint64_t flushes = 0;
  Lsn flushed_lsn = 0;  // the WAL prefix the flushed layers hold
};

class Maintenance {
 public:
  // `store` and `wal` must outlive this object. `flushed_lsn`: what the
  // flushed layers hold at open.
  Maintenance(MaintenanceOptions options, PageStore* store, Wal* wal,
              MaintenanceWork work, Lsn flushed_lsn);
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;
  // REQUIRES: Stop was called, or Start never was.
  ~Maintenance();

  void Start();
  // Ends the thread (waiting for the work in hand). Idempotent.
  void Stop();

  // Queues an image (Applier's callback).
  void EnqueueImage(const ImageTask& task);
  // Materialises every queued image now, and waits for those another
  // thread (the background work) has taken but not finished: when it
  // returns, every image queued before the call is written.
  absl::Status MaterializePendingImages();
  // Notes that the in-memory layer holds changes not yet flushed.
  void MarkDirty();
  // Makes the in-memory layer persistent and trims the WAL below it (and
  // below MaintenanceWork::wal_needed_from).
  absl::Status Flush();
  // Notes a GC run (by the background or not): the next is a period later.
  void GcRan(absl::Time when);

  MaintenanceStats stats() const;

 private:
  void Loop();
  bool FlushDue() const;
  bool GcDue();

  const MaintenanceOptions options_;
  PageStore* const store_;
  Wal* const wal_;
  const MaintenanceWork work_;

  Mutex flush_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable Mutex mu_;
  CondVar work_available_;
  std::deque<ImageTask> pending_images_ ABSL_GUARDED_BY(mu_);
  // Images taken from pending_images_ and being written; images_done_ is
  // signalled when it drops to 0.
  int images_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  CondVar images_done_;
  std::optional<absl::Time> dirty_since_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Time> last_gc_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  MaintenanceStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace pitr

#endif  // PITR_ENGINE_MAINTENANCE_H_
