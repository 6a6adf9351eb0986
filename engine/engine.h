// Engine: pitr's page store. Any page of any branch, as of any LSN.
//
// Append(batch) writes the batch to the WAL (group commit) and, before it
// returns, applies it to the in-memory layer, so it is readable at once at
// its commit LSN. GetPage(branch, key, lsn) returns the page as of that LSN:
// its newest image at or before it plus the deltas after, from the
// in-memory layer and the flushed layers (page_reader.h, page_store.h).
// Background work (maintenance.h) flushes old or large in-memory layers,
// trims the WAL below what is flushed, and materialises an image wherever a
// page's delta chain grows long, so a read stays cheap at every LSN. Reads
// never wait for it.
//
// On open, the WAL is replayed from the last LSN the flushed layers hold
// (recovery.h): after a crash the store reads exactly as before, up to the
// last acknowledged batch.
//
// Branches (branch/catalog.h): a branch reads and writes a timeline, and
// reads fall through to the timeline's ancestors at their branch points.
// Creating and restoring branches writes only catalog metadata. The root
// branch `main` (id kMainBranch, timeline kMainTimeline) always exists.
// Snapshots and their schedules are reached through snapshots()
// (snapshots.h), garbage collection through gc() (gc.h).
//
// Engine is the one entry point; its state and its rooms live behind one
// pointer (engine_core.h, docs/architecture.md).
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_ENGINE_H_
#define PITR_ENGINE_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "branch/catalog.h"
#include "branch/space_catalog.h"
#include "engine/backups.h"
#include "engine/dump_format.h"
#include "engine/gc.h"
#include "engine/options.h"
#include "engine/point_in_time.h"
#include "engine/replication.h"
#include "engine/snapshots.h"
#include "remote/catalog_archive.h"
#include "remote/wal_archiver.h"
#include "wal/batch.h"
#include "wal/wal.h"

namespace pitr {

inline constexpr BranchId kMainBranch = kMainBranchId;

struct EngineCore;

// The readable history of a branch: reads may ask for any LSN from
// oldest_lsn to latest_lsn.
// Each LSN comes with the time of the state there: of the last commit at or
// before it, or the store's creation before the first commit.
struct HistoryBounds {
  Lsn oldest_lsn = 0;
  int64_t oldest_timestamp_us = 0;
  // Where the branch stands: its own last commit, or its branch point if it
  // has none yet (reads up to the store's latest LSN see this same state).
  Lsn latest_lsn = 0;
  int64_t latest_timestamp_us = 0;
  Retention retention;  // in force: the branch's own or the default
  // Reads from here to latest_lsn are served from the local disk; from
  // oldest_lsn up to here, from the bucket (EngineOptions::local_history:
  // the first read of a cold point fetches, later ones do not). nullopt:
  // every read of the branch is cold (it starts from a point the local
  // disk no longer held when it was made).
  std::optional<Lsn> local_oldest_lsn;
  std::optional<int64_t> local_oldest_timestamp_us;
};

// What an export wrote (Engine::ExportBranch).
struct ExportSummary {
  Lsn lsn = 0;               // the point exported
  Lsn base_lsn = 0;          // an incremental export's base (0: full)
  int64_t timestamp_us = 0;  // its commit time (0: before the first commit)
  uint64_t spaces = 0;
  uint64_t pages = 0;
  uint64_t bytes = 0;  // of the dump
};

// One page that differs between two points (Engine::DiffPages), as seen
// going from the first point to the second.
struct PageDiff {
  enum class Kind {
    kAdded = 1,    // absent at the first point
    kChanged = 2,  // present at both, other bytes
    kRemoved = 3,  // absent at the second point (truncated away)
  };
  PageKey key;
  Kind kind = Kind::kChanged;
  // With contents: the page at each point where it exists.
  std::optional<std::string> before;
  std::optional<std::string> after;
};
using DiffSink = std::function<absl::Status(const PageDiff&)>;

// What a diff compared.
struct DiffSummary {
  Lsn from_lsn = 0;
  Lsn to_lsn = 0;
  uint64_t pages_compared = 0;  // pages changed on either side, read twice
  uint64_t added = 0;
  uint64_t changed = 0;
  uint64_t removed = 0;
};

// Where a branch stands: the LSN it was read at and the timeline it read
// then (a restore gives it a new one). Engine::GetChanges returns one;
// Engine::Append can be made conditional on one.
struct BranchPosition {
  Lsn lsn = 0;
  TimelineId timeline;
  friend bool operator==(const BranchPosition& a, const BranchPosition& b) {
    return a.lsn == b.lsn && a.timeline == b.timeline;
  }
};

// What changed in one space of a branch since a position
// (Engine::GetChanges).
struct SpaceChanges {
  BranchPosition position;   // where the branch stands now
  uint32_t space_pages = 0;  // the space's size at position.lsn
  // The pages that may differ since the earlier position (a superset of
  // those that do), in increasing order; empty if all_changed.
  std::vector<uint32_t> pages;
  // The earlier position cannot be compared: every page may differ.
  bool all_changed = false;
};

// What an import made (Engine::ImportDump).
struct ImportSummary {
  // A full dump: the new branch, with no parent. An incremental one: the
  // branch it was applied to.
  Branch branch;
  // A full dump: of kind kImport, named as the branch, at its LSN.
  std::optional<Snapshot> snapshot;
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

// What reads of history only the bucket holds have cost since the engine
// opened (EngineOptions::local_history; engine/cold_history.h).
struct ColdHistoryStats {
  uint64_t reads = 0;          // reads (a page, a size, an export) served cold
  uint64_t stores_built = 0;   // fetches from the bucket
  uint64_t bytes_fetched = 0;  // by those builds (backup files and WAL)
  uint64_t stores_evicted = 0;
  uint64_t cache_bytes = 0;   // the cold stores kept now
  absl::Duration build_time;  // of every build, summed
};

struct EngineStats {
  WalStats wal;
  uint64_t pages_read = 0;
  uint64_t deltas_applied_by_reads = 0;  // sum over reads
  uint64_t longest_chain_read = 0;       // most deltas one read applied
  uint64_t hot_page_hits = 0;            // reads the hot pages answered
  uint64_t hot_page_bytes = 0;           // what the hot pages hold now
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
  // GC runs since open (background and gc().Run), and what they removed.
  uint64_t gc_runs = 0;
  uint64_t gc_versions_removed = 0;
  uint64_t gc_timelines_removed = 0;
  uint64_t gc_bytes_reclaimed = 0;  // GcReport::bytes_reclaimed, summed
  // The WAL archive (EngineOptions::remote), if there is one.
  bool archiving = false;
  std::string archive_remote;       // RemoteStorage::Describe()
  uint64_t archive_generation = 0;  // this engine's claim on the prefix
  remote::WalArchiverStats archive;
  absl::Duration archive_lag;  // WalArchiver::Lag at latest_lsn
  BackupStats backups;         // base backups (with a remote)
  ColdHistoryStats cold;       // reads of history only the bucket holds
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
  // page number 0xFFFFFFFF (INVALID_ARGUMENT); a commit time more than
  // options.max_clock_skew ahead of the clock (OUT_OF_RANGE); and the WAL's
  // own errors (Wal::Append).
  absl::StatusOr<AppendResult> Append(BranchId branch, const WalBatch& batch);
  // The same, only if the branch still stands at `expected`: it still
  // writes expected.timeline (not restored since) and has no commit after
  // expected.lsn. Otherwise ABORTED naming where it stands, and nothing is
  // written. The check and the append are one step for that branch.
  absl::StatusOr<AppendResult> Append(BranchId branch, const WalBatch& batch,
                                      const BranchPosition& expected);
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
  absl::StatusOr<Branch> GetBranch(BranchId branch) const;
  absl::StatusOr<Branch> FindBranch(absl::string_view name) const;
  std::vector<Branch> ListBranches() const;
  // The timelines of deleted branches that branches or snapshots still
  // read through (Catalog::UnnamedAncestors), and any timeline by id.
  std::vector<Timeline> UnnamedAncestors() const;
  absl::StatusOr<Timeline> GetTimeline(TimelineId timeline) const;

  // Base backups in the bucket (backups.h).
  Backups& backups();

  // Snapshots and their schedules (snapshots.h).
  Snapshots& snapshots();
  const Snapshots& snapshots() const;

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
  // sink's own (which stop the export). With `since`, an incremental dump:
  // only what changed between the branch's state at `since` and at `at`
  // (INVALID_ARGUMENT unless since resolves after lsn 0 and at or before
  // `at`; FAILED_PRECONDITION if it is older than the local disk holds);
  // its cost grows with those changes, not with the size of the branch.
  // ExportSnapshot: a full dump at a snapshot's point.
  absl::StatusOr<ExportSummary> ExportBranch(
      BranchId branch, const PointInTime& at, const DumpSink& sink,
      const DumpProgress& progress = nullptr,
      const std::optional<PointInTime>& since = std::nullopt);
  absl::StatusOr<ExportSummary> ExportSnapshot(
      absl::string_view snapshot, const DumpSink& sink,
      const DumpProgress& progress = nullptr);
  // The pages that differ between `from`'s state at `from_at` and `to`'s at
  // `to_at` (any two points: one branch, a branch and its parent, a
  // restore's backup and the restored branch, unrelated branches), by page
  // key order within each kind of source, each passed to `sink` (which
  // stops the diff by returning an error). Its cost grows with the page
  // changes between the points (found timeline by timeline in the change
  // keys, store_keys::ChangeKey), not with the size of the store; both
  // points stay pinned until it returns. Errors as for GetPage at each
  // point; FAILED_PRECONDITION for a point older than the local disk
  // holds (EngineOptions::local_history).
  absl::StatusOr<DiffSummary> DiffPages(BranchId from,
                                        const PointInTime& from_at, BranchId to,
                                        const PointInTime& to_at,
                                        bool with_contents,
                                        const DiffSink& sink);
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
  //
  // An incremental dump (DumpHeader::incremental) applies instead to the
  // existing branch `name`, moving it, in one commit at the end, to the
  // dump's state: only if the branch holds the dump's base, i.e. its last
  // import (full or incremental) was the base state of the same source
  // store, and nothing wrote or restored it since (FAILED_PRECONDITION
  // naming both states otherwise; NOT_FOUND for no such branch). Its
  // readable history then starts at the new state.
  absl::StatusOr<ImportSummary> ImportDump(
      absl::string_view name, const std::string& dump_path,
      const DumpProgress& progress = nullptr);

  // Named spaces (branch/space_catalog.h): the same id on every branch.
  // ResolveSpace with `create` makes the space on first use (refused on a
  // read replica), else NOT_FOUND for an unknown name; INVALID_ARGUMENT for
  // a bad name.
  absl::StatusOr<NamedSpace> ResolveSpace(absl::string_view name, bool create);
  std::vector<NamedSpace> ListSpaces() const;  // by name
  // Where `branch` stands now (reads at position.lsn see its current state)
  // and which pages of `space` may have changed since `since` (an earlier
  // position of it, e.g. what a client's cache holds): from the change keys
  // between the two, so its cost grows with those changes, not with the
  // space. all_changed when `since` is unset, on a timeline GC has
  // forgotten, or older than the branch's readable or local history.
  absl::StatusOr<SpaceChanges> GetChanges(
      BranchId branch, uint32_t space,
      const std::optional<BranchPosition>& since);

  // Retention. A branch's retention replaces the default when it sets any
  // field. GC (gc()) never removes what a read inside any branch's history
  // needs (gc_policy.h).
  absl::Status SetRetention(BranchId branch, const Retention& retention);
  // The store-wide default. SetDefaultRetention stores it durably in the
  // catalog: from then on it applies across restarts, in place of
  // EngineOptions::default_retention.
  absl::Status SetDefaultRetention(const Retention& retention);
  Retention default_retention() const;
  absl::StatusOr<HistoryBounds> GetHistoryBounds(BranchId branch) const;
  // Garbage collection (gc.h); gc().Run() runs it now.
  GarbageCollector& gc();

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
  Lsn latest_lsn() const;
  // How far the WAL is in the bucket (EngineOptions::remote); 0 while the
  // store does not archive.
  Lsn archived_lsn() const;
  // Blocks until latest_lsn() >= lsn (OK), the deadline passes
  // (DEADLINE_EXCEEDED naming both LSNs) or the store closes (CANCELLED).
  absl::Status WaitForLsn(Lsn lsn, absl::Time deadline) const;
  uint32_t page_size() const;
  // The store's id (Catalog::store_id): dumps name it, so an incremental
  // dump applies only where its base came from.
  StoreId store_id() const;
  Wal& wal();

  // Makes the in-memory layer persistent now and trims the WAL below it.
  absl::Status Flush();
  // Materialises every pending image now (tests and tools; the background
  // does it anyway).
  absl::Status MaterializePendingImages();

  EngineStats stats() const;

  // Read replicas (replication.h). The primary a replica follows; nullopt
  // on a primary.
  std::optional<std::string> replica_of() const;
  // On a replica: appends a batch the primary committed at [start_lsn,
  // commit_lsn), with its commit time (batch.timestamp_us(), which must be
  // set), at the same LSNs, in a new segment if it began one there.
  // FAILED_PRECONDITION if it does not start where this log ends or writes
  // a timeline the catalog does not know yet; DATA_LOSS if it lands
  // elsewhere than on the primary (the replica must be rebuilt).
  absl::Status ApplyReplicated(const WalBatch& batch, Lsn start_lsn,
                               Lsn commit_lsn, bool starts_segment);
  // The same for a batch as a log reader returns it.
  absl::Status ApplyCommittedBatch(const CommittedBatch& batch,
                                   bool starts_segment);
  // On a replica: takes the primary's catalog, as it was at image.lsn. In
  // order, each once the replica holds the log up to its LSN and before
  // any later batch (CatalogChangesSince gives them so); an image of a
  // later LSN is taken too (a replica too far behind for the primary to
  // still hold each change: its branches are ahead of its pages until the
  // log catches up).
  absl::Status ApplyCatalogImage(const remote::CatalogImage& image);
  // On a replica: how far the primary has archived (its WAL is kept from
  // there).
  void SetPrimaryArchivedLsn(Lsn lsn);
  // On a replica: applies what the bucket holds of the primary's history
  // past this log's end (the primary no longer holds it, or is gone).
  absl::StatusOr<ArchiveCatchUp> CatchUpFromArchive();
  // Makes a replica the primary (see replication.h). The caller has stopped
  // following the old primary. FAILED_PRECONDITION on a primary.
  absl::StatusOr<PromoteReport> Promote();
  // The catalog's changes after the first `after` (as images, what a
  // replica takes, oldest first), while the store still holds each; else
  // only the catalog as it is now (ArchivedCatalogStore::ChangesSince).
  // catalog_changes(): how many changes there were so far.
  absl::StatusOr<CatalogChanges> CatalogChangesSince(uint64_t after) const;
  uint64_t catalog_changes() const;

  // Stops background work, flushes, closes the WAL. Later calls fail with
  // FAILED_PRECONDITION. Idempotent.
  absl::Status Close();

 private:
  friend class ColdHistory;  // reads a cold store's page store directly
  explicit Engine(std::unique_ptr<EngineCore> core);
  // Both Appends: the checks, the append under the branch's append lock,
  // and the wait for the archive (EngineOptions::archive_sync).
  absl::StatusOr<AppendResult> AppendAndArchive(
      BranchId branch, const WalBatch& batch,
      const std::optional<BranchPosition>& expected);
  // ImportDump's work for an incremental dump, checked already.
  absl::StatusOr<ImportSummary> ImportChanges(absl::string_view name,
                                              const std::string& dump_path,
                                              ImportSummary summary,
                                              const DumpProgress& progress);

  const std::unique_ptr<EngineCore> core_;
};

}  // namespace pitr

#endif  // PITR_ENGINE_ENGINE_H_
