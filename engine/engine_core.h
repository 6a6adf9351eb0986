// EngineCore: the engine's private state, shared by its rooms. Engine
// (engine.h) owns one behind a pointer; the rooms it holds (PageReader,
// Maintenance, Snapshots, GarbageCollector, Backups, and the WAL archiver
// when there is a remote) work on the page store, the catalogs and the WAL it
// holds. Internal to engine/: nothing outside the engine includes it.
//
// Locks, in the order they are taken (each documented where it lives):
//   GarbageCollector::run_mu_    one GC run at a time
//   EngineCore::branch_mu        (below)
//   HistoryGuard::mu()           floors and horizons; reads hold it shared
//   HistoryGuard::pins_mu_       leases and export pins; never with mu()
// Maintenance's flush_mu_ and mu_, the WAL archiver's pass_mu_ and mu_,
// and the WAL's and the catalogs' own locks (a catalog's, then
// ArchivedCatalogStore's, then the archiver's mu_ as it publishes), are taken
// inside calls into those classes and never around a call back into the engine.
//
// branch_mu: appends hold it shared from the branch check to the WAL append;
// catalog changes (branches, snapshots, schedules, retention), GC planning
// and new leases and pins hold it exclusively, so no append straddles a
// restore and no branch is created at a point GC is about to collect.
#ifndef PITR_ENGINE_ENGINE_CORE_H_
#define PITR_ENGINE_ENGINE_CORE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "branch/catalog.h"
#include "branch/schedule_catalog.h"
#include "branch/space_catalog.h"
#include "engine/applier.h"
#include "engine/archived_catalog_store.h"
#include "engine/backups.h"
#include "engine/cold_history.h"
#include "engine/gc.h"
#include "engine/history_guard.h"
#include "engine/maintenance.h"
#include "engine/options.h"
#include "engine/hot_pages.h"
#include "engine/page_reader.h"
#include "engine/page_store.h"
#include "engine/point_in_time.h"
#include "engine/snapshots.h"
#include "remote/wal_archiver.h"
#include "wal/batch.h"
#include "wal/wal.h"

namespace pitr {

// One mutex per branch, made on first use and kept (a few bytes per branch
// ever written), for Engine::Append (see EngineCore::append_locks). Taken
// before branch_mu.
class BranchAppendLocks {
 public:
  std::shared_ptr<Mutex> For(BranchId branch) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Mutex mu_;
  std::map<BranchId, std::shared_ptr<Mutex>> locks_ ABSL_GUARDED_BY(mu_);
};

struct EngineCore {
  EngineCore(EngineOptions options, std::unique_ptr<PageStore> store,
             uint32_t page_size);
  EngineCore(const EngineCore&) = delete;
  EngineCore& operator=(const EngineCore&) = delete;

  // The LSN a read of `branch` asks for (nullopt: the latest), checked
  // against the branch's history: FAILED_PRECONDITION once closed,
  // NOT_FOUND for an unknown branch, OUT_OF_RANGE past the latest LSN or
  // below the branch's floor (the messages name the readable range).
  absl::StatusOr<Lsn> ResolveLsn(BranchId branch, std::optional<Lsn> lsn) const
      ABSL_SHARED_LOCKS_REQUIRED(history.mu());
  // The same for a point given as an LSN or a time.
  absl::StatusOr<Lsn> ResolvePoint(BranchId branch, const PointInTime& at) const
      ABSL_SHARED_LOCKS_REQUIRED(history.mu());
  // Checks a batch against the store: not empty, images of the page size,
  // deltas inside the page, no reserved page number (INVALID_ARGUMENT
  // naming the record).
  absl::Status ValidateBatch(const WalBatch& batch) const;
  // OUT_OF_RANGE if the batch's commit time (if it carries one) is more than
  // options.max_clock_skew ahead of the clock, naming both times. Only a
  // client's appends are checked: replicated and imported batches keep the
  // times their history has.
  absl::Status CheckCommitTime(const WalBatch& batch) const;
  // Where `branch` stands: the commit LSN of its own last batch, or its
  // branch point if it has none (0 for a root without commits).
  Lsn BranchLatest(const Branch& branch) const;
  // The time of the state at `lsn`: of the last commit at or before it, or
  // the store's creation (main's) before the first commit.
  absl::StatusOr<int64_t> TimeOfState(Lsn lsn) const;
  // Pins (timeline, lsn) against GC, and holds the timeline, until Unpin,
  // whatever happens to the branch that named it (exports, diffs).
  uint64_t PinPoint(TimelineId timeline, Lsn lsn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(branch_mu);
  void Unpin(uint64_t pin) ABSL_LOCKS_EXCLUDED(branch_mu);
  // The store-wide default retention: the one last set durably, else the
  // configured one.
  Retention default_retention() const;

  const EngineOptions options;
  const std::unique_ptr<PageStore> store;
  const uint32_t page_size;
  // Where the catalogs below keep their records.
  ArchivedCatalogStore catalog_store;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<ScheduleCatalog> schedules;
  std::unique_ptr<SpaceCatalog> spaces;
  // Per branch, the lock that makes a conditional append's check and append
  // one step: appends hold it shared, conditional ones exclusively.
  BranchAppendLocks append_locks;
  // Before the applier, which invalidates it, and the reader, which fills it.
  HotPages hot_pages;
  const std::unique_ptr<Applier> applier;
  std::unique_ptr<Wal> wal;
  // The LSN of the last applied batch: what "latest" means.
  std::atomic<Lsn> latest_lsn{0};
  std::atomic<bool> closed{false};
  uint64_t batches_replayed = 0;  // by recovery, at open

  mutable Mutex branch_mu;  // see the header comment
  HistoryGuard history;

  // The rooms.
  PageReader reader;
  std::unique_ptr<Maintenance> maintenance;
  // The WAL archive, once the store archives (EngineOptions::remote, from
  // Open on, or from Promote on for a replica), and the generation it
  // writes with; null and 0 before. Set once (SetArchive), then read from
  // any thread.
  remote::WalArchiver* archiver() const { return archiver_.load(); }
  uint64_t generation() const { return generation_.load(); }
  // Starts archiving the WAL (and the catalog's images) as `generation`,
  // which this data directory has claimed.
  absl::Status StartArchive(uint64_t generation);
  Snapshots snapshots;
  GarbageCollector gc;
  Backups backups;
  ColdHistory cold;
  // The LSN below which GC may leave history to the bucket alone
  // (EngineOptions::local_history; 0: none), as GarbageCollector::Run last
  // worked it out.
  std::atomic<Lsn> local_cutoff{0};

  // Read replicas (engine/replication.h). While the store is one: the
  // primary it follows, and how far the primary has archived its WAL (the
  // replica keeps its own WAL from there: once promoted, it archives what
  // the primary did not).
  bool replica() const { return replica_.load(); }
  std::string primary() const;
  // FAILED_PRECONDITION naming the primary on a replica; OK otherwise.
  absl::Status CheckWritable() const;
  void SetReplicaOf(std::optional<std::string> primary);
  std::atomic<Lsn> primary_archived_lsn{0};

 private:
  std::unique_ptr<remote::WalArchiver> owned_archiver_;
  std::atomic<remote::WalArchiver*> archiver_{nullptr};
  std::atomic<uint64_t> generation_{0};
  mutable Mutex role_mu_;
  std::string primary_ ABSL_GUARDED_BY(role_mu_);
  std::atomic<bool> replica_{false};
};

}  // namespace pitr

#endif  // PITR_ENGINE_ENGINE_CORE_H_
