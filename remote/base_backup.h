// Base backups: a consistent copy of the page store (which holds the
// catalog too) and of the commit timestamp index, in the bucket, from
// which a restore starts before it replays the archived WAL.
//
//   backups/<lsn: 16 hex>-<generation: 20 decimal>/manifest
//   backups/<lsn>-<generation>/<path>        files that change (MANIFEST,
//                                            CURRENT, OPTIONS, the index)
//   backups/files/<identity>/<name>          immutable files (SST, blob)
//
// A backup exists once its manifest does (it is written last). It is
// incremental: an immutable file the base backup (the newest of the
// lineage) already holds, by path and size, is not uploaded again; the
// manifest names the object it is in, whichever backup uploaded it.
// Immutable files are keyed by the RocksDB identity of the database that
// wrote them: a database never reuses a file number, and a store restored
// from the bucket gets a new identity, so two different files never share
// a key. Format: docs/bucket-format.md, "Base backups".
#ifndef PITR_REMOTE_BASE_BACKUP_H_
#define PITR_REMOTE_BASE_BACKUP_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/lsn.h"
#include "remote/lineage.h"
#include "remote/remote_storage.h"

namespace pitr::remote {

inline constexpr char kBackupPrefix[] = "backups/";

struct BackupFile {
  std::string path;  // relative to the data directory: "pages/000012.sst"
  uint64_t size = 0;
  std::string key;  // the object holding it
};

struct BackupManifest {
  uint64_t generation = 0;
  // The earliest point the backup restores to: the end of the log when the
  // copy was complete. Everything the copy holds happened at or before it.
  Lsn lsn = 0;
  // Where the WAL must be replayed from: the copy's pages hold the log up
  // to at least this LSN.
  Lsn applied_lsn = 0;
  int64_t created_us = 0;
  std::string identity;     // of the database copied
  uint64_t new_bytes = 0;   // uploaded by this backup (the rest was there)
  std::vector<BackupFile> files;

  uint64_t total_bytes() const;
};

std::string BackupManifestKey(Lsn lsn, uint64_t generation);
// The (lsn, generation) of a manifest key; nullopt for any other key.
std::optional<std::pair<Lsn, uint64_t>> ParseBackupManifestKey(
    absl::string_view key);

// Text, one field per line (docs/bucket-format.md).
std::string EncodeBackupManifest(const BackupManifest& manifest);
// DATA_LOSS naming `key` if the bytes are not a manifest.
absl::StatusOr<BackupManifest> DecodeBackupManifest(absl::string_view bytes,
                                                    absl::string_view key);

// The backups of `lineage`, oldest first (each manifest read and checked).
absl::StatusOr<std::vector<BackupManifest>> ListBackups(
    RemoteStorage* storage, const Lineage& lineage);

// What a new backup copies: files under `dir`, by path relative to it.
struct BackupSource {
  std::string dir;
  std::vector<std::string> paths;
  uint64_t generation = 0;
  Lsn lsn = 0;
  Lsn applied_lsn = 0;
  std::string identity;
};

// Uploads the files of `source` not in `base` (nullptr: every file), then
// the manifest. `progress(bytes uploaded, bytes to upload)` after each file.
absl::StatusOr<BackupManifest> UploadBackup(
    RemoteStorage* storage, const BackupSource& source,
    const BackupManifest* base,
    const std::function<void(uint64_t, uint64_t)>& progress = nullptr);

// Downloads every file of `manifest` under `dir`, four at a time
// (checksums checked, sizes compared with the manifest's). A missing or
// damaged object is DATA_LOSS naming it. `progress(bytes downloaded,
// total)` after each file, from the downloading threads (one at a time).
absl::Status DownloadBackup(
    RemoteStorage* storage, const BackupManifest& manifest,
    const std::string& dir,
    const std::function<void(uint64_t, uint64_t)>& progress = nullptr);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_BASE_BACKUP_H_
