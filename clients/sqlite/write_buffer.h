// WriteBuffer: the pages one SQLite transaction wrote to its database file,
// held in memory until the commit turns them into one WAL batch. Reads of
// the transaction see them first.
//
// Thread-compatible: one connection uses it at a time.
#ifndef PITR_CLIENTS_SQLITE_WRITE_BUFFER_H_
#define PITR_CLIENTS_SQLITE_WRITE_BUFFER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "proto/resources.pb.h"

namespace pitr::sqlite {

class WriteBuffer {
 public:
  WriteBuffer() = default;
  WriteBuffer(const WriteBuffer&) = delete;
  WriteBuffer& operator=(const WriteBuffer&) = delete;

  // Drops everything: a transaction starts over a file of `base_pages`.
  void Reset(uint32_t base_pages);

  // Page `page` now holds `data`; the file grows to include it.
  void Write(uint32_t page, std::string data);
  // The file now has `page_count` pages; writes beyond are dropped.
  void Truncate(uint32_t page_count);
  // Forgets the write of `page` (the commit found it unchanged).
  // REQUIRES: page < min_page_count().
  void Forget(uint32_t page);

  // The page written, or nullptr.
  const std::string* Find(uint32_t page) const;

  // The file's size now, in pages.
  uint32_t page_count() const { return page_count_; }
  // The smallest size the file had during the transaction: pages below it
  // existed throughout, so their writes may be compared with the base.
  uint32_t min_page_count() const { return min_page_count_; }
  // No page written and the size unchanged: nothing to commit.
  bool empty() const {
    return pages_.empty() && page_count_ == base_pages_ &&
           min_page_count_ == base_pages_;
  }
  // The written pages, in increasing order.
  std::vector<uint32_t> WrittenPages() const;

  // The batch that turns the base into this state, for space `space`: a
  // truncation to min_page_count() if the file shrank, then one image per
  // written page in page order (the images of pages at or above
  // min_page_count() recreate what a truncation removed).
  std::vector<v1::WalRecord> ToRecords(uint32_t space) const;

 private:
  uint32_t base_pages_ = 0;
  uint32_t page_count_ = 0;
  uint32_t min_page_count_ = 0;
  std::map<uint32_t, std::string> pages_;
};

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_WRITE_BUFFER_H_
