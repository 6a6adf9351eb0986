#include "engine/hot_pages.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"

namespace pitr {

HotPages::HotPages(size_t capacity_bytes, uint32_t page_size)
    : shard_capacity_(capacity_bytes / kShards) {
  // A slot per page that fits.
  const size_t slots = std::max<size_t>(shard_capacity_ / page_size, 64);
  for (Shard& shard : shards_) {
    MutexLock l(&shard.mu);
    shard.missed.assign(slots, 0);
  }
}

HotPages::Key HotPages::KeyOf(TimelineId timeline, PageKey key) {
  return Key(timeline.value(), key.space, key.page);
}

HotPages::Shard& HotPages::ShardOf(size_t hash) {
  return shards_[hash % kShards];
}

void HotPages::RaiseMark(Lsn lsn) {
  Lsn mark = invalidated_.load();
  while (mark < lsn && !invalidated_.compare_exchange_weak(mark, lsn)) {
  }
}

void HotPages::Erase(Shard& shard, std::list<Entry>::iterator it) {
  shard.bytes -= it->page->size();
  shard.index.erase(it->key);
  shard.lru.erase(it);
}

std::optional<std::string> HotPages::Find(TimelineId timeline, PageKey key,
                                          Lsn lsn) {
  if (shard_capacity_ == 0) return std::nullopt;
  const Key k = KeyOf(timeline, key);
  Shard& shard = ShardOf(absl::Hash<Key>()(k));
  std::shared_ptr<const std::string> page;
  {
    MutexLock l(&shard.mu);
    auto found = shard.index.find(k);
    if (found == shard.index.end() || found->second->read_at > lsn) {
      return std::nullopt;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
    page = found->second->page;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return *page;  // copied outside the lock
}

void HotPages::Insert(TimelineId timeline, PageKey key, Lsn lsn,
                      const std::string& page) {
  if (shard_capacity_ == 0 || page.size() > shard_capacity_) return;
  // Checked again under the lock; this spares the copy of most refusals.
  if (lsn < invalidated_.load()) return;
  const Key k = KeyOf(timeline, key);
  const size_t hash = absl::Hash<Key>()(k);
  Shard& shard = ShardOf(hash);
  MutexLock l(&shard.mu);
  if (lsn < invalidated_.load()) return;
  auto found = shard.index.find(k);
  if (found != shard.index.end()) {
    if (found->second->read_at >= lsn) return;  // it knows as much or more
    Erase(shard, found->second);
  } else {
    // Shards take the hash modulo kShards; slots its quotient.
    size_t& slot = shard.missed[(hash / kShards) % shard.missed.size()];
    if (slot != hash) {
      slot = hash;  // admitted at its next miss, if still remembered then
      return;
    }
  }
  auto bytes = std::make_shared<const std::string>(page);
  shard.bytes += bytes->size();
  shard.lru.push_front(Entry{k, lsn, std::move(bytes)});
  shard.index[k] = shard.lru.begin();
  while (shard.bytes > shard_capacity_) {
    Erase(shard, std::prev(shard.lru.end()));
  }
}

void HotPages::Invalidate(TimelineId timeline, PageKey key, Lsn lsn) {
  if (shard_capacity_ == 0) return;
  const Key k = KeyOf(timeline, key);
  Shard& shard = ShardOf(absl::Hash<Key>()(k));
  RaiseMark(lsn);
  MutexLock l(&shard.mu);
  auto found = shard.index.find(k);
  if (found != shard.index.end()) Erase(shard, found->second);
}

void HotPages::InvalidateAll(Lsn lsn) {
  if (shard_capacity_ == 0) return;
  RaiseMark(lsn);
  for (Shard& shard : shards_) {
    MutexLock l(&shard.mu);
    shard.index.clear();
    shard.lru.clear();
    shard.bytes = 0;
  }
}

uint64_t HotPages::pages() const {
  uint64_t pages = 0;
  for (const Shard& shard : shards_) {
    MutexLock l(&shard.mu);
    pages += shard.lru.size();
  }
  return pages;
}

uint64_t HotPages::bytes() const {
  uint64_t bytes = 0;
  for (const Shard& shard : shards_) {
    MutexLock l(&shard.mu);
    bytes += shard.bytes;
  }
  return bytes;
}

}  // namespace pitr
