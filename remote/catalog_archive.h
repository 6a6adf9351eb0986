// Catalog images: the whole branch catalog (branches, timelines, snapshots,
// schedules, the default retention) as it stood at one point of the log,
// kept in the bucket so that a restore brings back every branch, snapshot
// and setting as they were at the point it restores to. The WAL holds the
// pages; the catalog changes beside it, so each change is archived as a new
// image (the catalog is small: kilobytes).
//
//   catalog/<lsn: 16 hex>-<generation: 20 decimal>-<seq: 10 decimal>
//
// `lsn` is the end of the log when the catalog took this form (catalog
// changes happen between batches); `seq` orders the images one pitrd wrote
// at the same LSN. Keys sort in the order the images were made within a
// lineage (lineage.h). Format: docs/bucket-format.md, "Catalog images".
#ifndef PITR_REMOTE_CATALOG_ARCHIVE_H_
#define PITR_REMOTE_CATALOG_ARCHIVE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/lsn.h"
#include "remote/lineage.h"
#include "remote/remote_storage.h"

namespace pitr::remote {

inline constexpr char kCatalogPrefix[] = "catalog/";

// The catalog at one point: its records (key, value), in key order.
struct CatalogImage {
  Lsn lsn = 0;
  std::vector<std::pair<std::string, std::string>> records;
};

struct CatalogImageName {
  Lsn lsn = 0;
  uint64_t generation = 0;
  uint64_t seq = 0;
};

std::string CatalogImageKey(const CatalogImageName& name);
// nullopt for any other key.
std::optional<CatalogImageName> ParseCatalogImageKey(absl::string_view key);

// Binary, little-endian: magic "pitrcat1", lsn u64, count u32, then each
// record as key_size u32, key, value_size u32, value.
std::string EncodeCatalogImage(const CatalogImage& image);
// DATA_LOSS naming `key` if the bytes are not an image.
absl::StatusOr<CatalogImage> DecodeCatalogImage(absl::string_view bytes,
                                                absl::string_view key);

// Every image of `lineage`, in (lsn, generation, seq) order.
absl::StatusOr<std::vector<CatalogImageName>> ListCatalogImages(
    RemoteStorage* storage, const Lineage& lineage);
// The newest image of `lineage` whose lsn is at or before `at` (nullopt:
// there is none).
absl::StatusOr<std::optional<CatalogImageName>> FindCatalogImage(
    RemoteStorage* storage, const Lineage& lineage, Lsn at);
// Reads and decodes one image (checksum checked).
absl::StatusOr<CatalogImage> ReadCatalogImage(RemoteStorage* storage,
                                              const CatalogImageName& name);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_CATALOG_ARCHIVE_H_
