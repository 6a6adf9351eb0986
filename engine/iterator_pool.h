// IteratorPool: RocksDB iterators kept for reuse by page reads.
//
// A page read needs an iterator, and making one (a merging iterator over
// the memtables and every level, in a fresh arena) and destroying it cost
// about a seventh of the read. A pooled iterator is Refresh()ed instead
// before each use: while no flush or compaction has changed the set of
// files (RocksDB's "superversion"), that only moves it to the latest
// sequence number, so it sees every write made before the read began.
//
// An idle pooled iterator keeps the files (and memtables) of the
// superversion it last saw from being freed. The pool therefore holds at
// most `capacity` idle iterators, and Clear() drops them all: PageStore
// calls it before its own flushes and compactions, whose point is often to
// give memory or space back. What a background job made obsolete while
// idle iterators held it is freed when they are next used or cleared.
//
// Thread-safe.
#ifndef PITR_ENGINE_ITERATOR_POOL_H_
#define PITR_ENGINE_ITERATOR_POOL_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"

namespace pitr {

class IteratorPool {
 public:
  // An iterator on loan: returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(IteratorPool* pool, std::unique_ptr<rocksdb::Iterator> it)
        : pool_(pool), it_(std::move(it)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (it_) pool_->Return(std::move(it_));
    }
    rocksdb::Iterator* get() const { return it_.get(); }

   private:
    IteratorPool* pool_;
    std::unique_ptr<rocksdb::Iterator> it_;
  };

  // Iterators over `db` (which must outlive the pool) that fill the cache.
  IteratorPool(rocksdb::DB* db, size_t capacity);
  IteratorPool(const IteratorPool&) = delete;
  IteratorPool& operator=(const IteratorPool&) = delete;

  // An iterator that sees every write made before the call; not positioned.
  absl::StatusOr<Lease> Take();
  // Destroys the idle iterators.
  void Clear();

 private:
  void Return(std::unique_ptr<rocksdb::Iterator> it);

  rocksdb::DB* const db_;
  const size_t capacity_;
  Mutex mu_;
  std::vector<std::unique_ptr<rocksdb::Iterator>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_ENGINE_ITERATOR_POOL_H_
