#include "remote/bucket_retention.h"

#include <set>

#include "absl/strings/match.h"
#include "remote/catalog_archive.h"
#include "remote/wal_archive_keys.h"

namespace pitr::remote {

BucketGarbage PlanBucketGarbage(const std::vector<ObjectInfo>& objects,
                                const std::vector<BackupManifest>& backups,
                                const Lineage& lineage, Lsn oldest_needed) {
  BucketGarbage garbage;
  if (backups.empty()) return garbage;
  size_t base = 0;
  for (size_t i = 0; i < backups.size(); ++i) {
    if (backups[i].lsn <= oldest_needed) base = i;
  }
  const BackupManifest& kept_base = backups[base];
  garbage.restorable_from = kept_base.lsn;

  std::set<std::string> kept_keys;
  for (size_t i = base; i < backups.size(); ++i) {
    kept_keys.insert(BackupManifestKey(backups[i].lsn, backups[i].generation));
    for (const BackupFile& file : backups[i].files) kept_keys.insert(file.key);
  }
  // The segment the base's WAL replay starts in: the last one of the
  // lineage starting at or before its applied LSN.
  Lsn first_segment = 0;
  // The catalog image a restore at the base's LSN reads.
  std::string first_image;
  for (const ObjectInfo& object : objects) {
    if (auto piece = ParseWalPieceKey(object.key);
        piece && lineage.Holds(piece->generation, piece->to) &&
        piece->segment <= kept_base.applied_lsn) {
      first_segment = std::max(first_segment, piece->segment);
    }
    if (auto image = ParseCatalogImageKey(object.key);
        image && image->lsn <= kept_base.lsn &&
        lineage.Holds(image->generation, image->lsn)) {
      first_image = std::max(first_image, object.key);
    }
  }

  for (const ObjectInfo& object : objects) {
    bool doomed = false;
    bool manifest = false;
    if (auto piece = ParseWalPieceKey(object.key)) {
      if (piece->generation > lineage.generation()) continue;
      doomed = !lineage.Holds(piece->generation, piece->to) ||
               piece->segment < first_segment;
    } else if (auto image = ParseCatalogImageKey(object.key)) {
      if (image->generation > lineage.generation()) continue;
      doomed = !lineage.Holds(image->generation, image->lsn) ||
               object.key < first_image;
    } else if (auto name = ParseBackupManifestKey(object.key)) {
      if (name->second > lineage.generation()) continue;
      doomed = kept_keys.count(object.key) == 0;
      manifest = true;
    } else if (absl::StartsWith(object.key, kBackupPrefix)) {
      // A backup file: kept while a kept manifest names it. (Files of a
      // newer generation's backup in progress would look unnamed: there is
      // none, since a writer that is not the newest is fenced first.)
      doomed = kept_keys.count(object.key) == 0;
    }
    if (!doomed) continue;
    (manifest ? garbage.manifests : garbage.objects).push_back(object.key);
    garbage.bytes += object.size;
  }
  return garbage;
}

}  // namespace pitr::remote
