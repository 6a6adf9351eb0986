#include "remote/base_backup.h"

#include <map>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/file_system.h"
#include "base/mutex.h"
#include "base/status_macros.h"
#include "remote/object_names.h"

namespace pitr::remote {

namespace {

constexpr char kManifestHeader[] = "pitr base backup";
constexpr char kManifestName[] = "manifest";
constexpr char kFilesPrefix[] = "backups/files/";
// Files a restore downloads at once.
constexpr int kParallelDownloads = 4;

// SST and blob files never change once written.
bool IsImmutable(absl::string_view path) {
  return absl::EndsWith(path, ".sst") || absl::EndsWith(path, ".blob");
}

absl::string_view BaseName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

std::string BackupDir(Lsn lsn, uint64_t generation) {
  return absl::StrFormat("%s%016X-%020u", kBackupPrefix, lsn, generation);
}

}  // namespace

uint64_t BackupManifest::total_bytes() const {
  uint64_t total = 0;
  for (const BackupFile& file : files) total += file.size;
  return total;
}

std::string BackupManifestKey(Lsn lsn, uint64_t generation) {
  return absl::StrCat(BackupDir(lsn, generation), "/", kManifestName);
}

std::optional<std::pair<Lsn, uint64_t>> ParseBackupManifestKey(
    absl::string_view key) {
  if (!absl::ConsumePrefix(&key, kBackupPrefix) ||
      !absl::ConsumeSuffix(&key, absl::StrCat("/", kManifestName))) {
    return std::nullopt;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(key, '-');
  if (parts.size() != 2) return std::nullopt;
  std::optional<uint64_t> lsn = ParseHex16(parts[0]);
  std::optional<uint64_t> generation = ParseDecimal(parts[1], 20);
  if (!lsn || !generation) return std::nullopt;
  return std::make_pair(*lsn, *generation);
}

std::string EncodeBackupManifest(const BackupManifest& m) {
  std::string out = absl::StrCat(kManifestHeader, "\n");
  absl::StrAppend(&out, "generation ", m.generation, "\n", "lsn ", m.lsn, "\n",
                  "applied_lsn ", m.applied_lsn, "\n", "created_us ",
                  m.created_us, "\n", "identity ", m.identity, "\n",
                  "new_bytes ", m.new_bytes, "\n", "files ", m.files.size(),
                  "\n");
  for (const BackupFile& f : m.files) {
    absl::StrAppend(&out, "file ", f.path, " ", f.size, " ", f.key, "\n");
  }
  return out;
}

absl::StatusOr<BackupManifest> DecodeBackupManifest(absl::string_view bytes,
                                                    absl::string_view key) {
  auto damaged = [&](absl::string_view why) {
    return absl::DataLossError(
        absl::StrCat("backup manifest ", key, " is damaged: ", why));
  };
  if (!absl::ConsumeSuffix(&bytes, "\n")) {
    return damaged("it does not end with a newline");
  }
  std::vector<absl::string_view> lines = absl::StrSplit(bytes, '\n');
  if (lines.empty() || lines[0] != kManifestHeader) {
    return damaged(absl::StrCat("the first line is not \"", kManifestHeader,
                                "\""));
  }
  BackupManifest m;
  std::map<std::string, std::string> fields;
  uint64_t files = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<absl::string_view> words = absl::StrSplit(lines[i], ' ');
    if (words[0] == "file") {
      BackupFile file;
      if (words.size() != 4 || !absl::SimpleAtoi(words[2], &file.size)) {
        return damaged(absl::StrCat("line ", i + 1, " is not a file line"));
      }
      file.path = std::string(words[1]);
      file.key = std::string(words[3]);
      m.files.push_back(std::move(file));
    } else if (words.size() == 2) {
      fields[std::string(words[0])] = std::string(words[1]);
    } else {
      return damaged(absl::StrCat("line ", i + 1, " is not \"name value\""));
    }
  }
  auto number = [&](const char* name, uint64_t* value) {
    auto it = fields.find(name);
    return it != fields.end() && absl::SimpleAtoi(it->second, value);
  };
  uint64_t created = 0;
  if (!number("generation", &m.generation) || !number("lsn", &m.lsn) ||
      !number("applied_lsn", &m.applied_lsn) ||
      !number("created_us", &created) || !number("new_bytes", &m.new_bytes) ||
      !number("files", &files) || fields.count("identity") == 0) {
    return damaged("a field is missing or not a number");
  }
  m.created_us = static_cast<int64_t>(created);
  m.identity = fields["identity"];
  if (files != m.files.size()) {
    return damaged(absl::StrCat("it says ", files, " files but lists ",
                                m.files.size()));
  }
  return m;
}

absl::StatusOr<std::vector<BackupManifest>> ListBackups(
    RemoteStorage* storage, const Lineage& lineage) {
  PITR_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects,
                        storage->List(kBackupPrefix));
  std::vector<BackupManifest> backups;
  for (const ObjectInfo& object : objects) {
    auto name = ParseBackupManifestKey(object.key);
    if (!name || !lineage.Holds(name->second, name->first)) continue;
    PITR_ASSIGN_OR_RETURN(Object manifest, storage->Get(object.key));
    PITR_ASSIGN_OR_RETURN(BackupManifest decoded,
                          DecodeBackupManifest(manifest.data, object.key));
    backups.push_back(std::move(decoded));
  }
  return backups;  // keys list in LSN order
}

absl::StatusOr<BackupManifest> UploadBackup(
    RemoteStorage* storage, const BackupSource& source,
    const BackupManifest* base,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  BackupManifest m;
  m.generation = source.generation;
  m.lsn = source.lsn;
  m.applied_lsn = source.applied_lsn;
  m.created_us = absl::ToUnixMicros(absl::Now());
  m.identity = source.identity;
  std::map<std::pair<std::string, uint64_t>, std::string> in_base;
  if (base != nullptr) {
    for (const BackupFile& f : base->files) {
      if (IsImmutable(f.path)) in_base[{f.path, f.size}] = f.key;
    }
  }
  // Sizes first, so progress knows the total.
  std::vector<BackupFile> to_upload;
  uint64_t bytes_to_upload = 0;
  for (const std::string& path : source.paths) {
    BackupFile file;
    file.path = path;
    PITR_ASSIGN_OR_RETURN(file.size, FileSystem::Default()->FileSize(
                                         JoinPath(source.dir, path)));
    auto reused = in_base.find({path, file.size});
    if (reused != in_base.end()) {
      file.key = reused->second;
      m.files.push_back(std::move(file));
      continue;
    }
    file.key = IsImmutable(path)
                   ? absl::StrCat(kFilesPrefix, source.identity, "/",
                                  BaseName(path))
                   : absl::StrCat(BackupDir(source.lsn, source.generation),
                                  "/", path);
    bytes_to_upload += file.size;
    to_upload.push_back(std::move(file));
  }
  for (BackupFile& file : to_upload) {
    PITR_RETURN_IF_ERROR(
        storage->PutFile(file.key, JoinPath(source.dir, file.path)).status());
    m.new_bytes += file.size;
    if (progress) progress(m.new_bytes, bytes_to_upload);
    m.files.push_back(std::move(file));
  }
  PITR_RETURN_IF_ERROR(
      storage->Put(BackupManifestKey(m.lsn, m.generation),
                   EncodeBackupManifest(m))
          .status());
  return m;
}

absl::Status DownloadBackup(
    RemoteStorage* storage, const BackupManifest& manifest,
    const std::string& dir,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  for (const BackupFile& file : manifest.files) {
    const std::string path = JoinPath(dir, file.path);
    PITR_RETURN_IF_ERROR(
        FileSystem::Default()->CreateDirs(path.substr(0, path.rfind('/'))));
  }
  // A few files at a time: one stream rarely fills the link to the store.
  Mutex mu;
  size_t next = 0;
  uint64_t done = 0;
  absl::Status failed;
  const uint64_t total = manifest.total_bytes();
  auto download = [&](const BackupFile& file) -> absl::Status {
    absl::StatusOr<ObjectInfo> got =
        storage->GetToFile(file.key, JoinPath(dir, file.path));
    if (absl::IsNotFound(got.status())) {
      return absl::DataLossError(absl::StrCat(
          "the backup at lsn ", FormatLsn(manifest.lsn), " lists ", file.path,
          " in object ", file.key, ", which is missing: ",
          got.status().message()));
    }
    PITR_RETURN_IF_ERROR(got.status());
    if (got->size != file.size) {
      return absl::DataLossError(absl::StrCat(
          "object ", file.key, " has ", got->size,
          " bytes but the backup at lsn ", FormatLsn(manifest.lsn), " says ",
          file.path, " has ", file.size));
    }
    return absl::OkStatus();
  };
  auto worker = [&] {
    while (true) {
      const BackupFile* file;
      {
        MutexLock l(&mu);
        if (next == manifest.files.size() || !failed.ok()) return;
        file = &manifest.files[next++];
      }
      absl::Status status = download(*file);
      MutexLock l(&mu);
      if (!status.ok()) {
        if (failed.ok()) failed = status;
        return;
      }
      done += file->size;
      if (progress) progress(done, total);
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < kParallelDownloads; ++i) workers.emplace_back(worker);
  for (std::thread& t : workers) t.join();
  return failed;
}

}  // namespace pitr::remote
