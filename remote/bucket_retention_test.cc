// PlanBucketGarbage over made-up listings: what a restore from the oldest
// needed point on reads stays (the base backup and later ones, their
// files, the WAL from the base's applied segment, the catalog image at the
// base); older backups, their own files, earlier WAL and images, an
// interrupted backup's files and another line of history's objects go;
// a newer generation's objects are never touched.
#include "remote/bucket_retention.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "remote/catalog_archive.h"
#include "remote/wal_archive_keys.h"

namespace pitr::remote {
namespace {

BackupManifest Backup(Lsn lsn, uint64_t generation,
                      std::vector<std::string> files) {
  BackupManifest m;
  m.lsn = lsn;
  m.applied_lsn = lsn;
  m.generation = generation;
  for (const std::string& key : files) m.files.push_back({key, 10, key});
  return m;
}

bool Has(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

TEST(PlanBucketGarbageTest, KeepsWhatRestoresFromTheOldestNeededPointRead) {
  // Generation 1 wrote up to 0x5000; generation 2 restored it to 0x3000
  // and went on; generation 3 (newer than us) just started.
  const std::vector<Generation> generations = {
      {1, 0, 0, "a"}, {2, 0x3000, 0, "b"}, {3, 0x6000, 0, "c"}};
  const Lineage lineage(generations, 2);
  const std::vector<BackupManifest> backups = {
      Backup(0x1000, 1, {"backups/files/db1/1.sst", "backups/files/db1/2.sst"}),
      Backup(0x2800, 1, {"backups/files/db1/2.sst", "backups/files/db1/3.sst"}),
      Backup(0x4000, 2, {"backups/files/db1/3.sst", "backups/files/db2/9.sst"}),
  };
  std::vector<ObjectInfo> objects;
  auto add = [&](const std::string& key) { objects.push_back({key, 10, ""}); };
  for (const BackupManifest& b : backups) {
    add(BackupManifestKey(b.lsn, b.generation));
    for (const BackupFile& f : b.files) add(f.key);
  }
  add("backups/files/db2/17.sst");  // an interrupted backup's
  add(BackupManifestKey(0x4800, 1));  // generation 1's, past the restore
  add(WalPieceKey({0x0000, 0x0000, 0x1000, 1}));
  add(WalPieceKey({0x1000, 0x1000, 0x2000, 1}));
  add(WalPieceKey({0x2000, 0x2000, 0x3000, 1}));
  add(WalPieceKey({0x3000, 0x3000, 0x4000, 1}));  // another history
  add(WalPieceKey({0x3000, 0x3000, 0x4000, 2}));
  add(WalPieceKey({0x6000, 0x6000, 0x6100, 3}));  // newer: untouchable
  add(CatalogImageKey({0x0800, 1, 1}));
  add(CatalogImageKey({0x2000, 1, 2}));
  add(CatalogImageKey({0x3800, 1, 3}));  // another history
  add(CatalogImageKey({0x3000, 2, 1}));

  // The oldest needed point is between the second and third backups.
  const BucketGarbage garbage =
      PlanBucketGarbage(objects, backups, lineage, 0x3000);
  EXPECT_EQ(garbage.restorable_from, 0x2800u);
  EXPECT_EQ(garbage.manifests,
            (std::vector<std::string>{BackupManifestKey(0x1000, 1),
                                      BackupManifestKey(0x4800, 1)}));
  const std::vector<std::string> doomed = {
      "backups/files/db1/1.sst",
      "backups/files/db2/17.sst",
      WalPieceKey({0x0000, 0x0000, 0x1000, 1}),
      WalPieceKey({0x1000, 0x1000, 0x2000, 1}),
      WalPieceKey({0x3000, 0x3000, 0x4000, 1}),
      CatalogImageKey({0x0800, 1, 1}),
      CatalogImageKey({0x3800, 1, 3}),
  };
  for (const std::string& key : doomed) {
    EXPECT_TRUE(Has(garbage.objects, key)) << key << " is kept";
  }
  EXPECT_EQ(garbage.objects.size(), doomed.size());
  EXPECT_EQ(garbage.bytes, 10 * (doomed.size() + 2));

  // Without backups nothing goes: the archive is all the history there is.
  EXPECT_TRUE(PlanBucketGarbage(objects, {}, lineage, 0x3000).objects.empty());
  // With the oldest needed point before every backup, the first backup is
  // the base: only other histories, the interrupted backup and the WAL
  // before the first backup's segment go.
  const BucketGarbage early = PlanBucketGarbage(objects, backups, lineage, 0);
  EXPECT_EQ(early.restorable_from, 0x1000u);
  EXPECT_EQ(early.manifests,
            (std::vector<std::string>{BackupManifestKey(0x4800, 1)}));
  EXPECT_EQ(early.objects,
            (std::vector<std::string>{
                "backups/files/db2/17.sst",
                WalPieceKey({0x0000, 0x0000, 0x1000, 1}),
                WalPieceKey({0x3000, 0x3000, 0x4000, 1}),
                CatalogImageKey({0x3800, 1, 3}),
            }));
}

}  // namespace
}  // namespace pitr::remote
