#include "branch/catalog_store.h"

#include "absl/strings/match.h"

namespace pitr {

absl::Status MemoryCatalogStore::Commit(
    const std::vector<std::pair<std::string, std::string>>& puts,
    const std::vector<std::string>& deletes) {
  MutexLock l(&mu_);
  if (!fail_next_.ok()) {
    absl::Status status = fail_next_;
    fail_next_ = absl::OkStatus();
    return status;
  }
  for (const auto& [key, value] : puts) {
    data_[key] = value;
    bytes_written_ += key.size() + value.size();
  }
  for (const std::string& key : deletes) {
    data_.erase(key);
    bytes_written_ += key.size();
  }
  ++commits_;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
MemoryCatalogStore::Scan(absl::string_view prefix) const {
  MutexLock l(&mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = data_.lower_bound(std::string(prefix));
       it != data_.end() && absl::StartsWith(it->first, prefix); ++it) {
    out.push_back(*it);
  }
  return out;
}

int MemoryCatalogStore::commits() const {
  MutexLock l(&mu_);
  return commits_;
}

size_t MemoryCatalogStore::bytes_written() const {
  MutexLock l(&mu_);
  return bytes_written_;
}

void MemoryCatalogStore::FailNextCommit(absl::Status status) {
  MutexLock l(&mu_);
  fail_next_ = std::move(status);
}

}  // namespace pitr
