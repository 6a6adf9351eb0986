#include "engine/cold_history.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "engine/remote_restore.h"
#include "remote/base_backup.h"
#include "remote/lineage.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace {

// Where the cold stores live, in the data directory.
constexpr char kCacheDir[] = "remote_cache";

// The oldest point a read along `path` at `lsn` reads.
Lsn OldestPointRead(const std::vector<ReadStep>& path, Lsn lsn) {
  Lsn oldest = lsn;
  for (const ReadStep& step : path) oldest = std::min(oldest, step.up_to);
  return oldest;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file(error)) bytes += entry.file_size(error);
  }
  return bytes;
}

}  // namespace

// One cold store: an engine over a restore of one base backup.
struct ColdHistory::Store {
  Lsn backup_lsn = 0;
  Lsn end = 0;  // the archive's end when it was built: it reads up to here
  std::string dir;
  uint64_t bytes = 0;
  uint64_t last_use = 0;
  std::unique_ptr<Engine> engine;

  ~Store() {
    engine.reset();
    absl::Status removed = RemoveTree(dir);
    if (!removed.ok()) spdlog::warn("pitr: cold history: {}", removed.ToString());
  }
};

ColdHistory::ColdHistory(EngineCore* core) : core_(core) {}

ColdHistory::~ColdHistory() { Close(); }

void ColdHistory::Close() {
  std::map<Lsn, std::shared_ptr<Store>> stores;
  {
    MutexLock l(&mu_);
    stores.swap(stores_);
    stats_.cache_bytes = 0;
  }
}

ColdHistoryStats ColdHistory::stats() const {
  MutexLock l(&mu_);
  return stats_;
}

absl::StatusOr<ColdHistory::Source> ColdHistory::SourceFor(
    const std::vector<ReadStep>& path, Lsn lsn) {
  remote::RemoteStorage* storage = core_->options.remote;
  if (storage == nullptr) {
    return absl::FailedPreconditionError(
        "the store has no remote to read cold history from");
  }
  const Lsn oldest = OldestPointRead(path, lsn);
  // A store kept already that reads every point the read needs: the one
  // from the newest backup (the least WAL replayed).
  auto kept = [&]() -> std::shared_ptr<Store> {
    MutexLock l(&mu_);
    std::shared_ptr<Store> best;
    for (const auto& [backup_lsn, store] : stores_) {
      if (backup_lsn <= oldest && store->end >= lsn) best = store;
    }
    if (best != nullptr) {
      best->last_use = ++uses_;
      ++stats_.reads;
    }
    return best;
  };
  std::shared_ptr<Store> store = kept();
  if (store == nullptr) {
    MutexLock build(&build_mu_);
    store = kept();  // built meanwhile?
    if (store == nullptr) {
      PITR_ASSIGN_OR_RETURN(store, Build(oldest, lsn));
      MutexLock l(&mu_);
      ++stats_.reads;
    }
  }
  EngineCore* cold = store->engine->core_.get();
  return Source{store, cold->store.get(), &cold->reader};
}

absl::StatusOr<std::shared_ptr<ColdHistory::Store>> ColdHistory::Build(
    Lsn oldest, Lsn lsn) {
  remote::RemoteStorage* storage = core_->options.remote;
  // The backup the read needs: the newest at or before its oldest point.
  PITR_ASSIGN_OR_RETURN(std::vector<remote::BackupManifest> backups,
                        core_->backups.List());
  const remote::BackupManifest* backup = nullptr;
  for (const remote::BackupManifest& b : backups) {
    if (b.lsn <= oldest) backup = &b;
  }
  if (backup == nullptr) {
    return absl::OutOfRangeError(absl::StrCat(
        "lsn ", FormatLsn(oldest), " is no longer on this machine and ",
        storage->Describe(), " holds no base backup at or before it",
        backups.empty() ? std::string()
                        : absl::StrCat(" (the oldest is at lsn ",
                                       FormatLsn(backups.front().lsn), ")")));
  }
  const Lsn backup_lsn = backup->lsn;
  const absl::Time started = absl::Now();
  const std::string cache = JoinPath(core_->options.dir, kCacheDir);
  if (builds_ == 0) {
    PITR_RETURN_IF_ERROR(RemoveTree(cache));  // an earlier process's
  }
  auto store = std::make_shared<Store>();
  store->backup_lsn = backup_lsn;
  // Named apart from every other build: an older store of the same backup
  // may still serve a read.
  store->dir = JoinPath(cache, absl::StrCat(absl::Hex(backup_lsn, absl::kZeroPad16),
                                            "-", ++builds_));
  spdlog::info(
      "pitr: cold history: reading lsn {} needs the bucket: restoring the "
      "base backup at lsn {} into {}",
      FormatLsn(oldest), FormatLsn(backup_lsn), store->dir);
  RemoteRestoreOptions restore;
  restore.at.lsn = oldest;
  restore.detached = true;
  restore.to_end = true;
  PITR_ASSIGN_OR_RETURN(RemoteRestoreReport report,
                        RestoreFromRemote(storage, store->dir, restore));
  if (report.lsn < lsn) {
    return absl::UnavailableError(absl::StrCat(
        "lsn ", FormatLsn(lsn), " is not in ", storage->Describe(),
        " yet (its archive ends at lsn ", FormatLsn(report.lsn), ")"));
  }
  EngineOptions options;
  options.dir = store->dir;
  options.page_size = core_->page_size;
  options.cache_bytes = 8 << 20;
  options.memtable_bytes = 8 << 20;
  options.hot_page_bytes = 0;  // old points, read once or twice
  options.gc_period = absl::InfiniteDuration();
  PITR_ASSIGN_OR_RETURN(store->engine, Engine::Open(options));
  store->end = report.lsn;
  store->bytes = DirectoryBytes(store->dir);
  MutexLock l(&mu_);
  store->last_use = ++uses_;
  stores_[backup_lsn] = store;
  ++stats_.stores_built;
  stats_.bytes_fetched += report.backup.total_bytes() + report.wal_bytes;
  stats_.build_time += absl::Now() - started;
  Evict(store.get());
  spdlog::info(
      "pitr: cold history: lsn {} to {} readable from the bucket's backup at "
      "lsn {} ({} bytes on disk, built in {})",
      FormatLsn(backup_lsn), FormatLsn(store->end), FormatLsn(backup_lsn),
      store->bytes, absl::FormatDuration(absl::Now() - started));
  return store;
}

void ColdHistory::Evict(const Store* keep) {
  const uint64_t budget = core_->options.remote_cache_bytes;
  while (CacheBytes() > budget && stores_.size() > 1) {
    auto oldest = stores_.end();
    for (auto it = stores_.begin(); it != stores_.end(); ++it) {
      if (it->second.get() == keep) continue;
      if (oldest == stores_.end() ||
          it->second->last_use < oldest->second->last_use) {
        oldest = it;
      }
    }
    if (oldest == stores_.end()) break;
    spdlog::info("pitr: cold history: dropping the store of the backup at lsn "
                 "{} ({} bytes) to stay within {} bytes",
                 FormatLsn(oldest->first), oldest->second->bytes, budget);
    stores_.erase(oldest);  // closed once its last read ends
    ++stats_.stores_evicted;
  }
  stats_.cache_bytes = CacheBytes();
}

uint64_t ColdHistory::CacheBytes() const {
  uint64_t bytes = 0;
  for (const auto& [lsn, store] : stores_) bytes += store->bytes;
  return bytes;
}

}  // namespace pitr
