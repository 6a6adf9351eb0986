#include "engine/archived_catalog_store.h"

#include "absl/container/flat_hash_set.h"
#include "base/status_macros.h"
#include "branch/catalog_records.h"
#include "engine/store_keys.h"

namespace pitr {

namespace sk = store_keys;

ArchivedCatalogStore::ArchivedCatalogStore(PageStore* store,
                                           std::function<Lsn()> latest_lsn)
    : store_(store), latest_lsn_(std::move(latest_lsn)) {}

absl::Status ArchivedCatalogStore::Commit(
    const std::vector<std::pair<std::string, std::string>>& puts,
    const std::vector<std::string>& deletes) {
  MutexLock l(&mu_);
  if (read_only_) return absl::FailedPreconditionError(*read_only_);
  std::vector<std::pair<std::string, std::string>> with_lsn = puts;
  with_lsn.emplace_back(sk::MetaKey(sk::kMetaCatalogLsn),
                        sk::EncodeU64(latest_lsn_()));
  PITR_RETURN_IF_ERROR(store_->Commit(with_lsn, deletes));
  return Changed();
}

absl::Status ArchivedCatalogStore::Changed() {
  PITR_ASSIGN_OR_RETURN(remote::CatalogImage image, ImageLocked());
  kept_.push_back(image);
  if (kept_.size() > kKeptChanges) kept_.pop_front();
  ++changes_;
  if (publish_) publish_(std::move(image));
  return absl::OkStatus();
}

absl::StatusOr<CatalogChanges> ArchivedCatalogStore::ChangesSince(
    uint64_t after) const {
  MutexLock l(&mu_);
  CatalogChanges changes;
  changes.through = changes_.load();
  if (after >= changes.through) return changes;
  const uint64_t missing = changes.through - after;
  if (missing <= kept_.size()) {
    changes.images.assign(kept_.end() - missing, kept_.end());
    return changes;
  }
  changes.complete = false;
  PITR_ASSIGN_OR_RETURN(remote::CatalogImage now, ImageLocked());
  changes.images.push_back(std::move(now));
  return changes;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ArchivedCatalogStore::Scan(absl::string_view prefix) const {
  return store_->Scan(prefix);
}

absl::StatusOr<remote::CatalogImage> ArchivedCatalogStore::Image() const {
  MutexLock l(&mu_);
  return ImageLocked();
}

absl::StatusOr<remote::CatalogImage> ArchivedCatalogStore::ImageLocked()
    const {
  remote::CatalogImage image;
  PITR_ASSIGN_OR_RETURN(image.records,
                        store_->Scan(catalog_records::kCatalogPrefix));
  PITR_ASSIGN_OR_RETURN(std::optional<std::string> lsn,
                        store_->GetMeta(sk::kMetaCatalogLsn));
  if (!lsn) {
    image.lsn = latest_lsn_();
  } else if (std::optional<uint64_t> decoded = sk::DecodeU64(*lsn)) {
    image.lsn = *decoded;
  } else {
    return absl::DataLossError("page store: malformed catalog lsn");
  }
  return image;
}

absl::Status ArchivedCatalogStore::PublishTo(
    std::function<void(remote::CatalogImage)> publish) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(remote::CatalogImage image, ImageLocked());
  publish(std::move(image));
  publish_ = std::move(publish);
  return absl::OkStatus();
}

absl::Status ArchivedCatalogStore::Replace(const remote::CatalogImage& image) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(auto existing,
                        store_->Scan(catalog_records::kCatalogPrefix));
  absl::flat_hash_set<std::string> kept;
  for (const auto& [key, value] : image.records) kept.insert(key);
  std::vector<std::string> deletes;
  for (const auto& [key, value] : existing) {
    if (!kept.contains(key)) deletes.push_back(key);
  }
  std::vector<std::pair<std::string, std::string>> puts = image.records;
  puts.emplace_back(sk::MetaKey(sk::kMetaCatalogLsn), sk::EncodeU64(image.lsn));
  PITR_RETURN_IF_ERROR(store_->Commit(puts, deletes));
  return Changed();
}

void ArchivedCatalogStore::SetReadOnly(std::optional<std::string> why) {
  MutexLock l(&mu_);
  read_only_ = std::move(why);
}

}  // namespace pitr
