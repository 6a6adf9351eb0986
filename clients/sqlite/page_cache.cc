#include "clients/sqlite/page_cache.h"

#include <algorithm>
#include <vector>

namespace pitr::sqlite {

PageCache::PageCache(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 1)) {}

const std::string* PageCache::Find(uint32_t page) {
  auto it = index_.find(page);
  if (it == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, it->second);
  return &it->second->second;
}

void PageCache::Put(uint32_t page, std::string data) {
  auto it = index_.find(page);
  if (it != index_.end()) {
    it->second->second = std::move(data);
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  entries_.emplace_front(page, std::move(data));
  index_[page] = entries_.begin();
  if (index_.size() > capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

void PageCache::Invalidate(uint32_t page) {
  auto it = index_.find(page);
  if (it == index_.end()) return;
  entries_.erase(it->second);
  index_.erase(it);
}

void PageCache::Truncate(uint32_t page_count) {
  std::vector<uint32_t> beyond;
  for (const auto& [page, entry] : index_) {
    if (page >= page_count) beyond.push_back(page);
  }
  for (uint32_t page : beyond) Invalidate(page);
}

void PageCache::Clear() {
  entries_.clear();
  index_.clear();
}

}  // namespace pitr::sqlite
