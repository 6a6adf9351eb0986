#include "engine/engine.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "engine/recovery.h"
#include "engine/upgrade.h"
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

std::string PageName(PageKey key) {
  return absl::StrCat(key.space, "/", key.page);
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
  PageStoreOptions store_options;
  store_options.dir = JoinPath(options.dir, "pages");
  store_options.memtable_bytes = options.memtable_bytes;
  store_options.max_memtables = options.max_memtables;
  store_options.cache_bytes = options.cache_bytes;
  store_options.blob_files = options.blob_files;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<PageStore> store,
                        PageStore::Open(store_options));
  PITR_ASSIGN_OR_RETURN(uint32_t page_size,
                        SettlePageSize(store.get(), options.page_size));
  PITR_RETURN_IF_ERROR(UpgradeStoreFormat(store.get()));

  auto engine = std::unique_ptr<Engine>(
      new Engine(std::move(options), std::move(store), page_size));
  PITR_RETURN_IF_ERROR(engine->Recover());
  engine->maintenance_->Start();
  return engine;
}

Engine::Engine(EngineOptions options, std::unique_ptr<PageStore> store,
               uint32_t page_size)
    : options_(std::move(options)),
      store_(std::move(store)),
      page_size_(page_size) {}

absl::Status Engine::Recover() {
  PITR_ASSIGN_OR_RETURN(catalog_, Catalog::Open(store_.get()));
  if (std::optional<Retention> stored = catalog_->default_retention()) {
    spdlog::info(
        "pitr: default retention {}, as last set with SetDefaultRetention "
        "(the configured {} does not apply)",
        DescribeRetention(*stored),
        DescribeRetention(options_.default_retention));
  }
  applier_ = std::make_unique<Applier>(
      store_.get(),
      [this](TimelineId timeline, Lsn lsn) {
        return catalog_->TimelinePath(timeline, lsn);
      },
      options_.image_after_deltas,
      [this](const ImageTask& task) { maintenance_->EnqueueImage(task); });
  PITR_RETURN_IF_ERROR(applier_->Load());
  PITR_ASSIGN_OR_RETURN(const Lsn applied, AppliedLsn(*store_));

  WalOptions wal_options;
  wal_options.dir = JoinPath(options_.dir, "wal");
  wal_options.segment_size = options_.wal_segment_size;
  wal_options.sync = options_.sync;
  wal_options.on_durable = [this](const std::vector<DurableBatch>& group) {
    return ApplyDurable(group);
  };
  PITR_ASSIGN_OR_RETURN(wal_, Wal::Open(wal_options));
  PITR_RETURN_IF_ERROR(CheckWalCoversStore(applied, *wal_));
  MaintenanceOptions maintenance_options;
  maintenance_options.flush_age = options_.flush_age;
  maintenance_options.flush_wal_bytes = options_.flush_wal_bytes;
  maintenance_options.gc_period = options_.gc_period;
  maintenance_options.max_pending_images = options_.max_pending_images;
  maintenance_options.interval = options_.maintenance_interval;
  MaintenanceWork work;
  work.materialize = [this](const ImageTask& task) {
    return MaterializeImage(task);
  };
  work.run_snapshot_schedules = [this](absl::Time now) {
    return RunSnapshotSchedules(now).status();
  };
  work.run_gc = [this] { return RunGc().status(); };
  work.latest_lsn = [this] { return latest_lsn(); };
  maintenance_ = std::make_unique<Maintenance>(
      maintenance_options, store_.get(), wal_.get(), std::move(work), applied);

  // Replay what the flushed layers do not hold yet.
  const Lsn end = wal_->end_lsn();
  PITR_ASSIGN_OR_RETURN(
      batches_replayed_,
      ReplayWal(wal_.get(), applied, *catalog_, applier_.get()));
  if (batches_replayed_ > 0) maintenance_->MarkDirty();
  latest_lsn_ = end;
  {
    MutexLock l(&branch_mu_);
    PITR_RETURN_IF_ERROR(PlanAndPublishGc().status());
  }
  spdlog::info("pitr: store {} open, page size {}, latest lsn {}", options_.dir,
               page_size_, FormatLsn(end));
  return absl::OkStatus();
}

Engine::~Engine() {
  absl::Status s = Close();
  if (!s.ok())
    spdlog::error("closing store {}: {}", options_.dir, s.ToString());
}

absl::Status Engine::Close() {
  if (closed_.exchange(true)) return absl::OkStatus();
  absl::Status status = absl::OkStatus();
  if (maintenance_ != nullptr) {
    maintenance_->Stop();
    // Queued images would otherwise be lost (they are re-derived, but
    // only when the page next changes).
    status = maintenance_->MaterializePendingImages();
    if (status.ok()) status = maintenance_->Flush();
  }
  if (wal_ != nullptr) {
    absl::Status closed = wal_->Close();
    if (status.ok()) status = closed;
  }
  return status;
}

absl::Status Engine::Validate(const WalBatch& batch) const {
  if (batch.empty()) {
    return absl::InvalidArgumentError(
        "empty batch: a batch needs at least one record");
  }
  std::vector<WalRecordView> records = batch.RecordViews();
  for (size_t i = 0; i < records.size(); ++i) {
    const WalRecordView& r = records[i];
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, " of the batch (", RecordKindName(r.kind),
                       " of page ", PageName(r.key), "): ", why));
    };
    if (r.kind != RecordKind::kSpaceTruncate &&
        r.key.page == kInvalidPageNumber) {
      return bad(
          "page number 4294967295 is reserved; pages are 0 to 4294967294");
    }
    if (r.kind == RecordKind::kPageImage && r.data.size() != page_size_) {
      return bad(absl::StrCat("the image has ", r.data.size(),
                              " bytes but pages have ", page_size_));
    }
    if (r.kind == RecordKind::kPageDelta &&
        uint64_t{r.offset} + r.data.size() > page_size_) {
      return bad(absl::StrCat("the delta covers bytes ", r.offset, " to ",
                              uint64_t{r.offset} + r.data.size(),
                              ", past the end of the ", page_size_,
                              "-byte page"));
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::ApplyDurable(const std::vector<DurableBatch>& group) {
  std::vector<BatchToApply> batches;
  batches.reserve(group.size());
  for (const DurableBatch& d : group) {
    batches.push_back(
        {d.batch->timeline(), d.result.commit_lsn, d.batch->RecordViews()});
  }
  PITR_RETURN_IF_ERROR(applier_->Apply(batches));
  latest_lsn_ = group.back().result.commit_lsn;
  maintenance_->MarkDirty();
  return absl::OkStatus();
}

absl::StatusOr<Lsn> Engine::ResolveLsn(BranchId branch,
                                       std::optional<Lsn> lsn) const {
  if (closed_) return absl::FailedPreconditionError("the store is closed");
  PITR_ASSIGN_OR_RETURN(Branch b, catalog_->Get(branch));
  const Lsn latest = latest_lsn();
  if (!lsn) return latest;
  if (*lsn > latest) {
    return absl::OutOfRangeError(
        absl::StrCat("lsn ", FormatLsn(*lsn), " is past the latest lsn ",
                     FormatLsn(latest), " of branch \"", b.name, "\""));
  }
  if (const Lsn floor = history_.FloorOf(branch); *lsn < floor) {
    return absl::OutOfRangeError(absl::StrCat(
        "lsn ", FormatLsn(*lsn), " is below the GC horizon ", FormatLsn(floor),
        " of branch \"", b.name, "\" (retention ",
        DescribeRetention(EffectiveRetention(b, default_retention())),
        "); readable: ", FormatLsn(floor), " to ", FormatLsn(latest)));
  }
  return *lsn;
}

absl::StatusOr<std::vector<PageStore::Step>> Engine::ReadSteps(
    PageKey key, const std::vector<ReadStep>& path,
    sk::Position first_as_of) const {
  std::vector<PageStore::Step> steps(path.size());
  // Truncations are rare: most reads never look one up.
  const bool any_truncations = applier_->AnyTruncations();
  for (size_t i = 0; i < path.size(); ++i) {
    PageStore::Step& step = steps[i];
    step.timeline = path[i].timeline;
    step.as_of = i == 0 ? first_as_of : sk::AsOf(path[i].up_to);
    if (any_truncations &&
        applier_->MayHaveTruncations(step.timeline, key.space)) {
      PITR_ASSIGN_OR_RETURN(
          step.truncated_at,
          store_->LastTruncationOf(step.timeline, key, step.as_of));
      if (step.truncated_at) {  // older steps are hidden
        steps.resize(i + 1);
        break;
      }
    }
  }
  return steps;
}

absl::StatusOr<PageRead> Engine::ReadPage(BranchId branch, PageKey key,
                                          Lsn lsn) {
  if (key.page == kInvalidPageNumber) {
    return absl::InvalidArgumentError(
        "page number 4294967295 is reserved; pages are 0 to 4294967294");
  }
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        catalog_->ReadPath(branch, lsn));
  return ReadPageOnPath(key, path, lsn);
}

absl::StatusOr<PageRead> Engine::ReadPageOnPath(
    PageKey key, const std::vector<ReadStep>& path, Lsn lsn) {
  PITR_ASSIGN_OR_RETURN(std::vector<PageStore::Step> steps,
                        ReadSteps(key, path, sk::AsOf(lsn)));
  PITR_ASSIGN_OR_RETURN(PageRead read,
                        store_->ReadPage(key, steps, page_size_));
  ++pages_read_;
  deltas_applied_by_reads_ += read.deltas_applied;
  uint64_t longest = longest_chain_read_.load();
  while (static_cast<uint64_t>(read.deltas_applied) > longest &&
         !longest_chain_read_.compare_exchange_weak(longest,
                                                    read.deltas_applied)) {
  }
  return read;
}

absl::StatusOr<std::string> Engine::GetPage(BranchId branch, PageKey key,
                                            std::optional<Lsn> lsn) {
  ReaderMutexLock gc(&history_.mu());
  PITR_ASSIGN_OR_RETURN(Lsn at, ResolveLsn(branch, lsn));
  return PageOrNotFound(branch, key, at);
}

absl::StatusOr<std::string> Engine::PageOrNotFound(BranchId branch, PageKey key,
                                                   Lsn at) {
  PITR_ASSIGN_OR_RETURN(PageRead read, ReadPage(branch, key, at));
  if (!read.page) {
    PITR_ASSIGN_OR_RETURN(Branch b, catalog_->Get(branch));
    return absl::NotFoundError(
        absl::StrCat("page ", PageName(key), " does not exist on branch \"",
                     b.name, "\" at lsn ", FormatLsn(at)));
  }
  return std::move(*read.page);
}

absl::StatusOr<std::vector<absl::StatusOr<std::string>>> Engine::GetPages(
    BranchId branch, const std::vector<PageKey>& keys, std::optional<Lsn> lsn) {
  ReaderMutexLock gc(&history_.mu());
  PITR_ASSIGN_OR_RETURN(Lsn at, ResolveLsn(branch, lsn));
  std::vector<absl::StatusOr<std::string>> pages;
  pages.reserve(keys.size());
  for (PageKey key : keys) pages.push_back(PageOrNotFound(branch, key, at));
  return pages;
}

absl::StatusOr<uint32_t> Engine::GetSpaceSize(BranchId branch, uint32_t space,
                                              std::optional<Lsn> lsn) {
  ReaderMutexLock gc(&history_.mu());
  PITR_ASSIGN_OR_RETURN(Lsn at, ResolveLsn(branch, lsn));
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        catalog_->ReadPath(branch, at));
  return store_->SpaceSize(space, path);
}

absl::StatusOr<bool> Engine::MaterializeImage(const ImageTask& task) {
  // GC may already have removed versions this image would be built from;
  // no read needs an image there any more.
  if (history_.MayBeCollected(task.timeline, task.at.commit_lsn)) return false;
  PITR_ASSIGN_OR_RETURN(
      std::vector<ReadStep> path,
      catalog_->TimelinePath(task.timeline, task.at.commit_lsn));
  PITR_ASSIGN_OR_RETURN(std::vector<PageStore::Step> steps,
                        ReadSteps(task.key, path, task.at));
  PITR_ASSIGN_OR_RETURN(PageRead read,
                        store_->ReadPage(task.key, steps, page_size_));
  if (!read.page) return false;
  rocksdb::WriteBatch write;
  write.Put(sk::VersionKey(task.timeline, task.key, task.at,
                           sk::VersionKeyKind::kMaterialized),
            sk::ImageValue(*read.page));
  PITR_RETURN_IF_ERROR(store_->Write(&write));
  return true;
}

absl::Status Engine::Flush() { return maintenance_->Flush(); }

absl::Status Engine::MaterializePendingImages() {
  return maintenance_->MaterializePendingImages();
}

EngineStats Engine::stats() const {
  EngineStats stats;
  const MaintenanceStats background = maintenance_->stats();
  stats.images_materialized = background.images_materialized;
  stats.images_dropped = background.images_dropped;
  stats.flushes = background.flushes;
  stats.flushed_lsn = background.flushed_lsn;
  stats.batches_replayed = batches_replayed_;
  stats.gc_runs = gc_runs_;
  stats.gc_versions_removed = gc_versions_removed_;
  stats.gc_timelines_removed = gc_timelines_removed_;
  stats.gc_bytes_reclaimed = gc_bytes_reclaimed_;
  stats.pages_read = pages_read_;
  stats.deltas_applied_by_reads = deltas_applied_by_reads_;
  stats.longest_chain_read = longest_chain_read_;
  stats.wal = wal_->stats();
  stats.store_bytes = store_->LiveBytes();
  stats.in_memory_bytes = store_->InMemoryBytes();
  stats.catalog_bytes_written = store_->CatalogBytesWritten();
  stats.latest_lsn = latest_lsn();
  stats.wal_oldest_lsn = wal_->oldest_lsn();
  return stats;
}

}  // namespace pitr
