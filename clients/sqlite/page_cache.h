// PageCache: the pages of one database a connection has read, as of one
// branch position, kept between transactions. At each transaction start the
// owner revalidates it with what GetChanges says changed (Invalidate), so
// only changed pages are read again. Evicts the least recently used page
// beyond its capacity.
//
// Thread-compatible: one connection uses it at a time.
#ifndef PITR_CLIENTS_SQLITE_PAGE_CACHE_H_
#define PITR_CLIENTS_SQLITE_PAGE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace pitr::sqlite {

class PageCache {
 public:
  // Holds at most `capacity` pages (at least 1).
  explicit PageCache(size_t capacity);

  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // The page, or nullptr. The pointer is valid until the next call that
  // changes the cache.
  const std::string* Find(uint32_t page);
  void Put(uint32_t page, std::string data);
  // Drops the page (if cached).
  void Invalidate(uint32_t page);
  // Drops every page at or above `page_count`.
  void Truncate(uint32_t page_count);
  void Clear();

  size_t size() const { return index_.size(); }

 private:
  using Entry = std::pair<uint32_t, std::string>;

  const size_t capacity_;
  // Most recently used first.
  std::list<Entry> entries_;
  absl::flat_hash_map<uint32_t, std::list<Entry>::iterator> index_;
};

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_PAGE_CACHE_H_
