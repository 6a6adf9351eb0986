// HotPages: the pages recent reads returned, whole, so that the next read
// of a hot page costs a hash lookup instead of a walk of the page store
// (a RocksDB seek and a blob fetch: most of a GetPage round trip's cost
// beyond gRPC's own, remote_floor_bench).
//
// An entry is the page that a read along timeline T's path returned at
// LSN R (T first: the timeline a branch writes; the rest of the path, its
// ancestors each up to a branch point, is fixed by T). The applier
// (Applier::Apply), after a batch is in the page store and before it
// becomes visible (latest_lsn), calls Invalidate for each page the batch
// wrote: that raises one store-wide mark to the batch's LSN and drops the
// page's entry of the batch's timeline; a truncation drops every entry
// (InvalidateAll). The engine raises the mark to the store's end when it
// opens (batches of earlier processes never passed Invalidate). Insert
// refuses a page read at an LSN below the mark.
//
// Why an entry read at R answers a read of T at any L >= R: it was
// inserted with R >= the mark, so every batch applied before the Insert
// has an LSN <= R and was seen by the read at R. A batch applied after the
// Insert has an LSN above the latest LSN of that time; it is not visible
// through T's ancestors, which T reads only up to branch points that were
// behind the latest LSN when T was made; on T itself it dropped the entry.
// (A mark per shard would not do: a read of a child before its branch
// point sees its parent's later batches, which invalidate the parent's
// entry, not the child's.)
//
// A page is admitted on its second miss in a short while (a doorkeeper, as
// in TinyLFU: one slot of recently missed keys per page of capacity): reads
// spread uniformly over far more pages than fit would otherwise pay a copy
// and an eviction on every miss for nothing (page_bench).
//
// Thread-safety: every method may be called from any thread; each shard
// has its own lock.
#ifndef PITR_ENGINE_HOT_PAGES_H_
#define PITR_ENGINE_HOT_PAGES_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "base/mutex.h"

namespace pitr {

class HotPages {
 public:
  // Keeps at most about `capacity_bytes` of pages of `page_size` bytes; 0
  // keeps none.
  HotPages(size_t capacity_bytes, uint32_t page_size);
  HotPages(const HotPages&) = delete;
  HotPages& operator=(const HotPages&) = delete;

  // The page `key` as a read along `timeline`'s path at `lsn` returns it,
  // if an entry knows it.
  std::optional<std::string> Find(TimelineId timeline, PageKey key, Lsn lsn);
  // Remembers `page`, which a read along `timeline`'s path at `lsn`
  // returned, if it missed recently too (see the file comment for when it
  // is refused).
  void Insert(TimelineId timeline, PageKey key, Lsn lsn,
              const std::string& page);
  // A batch with commit LSN `lsn` wrote `key` on `timeline`: the batch is
  // in the page store and not visible yet.
  void Invalidate(TimelineId timeline, PageKey key, Lsn lsn);
  // The same for a change that may touch any page (a truncation).
  void InvalidateAll(Lsn lsn);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  // Pages held now, and their bytes.
  uint64_t pages() const;
  uint64_t bytes() const;

 private:
  static constexpr int kShards = 16;
  using Key =
      std::tuple<uint64_t, uint32_t, uint32_t>;  // timeline, space, page
  struct Entry {
    Key key;
    Lsn read_at;
    std::shared_ptr<const std::string> page;
  };
  struct Shard {
    mutable Mutex mu;
    // Most recently used first.
    std::list<Entry> lru ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<Key, std::list<Entry>::iterator> index
        ABSL_GUARDED_BY(mu);
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
    // Hashes of keys that missed recently, one per slot (the doorkeeper).
    std::vector<size_t> missed ABSL_GUARDED_BY(mu);
  };

  static Key KeyOf(TimelineId timeline, PageKey key);
  Shard& ShardOf(size_t hash);
  static void Erase(Shard& shard, std::list<Entry>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  void RaiseMark(Lsn lsn);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  // The highest commit LSN invalidated: raised before an entry is dropped,
  // read by Insert under the entry's shard lock.
  std::atomic<Lsn> invalidated_{0};
  std::atomic<uint64_t> hits_{0};
};

}  // namespace pitr

#endif  // PITR_ENGINE_HOT_PAGES_H_
