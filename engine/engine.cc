#include "engine/engine.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "engine/engine_core.h"
#include "engine/gc_policy.h"
#include "engine/recovery.h"
#include "engine/remote_restore.h"
#include "engine/replication.h"
#include "engine/upgrade.h"
#include "remote/generation.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace sk = store_keys;

namespace {

constexpr uint32_t kDefaultPageSize = 8192;

absl::Status CheckPageSize(uint32_t size) {
  if (size < 512 || size > 65536 || (size & (size - 1)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page size ", size, " is not a power of two from 512 to 65536 bytes"));
  }
  return absl::OkStatus();
}

// The page size of the store: set on creation, checked afterwards.
absl::StatusOr<uint32_t> SettlePageSize(PageStore* store, uint32_t requested) {
  PITR_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        store->GetMeta(sk::kMetaPageSize));
  if (stored) {
    std::optional<uint32_t> size = sk::DecodeU32(*stored);
    if (!size) return absl::DataLossError("page store: malformed page size");
    if (requested != 0 && requested != *size) {
      return absl::InvalidArgumentError(
          absl::StrCat("the store was created with page size ", *size,
                       "; it cannot be opened with page size ", requested));
    }
    return *size;
  }
  const uint32_t size = requested == 0 ? kDefaultPageSize : requested;
  PITR_RETURN_IF_ERROR(CheckPageSize(size));
  rocksdb::WriteBatch write;
  write.Put(sk::MetaKey(sk::kMetaPageSize), sk::EncodeU32(size));
  write.Put(sk::MetaKey(sk::kMetaFormatVersion),
            sk::EncodeU32(sk::kFormatVersion));
  PITR_RETURN_IF_ERROR(store->Write(&write));
  PITR_RETURN_IF_ERROR(store->Flush());  // RocksDB's own WAL is off
  return size;
}

// WalOptions::on_durable: applies a group of durable batches, in order.
absl::Status ApplyDurable(EngineCore* core,
                          const std::vector<DurableBatch>& group) {
  std::vector<BatchToApply> batches;
  batches.reserve(group.size());
  for (const DurableBatch& d : group) {
    batches.push_back(
        {d.batch->timeline(), d.result.commit_lsn, d.batch->RecordViews()});
  }
  PITR_RETURN_IF_ERROR(core->applier->Apply(batches));
  core->latest_lsn = group.back().result.commit_lsn;
  core->maintenance->MarkDirty();
  return absl::OkStatus();
}

MaintenanceOptions MaintenanceOptionsOf(const EngineOptions& options) {
  MaintenanceOptions maintenance;
  maintenance.flush_age = options.flush_age;
  maintenance.flush_wal_bytes = options.flush_wal_bytes;
  maintenance.gc_period = options.gc_period;
  maintenance.max_pending_images = options.max_pending_images;
  maintenance.interval = options.maintenance_interval;
  return maintenance;
}

// What the background does through the engine's rooms.
MaintenanceWork MaintenanceWorkOf(EngineCore* core) {
  MaintenanceWork work;
  work.materialize = [core](const ImageTask& task) -> absl::StatusOr<bool> {
    // GC may already have removed versions this image would be built from;
    // no read needs an image there any more.
    if (core->history.MayBeCollected(task.timeline, task.at.commit_lsn)) {
      return false;
    }
    PITR_ASSIGN_OR_RETURN(
        std::vector<ReadStep> path,
        core->catalog->TimelinePath(task.timeline, task.at.commit_lsn));
    return core->reader.Materialize(task, path);
  };
  work.run_snapshot_schedules = [core](absl::Time now) {
    // A replica's snapshots are its primary's.
    if (core->replica()) return absl::OkStatus();
    return core->snapshots.RunSchedules(now).status();
  };
  work.run_gc = [core] { return core->gc.Run().status(); };
  work.latest_lsn = [core] { return core->latest_lsn.load(); };
  work.wal_needed_from = [core] {
    if (core->archiver() != nullptr) return core->archiver()->archived_lsn();
    const Lsn latest = core->latest_lsn.load();
    if (core->replica()) {
      return std::min(latest, core->primary_archived_lsn.load());
    }
    return latest;
  };
  return work;
}

// Brings the store in `core` up to date: the catalogs, the applier's state,
// the WAL (replayed from the LSN the flushed layers hold), the background
// work (not started yet) and GC's first floors.
absl::Status Recover(EngineCore* core) {
  PITR_ASSIGN_OR_RETURN(core->catalog, Catalog::Open(&core->catalog_store));
  PITR_ASSIGN_OR_RETURN(core->schedules,
                        ScheduleCatalog::Open(&core->catalog_store));
  PITR_ASSIGN_OR_RETURN(core->spaces,
                        SpaceCatalog::Open(&core->catalog_store));
  if (std::optional<Retention> stored = core->catalog->default_retention()) {
    spdlog::info(
        "pitr: default retention {}, as last set with SetDefaultRetention "
        "(the configured {} does not apply)",
        gc_policy::DescribeRetention(*stored),
        gc_policy::DescribeRetention(core->options.default_retention));
  }
  PITR_RETURN_IF_ERROR(core->applier->Load());
  PITR_ASSIGN_OR_RETURN(const Lsn applied, AppliedLsn(*core->store));

  WalOptions wal_options;
  wal_options.dir = JoinPath(core->options.dir, "wal");
  wal_options.segment_size = core->options.wal_segment_size;
  wal_options.sync = core->options.sync;
  wal_options.on_durable = [core](const std::vector<DurableBatch>& group) {
    return ApplyDurable(core, group);
  };
  PITR_ASSIGN_OR_RETURN(core->wal, Wal::Open(wal_options));
  PITR_RETURN_IF_ERROR(CheckWalCoversStore(applied, *core->wal));
  core->maintenance = std::make_unique<Maintenance>(
      MaintenanceOptionsOf(core->options), core->store.get(), core->wal.get(),
      MaintenanceWorkOf(core), applied);

  // Replay what the flushed layers do not hold yet.
  const Lsn end = core->wal->end_lsn();
  PITR_ASSIGN_OR_RETURN(core->batches_replayed,
                        ReplayWal(core->wal.get(), applied, *core->catalog,
                                  core->applier.get()));
  if (core->batches_replayed > 0) core->maintenance->MarkDirty();
  // Batches written before this process never passed Invalidate: no read
  // before the end may fill the hot pages.
  core->hot_pages.InvalidateAll(end);
  core->latest_lsn = end;
  if (!core->replica()) {
    PITR_RETURN_IF_ERROR(core->snapshots.ExpireDue(absl::Now()));
  }
  // What earlier GC runs left to the bucket stays there.
  PITR_ASSIGN_OR_RETURN(std::optional<std::string> local,
                        core->store->GetMeta(sk::kMetaLocalHorizons));
  if (local) {
    std::optional<std::map<TimelineId, Lsn>> horizons =
        sk::DecodeLocalHorizons(*local);
    if (!horizons) {
      return absl::DataLossError("page store: malformed local horizons");
    }
    core->history.Publish({}, {}, *horizons);
  }
  PITR_RETURN_IF_ERROR(core->gc.PlanAndPublish().status());
  spdlog::info("pitr: store {} open, page size {}, latest lsn {}",
               core->options.dir, core->page_size, FormatLsn(end));
  return absl::OkStatus();
}

// Where a read of `branch` at `lsn` (nullopt: the latest) finds its pages:
// the LSN it resolves to, its read path, and the local store or, for
// history the local disk no longer holds, a cold store from the bucket.
struct ReadSource {
  Lsn at = 0;
  std::vector<ReadStep> path;
  ColdHistory::Source source;
  bool cold = false;
};

// Resolves the read under the history lock; a local read then reads under
// the same lock (`read` runs inside it), a cold one after it is released
// (a fetch from the bucket must not hold up GC, nor the appends behind
// it).
template <typename Read>
auto ReadAt(EngineCore* core, BranchId branch, std::optional<Lsn> lsn,
            Read&& read) -> decltype(read(std::declval<const ReadSource&>())) {
  ReadSource source;
  {
    ReaderMutexLock gc(&core->history.mu());
    PITR_ASSIGN_OR_RETURN(source.at, core->ResolveLsn(branch, lsn));
    PITR_ASSIGN_OR_RETURN(source.path, core->catalog->ReadPath(branch, source.at));
    if (core->history.IsLocal(source.path, source.at)) {
      source.source.store = core->store.get();
      source.source.reader = &core->reader;
      return read(source);
    }
  }
  source.cold = true;
  PITR_ASSIGN_OR_RETURN(source.source,
                        core->cold.SourceFor(source.path, source.at));
  return read(source);
}

// The page, or NOT_FOUND naming it.
absl::StatusOr<std::string> PageOrNotFound(EngineCore* core, BranchId branch,
                                           PageKey key,
                                           const ReadSource& from) {
  if (key.page == kInvalidPageNumber) {
    return absl::InvalidArgumentError(
        "page number 4294967295 is reserved; pages are 0 to 4294967294");
  }
  PITR_ASSIGN_OR_RETURN(PageRead read,
                        from.source.reader->Read(key, from.path, from.at));
  if (!read.page) {
    PITR_ASSIGN_OR_RETURN(Branch b, core->catalog->Get(branch));
    return absl::NotFoundError(
        absl::StrCat("page ", FormatPageKey(key), " does not exist on branch \"",
                     b.name, "\" at lsn ", FormatLsn(from.at)));
  }
  return std::move(*read.page);
}

// A data directory that was opened as a replica (the file REPLICA) opens
// only as one until it is promoted; a new replica records its primary
// there.
absl::Status CheckReplicaRole(const EngineOptions& options) {
  FileSystem* fs = FileSystem::Default();
  const std::string marker = JoinPath(options.dir, kReplicaMarker);
  absl::StatusOr<std::string> primary = ReadWholeFile(fs, marker);
  if (!primary.ok() && !absl::IsNotFound(primary.status())) {
    return primary.status();
  }
  if (options.replica_of.empty()) {
    if (!primary.ok()) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        options.dir, " is a read replica of ", *primary, " (the file ",
        kReplicaMarker, "): start it as one, or promote it to make it a "
        "primary"));
  }
  if (options.remote == nullptr) {
    return absl::InvalidArgumentError(
        "a read replica needs the primary's bucket (EngineOptions::remote)");
  }
  // A replica starts from a restore of its primary's bucket: an empty
  // store would have none of the primary's history nor its page size.
  std::error_code error;
  if (!std::filesystem::exists(JoinPath(options.dir, "pages"), error)) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.dir, " holds no store: a replica starts from a restore of "
        "its primary's bucket (RestoreFromRemote, detached)"));
  }
  if (primary.ok() && *primary == options.replica_of) return absl::OkStatus();
  if (primary.ok()) {
    spdlog::info("pitr: replica {} now follows {} (was {})", options.dir,
                 options.replica_of, *primary);
  }
  return WriteFileDurably(fs, marker, options.replica_of);
}

// Claims the next generation of the remote prefix for this data directory
// and starts archiving the WAL there (StartArchive, engine_core.h).
absl::Status ClaimAndStartArchive(EngineCore* core) {
  remote::RemoteStorage* storage = core->options.remote;
  const std::string& dir = core->options.dir;
  PITR_ASSIGN_OR_RETURN(std::optional<remote::LocalClaim> last,
                        remote::ReadLocalClaim(dir));
  PITR_ASSIGN_OR_RETURN(
      remote::Generation generation,
      remote::ClaimGeneration(storage, last, core->wal->end_lsn(),
                              remote::NewHolder(),
                              [&dir](const remote::LocalClaim& claim) {
                                return remote::WriteLocalClaim(dir, claim);
                              }));
  return core->StartArchive(generation.number);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("EngineOptions::dir is empty");
  }
  if (options.page_size != 0)
    PITR_RETURN_IF_ERROR(CheckPageSize(options.page_size));
  if (options.image_after_deltas == 0) {
    return absl::InvalidArgumentError(
        "EngineOptions::image_after_deltas must be positive");
  }
  PITR_RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(options.dir));
  if (FileSystem::Default()
          ->FileSize(JoinPath(options.dir, kRestoringMarker))
          .ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.dir, " holds a restore from the bucket that did not finish ",
        "(the file ", kRestoringMarker, "): restore again into it"));
  }
  PageStoreOptions store_options;
  store_options.dir = JoinPath(options.dir, "pages");
  store_options.memtable_bytes = options.memtable_bytes;
  store_options.max_memtables = options.max_memtables;
  store_options.cache_bytes = options.cache_bytes;
  store_options.blob_files = options.blob_files;
  PITR_RETURN_IF_ERROR(CheckReplicaRole(options));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<PageStore> store,
                        PageStore::Open(store_options));
  PITR_ASSIGN_OR_RETURN(uint32_t page_size,
                        SettlePageSize(store.get(), options.page_size));
  PITR_RETURN_IF_ERROR(UpgradeStoreFormat(store.get()));

  auto engine = std::unique_ptr<Engine>(new Engine(std::make_unique<EngineCore>(
      std::move(options), std::move(store), page_size)));
  EngineCore* core = engine->core_.get();
  if (!core->options.replica_of.empty()) {
    core->SetReplicaOf(core->options.replica_of);
  }
  PITR_RETURN_IF_ERROR(Recover(core));
  if (core->options.remote != nullptr && !core->replica()) {
    PITR_RETURN_IF_ERROR(ClaimAndStartArchive(core));
    PITR_RETURN_IF_ERROR(core->backups.Start());
  }
  core->maintenance->Start();
  return engine;
}

Engine::Engine(std::unique_ptr<EngineCore> core) : core_(std::move(core)) {}

Engine::~Engine() {
  absl::Status s = Close();
  if (!s.ok())
    spdlog::error("closing store {}: {}", core_->options.dir, s.ToString());
}

absl::Status Engine::Close() {
  if (core_->closed.exchange(true)) return absl::OkStatus();
  absl::Status status = absl::OkStatus();
  core_->backups.Stop();
  core_->cold.Close();
  if (core_->maintenance != nullptr) {
    core_->maintenance->Stop();
    // Queued images would otherwise be lost (they are re-derived, but
    // only when the page next changes).
    status = core_->maintenance->MaterializePendingImages();
    if (status.ok()) status = core_->maintenance->Flush();
  }
  if (core_->archiver() != nullptr) {
    core_->archiver()->Stop();
    // What it has not uploaded yet stays in the WAL for the next start.
    absl::Status archived = core_->archiver()->ArchiveNow();
    if (!archived.ok()) {
      spdlog::warn("pitr: closing with the WAL archived up to lsn {}: {}",
                   FormatLsn(core_->archiver()->archived_lsn()),
                   archived.ToString());
    }
  }
  if (core_->wal != nullptr) {
    absl::Status closed = core_->wal->Close();
    if (status.ok()) status = closed;
  }
  return status;
}

absl::StatusOr<std::string> Engine::GetPage(BranchId branch, PageKey key,
                                            std::optional<Lsn> lsn) {
  EngineCore* core = core_.get();
  return ReadAt(core, branch, lsn,
                [&](const ReadSource& from) -> absl::StatusOr<std::string> {
                  return PageOrNotFound(core, branch, key, from);
                });
}

absl::StatusOr<std::vector<absl::StatusOr<std::string>>> Engine::GetPages(
    BranchId branch, const std::vector<PageKey>& keys, std::optional<Lsn> lsn) {
  EngineCore* core = core_.get();
  using Pages = std::vector<absl::StatusOr<std::string>>;
  return ReadAt(core, branch, lsn,
                [&](const ReadSource& from) -> absl::StatusOr<Pages> {
                  Pages pages;
                  pages.reserve(keys.size());
                  for (PageKey key : keys) {
                    pages.push_back(PageOrNotFound(core, branch, key, from));
                  }
                  return pages;
                });
}

absl::StatusOr<uint32_t> Engine::GetSpaceSize(BranchId branch, uint32_t space,
                                              std::optional<Lsn> lsn) {
  return ReadAt(core_.get(), branch, lsn,
                [&](const ReadSource& from) -> absl::StatusOr<uint32_t> {
                  return from.source.store->SpaceSize(space, from.path);
                });
}

Lsn Engine::latest_lsn() const { return core_->latest_lsn.load(); }

Lsn Engine::archived_lsn() const {
  const remote::WalArchiver* archiver = core_->archiver();
  return archiver != nullptr ? archiver->archived_lsn() : 0;
}

uint32_t Engine::page_size() const { return core_->page_size; }

StoreId Engine::store_id() const { return core_->catalog->store_id(); }

Wal& Engine::wal() { return *core_->wal; }

Snapshots& Engine::snapshots() { return core_->snapshots; }

const Snapshots& Engine::snapshots() const { return core_->snapshots; }

GarbageCollector& Engine::gc() { return core_->gc; }

Backups& Engine::backups() { return core_->backups; }

absl::Status Engine::Flush() { return core_->maintenance->Flush(); }

absl::Status Engine::MaterializePendingImages() {
  return core_->maintenance->MaterializePendingImages();
}

EngineStats Engine::stats() const {
  EngineStats stats;
  const MaintenanceStats background = core_->maintenance->stats();
  stats.images_materialized = background.images_materialized;
  stats.images_dropped = background.images_dropped;
  stats.flushes = background.flushes;
  stats.flushed_lsn = background.flushed_lsn;
  stats.batches_replayed = core_->batches_replayed;
  const GcStats gc = core_->gc.stats();
  stats.gc_runs = gc.runs;
  stats.gc_versions_removed = gc.versions_removed;
  stats.gc_timelines_removed = gc.timelines_removed;
  stats.gc_bytes_reclaimed = gc.bytes_reclaimed;
  const ReadStats reads = core_->reader.stats();
  stats.pages_read = reads.pages_read;
  stats.deltas_applied_by_reads = reads.deltas_applied;
  stats.longest_chain_read = reads.longest_chain_read;
  stats.hot_page_hits = reads.hot_page_hits;
  stats.hot_page_bytes = core_->hot_pages.bytes();
  stats.wal = core_->wal->stats();
  stats.cold = core_->cold.stats();
  stats.store_bytes = core_->store->LiveBytes();
  stats.in_memory_bytes = core_->store->InMemoryBytes();
  stats.catalog_bytes_written = core_->store->CatalogBytesWritten();
  stats.latest_lsn = latest_lsn();
  stats.wal_oldest_lsn = core_->wal->oldest_lsn();
  if (core_->archiver() != nullptr) {
    stats.archiving = true;
    stats.archive_remote = core_->options.remote->Describe();
    stats.archive_generation = core_->generation();
    stats.archive = core_->archiver()->stats();
    stats.archive_lag = core_->archiver()->Lag(stats.latest_lsn);
    stats.backups = core_->backups.stats();
  }
  return stats;
}

}  // namespace pitr
