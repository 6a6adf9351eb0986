#include "tests/model/page_model.h"

#include <algorithm>
#include <cassert>

namespace pitr::model {

void PageModel::Image(PageKey key, absl::string_view image) {
  assert(image.size() == page_size_);
  current_[key] = std::string(image);
  touched_pages_.insert(key);
  uint32_t& size = current_size_[key.space];
  if (key.page >= size) size = key.page + 1;
  touched_spaces_.insert(key.space);
}

void PageModel::Delta(PageKey key, uint32_t offset, absl::string_view bytes) {
  assert(offset + bytes.size() <= page_size_);
  auto it = current_.find(key);
  if (it == current_.end()) {
    it = current_.emplace(key, std::string(page_size_, '\0')).first;
  }
  it->second.replace(offset, bytes.size(), bytes.data(), bytes.size());
  touched_pages_.insert(key);
  uint32_t& size = current_size_[key.space];
  if (key.page >= size) size = key.page + 1;
  touched_spaces_.insert(key.space);
}

void PageModel::Truncate(uint32_t space, uint32_t page_count) {
  for (auto it = current_.lower_bound(PageKey{space, page_count});
       it != current_.end() && it->first.space == space;) {
    touched_pages_.insert(it->first);
    it = current_.erase(it);
  }
  uint32_t& size = current_size_[space];
  if (page_count < size) size = page_count;
  touched_spaces_.insert(space);
}

void PageModel::SetSpaceSize(uint32_t space, uint32_t size) {
  current_size_[space] = size;
  touched_spaces_.insert(space);
}

void PageModel::Commit(Lsn commit_lsn) {
  assert(commit_lsn > latest_);
  latest_ = commit_lsn;
  for (const PageKey& key : touched_pages_) {
    auto it = current_.find(key);
    std::optional<std::string> content;
    if (it != current_.end()) content = it->second;
    history_[key].push_back(Version{commit_lsn, std::move(content)});
  }
  for (uint32_t space : touched_spaces_) {
    auto& sizes = sizes_[space];
    const uint32_t size = current_size_[space];
    const uint32_t before = sizes.empty() ? 0 : sizes.back().second;
    if (size != before) sizes.emplace_back(commit_lsn, size);
  }
  touched_pages_.clear();
  touched_spaces_.clear();
}

std::optional<std::string> PageModel::PageAt(PageKey key, Lsn lsn) const {
  auto it = history_.find(key);
  if (it == history_.end()) return std::nullopt;
  const std::vector<Version>& versions = it->second;
  // The first version after lsn; the one before it is the answer.
  auto after =
      std::upper_bound(versions.begin(), versions.end(), lsn,
                       [](Lsn l, const Version& v) { return l < v.lsn; });
  if (after == versions.begin()) return std::nullopt;
  return std::prev(after)->content;
}

uint32_t PageModel::SpaceSizeAt(uint32_t space, Lsn lsn) const {
  auto it = sizes_.find(space);
  if (it == sizes_.end()) return 0;
  const auto& sizes = it->second;
  auto after = std::upper_bound(
      sizes.begin(), sizes.end(), lsn,
      [](Lsn l, const std::pair<Lsn, uint32_t>& s) { return l < s.first; });
  if (after == sizes.begin()) return 0;
  return std::prev(after)->second;
}

size_t PageModel::VersionCount(PageKey key) const {
  auto it = history_.find(key);
  return it == history_.end() ? 0 : it->second.size();
}

}  // namespace pitr::model
