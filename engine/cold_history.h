// ColdHistory: reading the history the local disk no longer holds
// (EngineOptions::local_history), from the bucket.
//
// A read of a cold point needs every version its read path reads; the
// bucket holds them in the newest base backup at or before the oldest
// point the path reads (a backup holds the history its store held then)
// and the archived WAL after it. ColdHistory builds such a store in the
// data directory's remote_cache/ (a detached restore of that backup that
// keeps the archive to its end, engine/remote_restore.h), opens it, and
// reads from it along the path the hot catalog gives; later reads the same
// store serves reuse it. Stores are kept while they fit in
// remote_cache_bytes, the least recently used dropped first (one store is
// kept whatever its size: the read that needed it is served).
//
// Locks: build_mu_ (one build at a time; the bucket work happens under it)
// before mu_ (the cache). Reads hold a shared_ptr to their store, so an
// eviction during a read closes the store after it.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_COLD_HISTORY_H_
#define PITR_ENGINE_COLD_HISTORY_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "branch/catalog_types.h"
#include "engine/engine.h"
#include "engine/page_reader.h"
#include "engine/page_store.h"

namespace pitr {

struct EngineCore;

class ColdHistory {
 public:
  // `core` must outlive it.
  explicit ColdHistory(EngineCore* core);
  ColdHistory(const ColdHistory&) = delete;
  ColdHistory& operator=(const ColdHistory&) = delete;
  ~ColdHistory();

  // Where a read along `path` at `lsn` finds every version it needs: a
  // cold store's page store and reader, kept open while the source lives.
  // FAILED_PRECONDITION without a remote; OUT_OF_RANGE if the bucket holds
  // no backup old enough (naming the oldest). The reads need no lock: a
  // cold store never changes.
  struct Source {
    std::shared_ptr<const void> keep_open;
    PageStore* store = nullptr;
    PageReader* reader = nullptr;
  };
  absl::StatusOr<Source> SourceFor(const std::vector<ReadStep>& path,
                                   Lsn lsn);

  // Closes and deletes every cold store (at Engine::Close).
  void Close();
  ColdHistoryStats stats() const;

 private:
  struct Store;
  // A new store from the newest backup at or before `oldest`, reading up
  // to at least `lsn`.
  absl::StatusOr<std::shared_ptr<Store>> Build(Lsn oldest, Lsn lsn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(build_mu_);
  // Drops the least recently used stores past the budget, but `keep`.
  void Evict(const Store* keep) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t CacheBytes() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EngineCore* const core_;
  Mutex build_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  uint64_t builds_ ABSL_GUARDED_BY(build_mu_) = 0;
  mutable Mutex mu_;
  // By the LSN of the backup each was built from.
  std::map<Lsn, std::shared_ptr<Store>> stores_ ABSL_GUARDED_BY(mu_);
  ColdHistoryStats stats_ ABSL_GUARDED_BY(mu_);
  uint64_t uses_ ABSL_GUARDED_BY(mu_) = 0;  // a clock for "recently used"
};

}  // namespace pitr

#endif  // PITR_ENGINE_COLD_HISTORY_H_
