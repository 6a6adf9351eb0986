#include "engine/iterator_pool.h"

#include <utility>

#include "engine/page_store.h"

namespace pitr {

IteratorPool::IteratorPool(rocksdb::DB* db, size_t capacity)
    : db_(db), capacity_(capacity) {}

absl::StatusOr<IteratorPool::Lease> IteratorPool::Take() {
  std::unique_ptr<rocksdb::Iterator> it;
  {
    MutexLock l(&mu_);
    if (!idle_.empty()) {
      it = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (it) {
    absl::Status refreshed =
        FromRocksDb(it->Refresh(), "refreshing a page store iterator");
    if (!refreshed.ok()) return refreshed;
  } else {
    it.reset(db_->NewIterator(rocksdb::ReadOptions()));
  }
  return Lease(this, std::move(it));
}

void IteratorPool::Return(std::unique_ptr<rocksdb::Iterator> it) {
  {
    MutexLock l(&mu_);
    if (idle_.size() < capacity_) {
      idle_.push_back(std::move(it));
      return;
    }
  }
  it.reset();  // outside the lock: destroying one can take a while
}

void IteratorPool::Clear() {
  std::vector<std::unique_ptr<rocksdb::Iterator>> doomed;
  {
    MutexLock l(&mu_);
    doomed.swap(idle_);
  }
}

}  // namespace pitr
