#include "clients/sqlite/write_buffer.h"

#include <algorithm>
#include <utility>

namespace pitr::sqlite {

void WriteBuffer::Reset(uint32_t base_pages) {
  base_pages_ = base_pages;
  page_count_ = base_pages;
  min_page_count_ = base_pages;
  pages_.clear();
}

void WriteBuffer::Write(uint32_t page, std::string data) {
  pages_[page] = std::move(data);
  page_count_ = std::max(page_count_, page + 1);
}

void WriteBuffer::Truncate(uint32_t page_count) {
  pages_.erase(pages_.lower_bound(page_count), pages_.end());
  page_count_ = page_count;
  min_page_count_ = std::min(min_page_count_, page_count);
}

void WriteBuffer::Forget(uint32_t page) { pages_.erase(page); }

const std::string* WriteBuffer::Find(uint32_t page) const {
  auto it = pages_.find(page);
  return it == pages_.end() ? nullptr : &it->second;
}

std::vector<uint32_t> WriteBuffer::WrittenPages() const {
  std::vector<uint32_t> pages;
  pages.reserve(pages_.size());
  for (const auto& [page, data] : pages_) pages.push_back(page);
  return pages;
}

std::vector<v1::WalRecord> WriteBuffer::ToRecords(uint32_t space) const {
  std::vector<v1::WalRecord> records;
  if (min_page_count_ < base_pages_) {
    v1::WalRecord::SpaceTruncate* truncate =
        records.emplace_back().mutable_truncate();
    truncate->set_space(space);
    truncate->set_page_count(min_page_count_);
  }
  for (const auto& [page, data] : pages_) {
    v1::WalRecord::PageImage* image = records.emplace_back().mutable_image();
    image->mutable_key()->set_space(space);
    image->mutable_key()->set_page(page);
    image->set_data(data);
  }
  return records;
}

}  // namespace pitr::sqlite
