// ArchivedCatalogStore: the CatalogStore the engine's catalogs commit to.
// It keeps the records in the page store (synced RocksDB writes) and, with
// each change, the LSN the catalog changed at (the latest LSN then: catalog
// changes happen between batches); and once the store archives to a
// bucket, it hands the whole new catalog to the archive as an image
// (remote/catalog_archive.h), so a restore from the bucket brings back the
// branches as they stood at the point it restores to.
//
// On a read replica the catalog is the primary's: local commits are refused
// (SetReadOnly) and the primary's images come in through Replace.
//
// Thread-safety: any thread. mu_ orders commits and their images, so the
// archive sees the catalog's states in the order they were committed.
#ifndef PITR_ENGINE_ARCHIVED_CATALOG_STORE_H_
#define PITR_ENGINE_ARCHIVED_CATALOG_STORE_H_

#include <atomic>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/lsn.h"
#include "base/mutex.h"
#include "branch/catalog_store.h"
#include "engine/page_store.h"
#include "engine/replication.h"
#include "remote/catalog_archive.h"

namespace pitr {

class ArchivedCatalogStore : public CatalogStore {
 public:
  // `store` must outlive it; `latest_lsn` says where the log ends now.
  ArchivedCatalogStore(PageStore* store, std::function<Lsn()> latest_lsn);

  absl::Status Commit(
      const std::vector<std::pair<std::string, std::string>>& puts,
      const std::vector<std::string>& deletes) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) const override;

  // The catalog as it stands, labelled with the LSN it last changed at (the
  // end of the log if it never changed since it was first recorded).
  absl::StatusOr<remote::CatalogImage> Image() const;
  // From now on, calls `publish` with the new image after every commit
  // (and once now, with the current one).
  absl::Status PublishTo(std::function<void(remote::CatalogImage)> publish);

  // Replaces every catalog record by those of `image`, and its LSN, in one
  // synced write: how a restore from the bucket sets the catalog to the
  // point it restores to, and how a read replica takes the primary's. The
  // catalogs opened on this store must then be reloaded.
  absl::Status Replace(const remote::CatalogImage& image);

  // From now on Commit fails with FAILED_PRECONDITION and `why` (nullopt:
  // commits are allowed again).
  void SetReadOnly(std::optional<std::string> why);

  // How many times the catalog changed since this object was made.
  uint64_t changes() const { return changes_.load(); }
  // The catalog after each change past the first `after`, oldest first, if
  // the last kKeptChanges include them all; else (complete = false) only
  // the catalog as it is now.
  static constexpr size_t kKeptChanges = 256;
  absl::StatusOr<CatalogChanges> ChangesSince(uint64_t after) const;

 private:
  absl::StatusOr<remote::CatalogImage> ImageLocked() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  PageStore* const store_;
  const std::function<Lsn()> latest_lsn_;
  mutable Mutex mu_;
  std::function<void(remote::CatalogImage)> publish_ ABSL_GUARDED_BY(mu_);
  // Records a change just committed: counts it, keeps its image, hands it
  // to publish_.
  absl::Status Changed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::optional<std::string> read_only_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> changes_{0};
  // The images after the last changes (up to kKeptChanges), oldest first.
  std::deque<remote::CatalogImage> kept_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_ENGINE_ARCHIVED_CATALOG_STORE_H_
