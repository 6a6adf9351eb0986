// Engine: pitr's page store. Any page of any branch, as of any LSN.
//
// Append(batch) writes the batch to the WAL (group commit) and, before it
// returns, applies it to the in-memory layer, so it is readable at once at
// its commit LSN. GetPage(branch, key, lsn) returns the page as of that LSN:
// its newest image at or before it plus the deltas after, from the
// in-memory layer and the flushed layers (page_store.h). Background work
// (engine/maintenance.h) flushes old or large in-memory layers, trims the
// WAL below what is flushed, and materialises an image wherever a page's
// delta chain grows long, so a read stays cheap at every LSN. Reads never
// wait for it.
//
// On open, the WAL is replayed from the last LSN the flushed layers hold:
// after a crash the store reads exactly as before, up to the last
// acknowledged batch.
//
// Branches (branch/catalog.h): a branch reads and writes a timeline, and
// reads fall through to the timeline's ancestors at their branch points.
// Creating and restoring branches writes only catalog metadata. The root
// branch `main` (id kMainBranch, timeline kMainTimeline) always exists.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_ENGINE_H_
#define PITR_ENGINE_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "branch/catalog.h"
#include "engine/applier.h"
#include "engine/dump_format.h"
#include "engine/history_guard.h"
#include "engine/maintenance.h"
#include "engine/page_store.h"
#include "wal/batch.h"
#include "wal/wal.h"

namespace pitr {

inline constexpr BranchId kMainBranch = kMainBranchId;
// The page number that names no page (as PostgreSQL's InvalidBlockNumber).
inline constexpr uint32_t kInvalidPageNumber = 0xFFFFFFFF;

struct EngineOptions {
  // Data directory: the WAL in dir/wal, the page store in dir/pages.
  // Created if missing.
  std::string dir;
  // Page size in bytes, fixed when the store is created: a power of two from
  // 512 to 65536. 0 means 8192 for a new store, and whatever the store has
  // for an existing one (a different non-zero value is refused).
  uint32_t page_size = 0;

  // WAL.
  uint64_t wal_segment_size = 64 << 20;
  SyncPolicy sync = SyncPolicy::kEveryBatch;

  // In-memory layer: each memtable holds up to memtable_bytes; at most
  // max_memtables exist (the one being written and those waiting to be
  // flushed), after which appends slow down until flushing catches up.
  size_t memtable_bytes = 64 << 20;
  int max_memtables = 4;
  // A flush also happens when the oldest unflushed batch is this old, or
  // when the WAL holds this many bytes that are not flushed yet (which bounds
  // the replay after a crash).
  absl::Duration flush_age = absl::Seconds(60);
  uint64_t flush_wal_bytes = 256 << 20;

  // Cache of hot blocks and page images.
  size_t cache_bytes = 256 << 20;
  // Page images in RocksDB blob files (less write amplification).
  bool blob_files = true;
  // Materialise an image after this many deltas on a page.
  uint32_t image_after_deltas = 16;
  // History kept readable on branches that set no retention of their own,
  // until a default is set with Engine::SetDefaultRetention (which the
  // store keeps, and which then applies instead).
  Retention default_retention{absl::Hours(24 * 7), std::nullopt};
  // How often the background runs GC (absl::InfiniteDuration(): never; GC
  // then runs only when asked, Engine::RunGc).
  absl::Duration gc_period = absl::Minutes(10);

  // Images waiting to be materialised, at most (more are dropped; the page
  // is picked up again after its next image_after_deltas deltas).
  size_t max_pending_images = 100000;
  // How often background work looks for something to do.
  absl::Duration maintenance_interval = absl::Milliseconds(100);
};

// A point in a branch's history: an LSN, or a wall-clock time (the last
// commit at or before it), or, with neither, the latest.
struct PointInTime {
  std::optional<Lsn> lsn;
  std::optional<int64_t> timestamp_us;
};

// What a GC run did.
struct GcReport {
  uint64_t versions_examined = 0;
  uint64_t versions_removed = 0;
  uint64_t timelines_removed = 0;  // with all their data
  uint64_t store_bytes_before = 0;
  uint64_t store_bytes_after = 0;  // after compaction, if asked for
  absl::Duration took;
};

// The readable history of a branch: reads may ask for any LSN from
// oldest_lsn to latest_lsn.
struct HistoryBounds {
  Lsn oldest_lsn = 0;
  std::optional<int64_t> oldest_timestamp_us;  // of the commit at oldest_lsn
  Lsn latest_lsn = 0;
  std::optional<int64_t> latest_timestamp_us;
  Retention retention;  // in force: the branch's own or the default
};

// What an export wrote (Engine::ExportBranch).
struct ExportSummary {
  Lsn lsn = 0;               // the point exported
  int64_t timestamp_us = 0;  // its commit time (0: before the first commit)
  uint64_t spaces = 0;
  uint64_t pages = 0;
  uint64_t bytes = 0;  // of the dump
};

// What an import made (Engine::ImportDump).
struct ImportSummary {
  Branch branch;      // the new branch, with no parent
  Snapshot snapshot;  // of kind kImport, named as the branch, at its LSN
  DumpHeader source;  // the dump's provenance
  uint64_t spaces = 0;
  uint64_t pages = 0;
};

// The size of one branch (Engine::MeasureBranchSizes).
struct BranchSize {
  BranchId branch = 0;
  std::string name;
  // The database the branch shows at its latest LSN: the sum over every
  // space it sees (its own and inherited) of its size in pages, times the
  // page size. Pages never written inside that size count too.
  uint64_t logical_bytes = 0;
  // Key and value bytes the store holds for the branch's own timeline
  // (versions, images included, and space events), before compression; not
  // what it inherits.
  uint64_t physical_bytes = 0;
};

// What Engine::MeasureBranchSizes found.
struct BranchSizes {
  std::vector<BranchSize> branches;  // by branch id
  // Bytes of timelines no branch writes now: the old timelines of deleted
  // branches until GC reclaims them, imports in progress. The branches'
  // physical_bytes plus this are every byte of page data in the store.
  uint64_t unowned_physical_bytes = 0;
  uint64_t metadata_bytes = 0;  // catalog and store metadata records
  uint64_t records_scanned = 0;
  absl::Time measured_at;  // when the measurement ended
  absl::Duration took;
};

struct EngineStats {
  WalStats wal;
  uint64_t pages_read = 0;
  uint64_t deltas_applied_by_reads = 0;  // sum over reads
  uint64_t longest_chain_read = 0;       // most deltas one read applied
  uint64_t images_materialized = 0;
  uint64_t images_dropped = 0;  // tasks dropped because the queue was full
  uint64_t flushes = 0;
  Lsn flushed_lsn = 0;                 // the WAL prefix the flushed layers hold
  uint64_t batches_replayed = 0;       // by recovery when this engine opened
  uint64_t catalog_bytes_written = 0;  // branch/snapshot metadata, since open
  uint64_t store_bytes = 0;            // live SST and blob files
  uint64_t in_memory_bytes = 0;  // memtables, written and waiting to flush
  Lsn latest_lsn = 0;            // Engine::latest_lsn()
  Lsn wal_oldest_lsn = 0;        // the WAL holds [wal_oldest_lsn, latest_lsn]
  // GC runs since open (background and RunGc), and what they removed.
  uint64_t gc_runs = 0;
  uint64_t gc_versions_removed = 0;
  uint64_t gc_timelines_removed = 0;
  uint64_t gc_bytes_reclaimed = 0;  // store bytes before minus after, summed
};

class Engine {
 public:
  // Opens (creating if needed) the store in options.dir and recovers it.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(EngineOptions options);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // Closes (see Close).
  ~Engine();

  // A batch for `branch`, tagged with the timeline the branch writes now.
  absl::StatusOr<WalBatch> NewBatch(BranchId branch) const;

  // Appends batch to `branch` atomically; returns once it is durable and
  // readable. Refused, changing nothing: an unknown branch (NOT_FOUND); a
  // batch made for another timeline than the branch's (FAILED_PRECONDITION:
  // e.g. the branch was restored since NewBatch); an empty batch, a page
  // image of the wrong size, a delta reaching past the end of the page, or
  // page number 0xFFFFFFFF (INVALID_ARGUMENT); and the WAL's own errors
  // (Wal::Append).
  absl::StatusOr<AppendResult> Append(BranchId branch, const WalBatch& batch);
  // Appends to the branch that writes the batch's timeline now (for main,
  // WalBatch(kMainTimeline)).
  absl::StatusOr<AppendResult> Append(const WalBatch& batch);

  // Branches. Each is a metadata-only change, atomic across crashes.
  // CreateBranch: `name` from `parent` at `at` (see Catalog::Create for
  // idempotence and name rules). RestoreBranch: `source` at `at` in place of
  // `branch`, the old state kept as a backup branch. The point must be in
  // the source's history: OUT_OF_RANGE past its latest LSN or before its
  // first commit (for a timestamp).
  absl::StatusOr<Branch> CreateBranch(absl::string_view name, BranchId parent,
                                      const PointInTime& at);
  absl::StatusOr<Catalog::Restored> RestoreBranch(BranchId branch,
                                                  BranchId source,
                                                  const PointInTime& at);
  absl::StatusOr<std::vector<BranchId>> DeleteBranch(BranchId branch,
                                                     bool cascade);
  // Snapshots: named, read-only points (branch, LSN) that GC keeps until
  // they are deleted or expire (keep_for). A branch can start from one, or
  // be restored to one.
  absl::StatusOr<Snapshot> CreateSnapshot(
      absl::string_view name, BranchId branch, const PointInTime& at,
      std::optional<absl::Duration> keep_for = std::nullopt);
  absl::StatusOr<Snapshot> GetSnapshot(absl::string_view name) const;
  std::vector<Snapshot> ListSnapshots() const;
  absl::Status DeleteSnapshot(absl::string_view name);
  absl::StatusOr<Branch> CreateBranchFromSnapshot(absl::string_view name,
                                                  absl::string_view snapshot);
  absl::StatusOr<Catalog::Restored> RestoreBranchFromSnapshot(
      BranchId branch, absl::string_view snapshot);

  // Snapshot schedules: the background takes a snapshot of the branch at
  // its latest LSN every `every`, named "<schedule>-<UTC time>", and deletes
  // those beyond keep_last or older than keep_for.
  absl::Status CreateSnapshotSchedule(const SnapshotSchedule& schedule);
  std::vector<SnapshotSchedule> ListSnapshotSchedules() const;
  absl::Status DeleteSnapshotSchedule(absl::string_view name);
  // Takes the snapshots due at `now` and prunes; returns how many it took.
  absl::StatusOr<int> RunSnapshotSchedules(absl::Time now);

  // Leases: short-lived pins of a point of a branch's history, for readers
  // that need it to stay readable without making a branch. Kept in memory:
  // a restart drops them (holders renew).
  absl::StatusOr<uint64_t> CreateLease(BranchId branch, Lsn lsn,
                                       absl::Duration ttl);
  absl::Status RenewLease(uint64_t lease, absl::Duration ttl);
  absl::Status ReleaseLease(uint64_t lease);

  // Dumps (docs/dump-format.md). ExportBranch writes every page of the
  // branch as of `at` (inherited ones included) to `sink`, with constant
  // memory; the point stays pinned against GC until it returns, even if the
  // branch is deleted or restored meanwhile. Errors as for GetPage, and the
  // sink's own (which stop the export). ExportSnapshot: the same at a
  // snapshot's point.
  absl::StatusOr<ExportSummary> ExportBranch(
      BranchId branch, const PointInTime& at, const DumpSink& sink,
      const DumpProgress& progress = nullptr);
  absl::StatusOr<ExportSummary> ExportSnapshot(
      absl::string_view snapshot, const DumpSink& sink,
      const DumpProgress& progress = nullptr);
  // Loads the dump file at `dump_path` into a new root branch `name`, with
  // a snapshot `name` (kind kImport) at the imported point; history before
  // that point is not readable. The whole file is checked first, then the
  // pages go through the WAL in bounded batches, and the branch and the
  // snapshot appear together at the end. Refused with nothing visible:
  // a bad name (INVALID_ARGUMENT), a branch or snapshot `name` that exists
  // (ALREADY_EXISTS), a damaged or truncated dump (DATA_LOSS), another page
  // size than the store's (INVALID_ARGUMENT), progress cancelling; data
  // written by an import that did not finish (an error, a crash) is
  // reclaimed by GC.
  absl::StatusOr<ImportSummary> ImportDump(
      absl::string_view name, const std::string& dump_path,
      const DumpProgress& progress = nullptr);

  // Retention and GC. A branch's retention replaces the default when it
  // sets any field. GC never removes what a read inside any branch's
  // history needs (gc_policy.h); RunGc runs it now (and compacts, if asked,
  // so the disk space returns at once).
  absl::Status SetRetention(BranchId branch, const Retention& retention);
  // The store-wide default. SetDefaultRetention stores it durably in the
  // catalog: from then on it applies across restarts, in place of
  // EngineOptions::default_retention.
  absl::Status SetDefaultRetention(const Retention& retention);
  Retention default_retention() const;
  absl::StatusOr<HistoryBounds> GetHistoryBounds(BranchId branch) const;
  absl::StatusOr<GcReport> RunGc(bool compact = false);

  // The logical and physical size of every branch, and the bytes no branch
  // owns. A scan, for a background job, not for each request: physical
  // sizes read every record of the store once (O(versions); RocksDB 7.8
  // cannot tell a blob value's size without loading it, so every page
  // image is read too: the cost is about that of reading the whole store);
  // logical sizes take one GetSpaceSize per space a branch sees
  // (O(spaces x branches) seeks, each along the branch's read path).
  // Branches made or deleted while it runs may be missed or have their
  // bytes counted as unowned. It blocks no append, read or GC. `cancelled`
  // (if set) is asked now and then: once it says true, CANCELLED.
  absl::StatusOr<BranchSizes> MeasureBranchSizes(
      const std::function<bool()>& cancelled = nullptr);

  absl::StatusOr<Branch> GetBranch(BranchId branch) const;
  absl::StatusOr<Branch> FindBranch(absl::string_view name) const;
  std::vector<Branch> ListBranches() const;

  // The page as of `lsn` (default: the latest). NOT_FOUND if the branch is
  // unknown or the page does not exist then; OUT_OF_RANGE if lsn is past
  // the latest LSN (the message names it).
  absl::StatusOr<std::string> GetPage(BranchId branch, PageKey key,
                                      std::optional<Lsn> lsn = std::nullopt);
  // GetPage for many keys as of one LSN; one result per key, in order.
  absl::StatusOr<std::vector<absl::StatusOr<std::string>>> GetPages(
      BranchId branch, const std::vector<PageKey>& keys,
      std::optional<Lsn> lsn = std::nullopt);
  // The size of the space as of `lsn`: it grows to page + 1 when a page at
  // or past the end is written and shrinks to a truncation's page count
  // (docs/storage-format.md, "Values").
  absl::StatusOr<uint32_t> GetSpaceSize(BranchId branch, uint32_t space,
                                        std::optional<Lsn> lsn = std::nullopt);

  // The LSN of the last applied batch: what "latest" means.
  Lsn latest_lsn() const { return latest_lsn_.load(); }
  uint32_t page_size() const { return page_size_; }
  Wal& wal() { return *wal_; }

  // Makes the in-memory layer persistent now and trims the WAL below it.
  absl::Status Flush();
  // Materialises every pending image now (tests and tools; the background
  // does it anyway).
  absl::Status MaterializePendingImages();

  EngineStats stats() const;

  // Stops background work, flushes, closes the WAL. Later calls fail with
  // FAILED_PRECONDITION. Idempotent.
  absl::Status Close();

 private:
  Engine(EngineOptions options, std::unique_ptr<PageStore> store,
         uint32_t page_size);

  absl::Status Recover();
  absl::Status Validate(const WalBatch& batch) const;
  absl::StatusOr<Lsn> ResolvePoint(BranchId branch, const PointInTime& at) const
      ABSL_SHARED_LOCKS_REQUIRED(history_.mu());
  // The steps of a read of `key` along `path`, each with the truncation
  // that hides older versions, if any.
  absl::StatusOr<std::vector<PageStore::Step>> ReadSteps(
      PageKey key, const std::vector<ReadStep>& path,
      store_keys::Position first_as_of) const;
  // The LSN a read asks for, checked against the branch's history.
  absl::StatusOr<Lsn> ResolveLsn(BranchId branch, std::optional<Lsn> lsn) const
      ABSL_SHARED_LOCKS_REQUIRED(history_.mu());
  absl::StatusOr<PageRead> ReadPage(BranchId branch, PageKey key, Lsn lsn)
      ABSL_SHARED_LOCKS_REQUIRED(history_.mu());
  // The same along a read path (Catalog::ReadPath or TimelinePath) to lsn.
  absl::StatusOr<PageRead> ReadPageOnPath(PageKey key,
                                          const std::vector<ReadStep>& path,
                                          Lsn lsn)
      ABSL_SHARED_LOCKS_REQUIRED(history_.mu());
  // The page, or NOT_FOUND naming it.
  absl::StatusOr<std::string> PageOrNotFound(BranchId branch, PageKey key,
                                             Lsn at)
      ABSL_SHARED_LOCKS_REQUIRED(history_.mu());
  // WalOptions::on_durable.
  absl::Status ApplyDurable(const std::vector<DurableBatch>& group);

  // GC (gc.cc).
  struct GcPlan {
    std::map<BranchId, Lsn> floors;
    std::map<TimelineId, Lsn> horizons;
    std::vector<TimelineId> unused;
  };
  // Computes floors and horizons and publishes the floors.
  absl::StatusOr<GcPlan> PlanAndPublishGc()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(branch_mu_);
  // The branch's retention, or the default if it sets none.
  static Retention EffectiveRetention(const Branch& branch,
                                      const Retention& default_retention);
  std::string DescribeRetention(const Retention& retention) const;

  // Dumps (export.cc, import.cc). Pin keeps (timeline, lsn) readable and
  // the timeline known until Unpin, whatever happens to its branch.
  uint64_t Pin(TimelineId timeline, Lsn lsn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(branch_mu_);
  void Unpin(uint64_t pin);
  absl::StatusOr<ExportSummary> ExportPinned(TimelineId timeline,
                                             DumpHeader header,
                                             const DumpSink& sink,
                                             const DumpProgress& progress);
  // Writes the dump's pages to `timeline` through the WAL; returns the
  // commit LSN of the last batch.
  absl::StatusOr<Lsn> WriteImport(const std::string& dump_path,
                                  TimelineId timeline, uint64_t total_pages,
                                  const DumpProgress& progress);

  // The logical size of `branch` at its latest LSN (branch_sizes.cc).
  absl::StatusOr<uint64_t> LogicalSize(BranchId branch);

  // Writes the image `task` asks for (MaintenanceWork::materialize).
  absl::StatusOr<bool> MaterializeImage(const ImageTask& task);

  const EngineOptions options_;
  const std::unique_ptr<PageStore> store_;
  const uint32_t page_size_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Applier> applier_;
  // Appends hold it shared from the branch check to the WAL append; catalog
  // changes, GC planning and new leases hold it exclusively, so no append
  // straddles a restore and no branch is created at a point GC is about to
  // collect. Taken before history_'s locks.
  mutable Mutex branch_mu_;
  // Floors, horizons, leases and export pins (history_guard.h).
  HistoryGuard history_;
  Mutex gc_run_mu_;  // one GC run at a time
  std::unique_ptr<Wal> wal_;
  std::atomic<Lsn> latest_lsn_{0};

  // Background work: flushes, images, schedules, GC (maintenance.h).
  std::unique_ptr<Maintenance> maintenance_;
  uint64_t batches_replayed_ = 0;  // set by Recover
  std::atomic<bool> closed_{false};
  std::atomic<uint64_t> pages_read_{0};
  std::atomic<uint64_t> deltas_applied_by_reads_{0};
  std::atomic<uint64_t> longest_chain_read_{0};
  std::atomic<uint64_t> gc_runs_{0};
  std::atomic<uint64_t> gc_versions_removed_{0};
  std::atomic<uint64_t> gc_timelines_removed_{0};
  std::atomic<uint64_t> gc_bytes_reclaimed_{0};
};

}  // namespace pitr

#endif  // PITR_ENGINE_ENGINE_H_
