#include "remote/file_storage.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "remote/file_object.h"
#include "remote/file_object_format.h"
#include "remote/object_checksum.h"
#include "remote/local_file.h"
#include "remote/object_key.h"

namespace pitr::remote {

namespace {

absl::Status MakeDir(const std::string& path) {
  if (mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) {
    return absl::OkStatus();
  }
  return PosixError("mkdir", path, errno);
}

// Adds to `out` every object file under `dir` (whose key prefix is
// `key_prefix`) with a key starting with `prefix`.
absl::Status Walk(const std::string& dir, const std::string& key_prefix,
                  absl::string_view prefix, absl::string_view where,
                  std::vector<ObjectInfo>* out) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return absl::OkStatus();
    return PosixError("open directory", dir, errno);
  }
  std::vector<std::pair<std::string, bool>> entries;  // name, is a directory
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    entries.emplace_back(name, e->d_type == DT_DIR);
  }
  closedir(d);
  for (const auto& [name, is_dir] : entries) {
    std::string key = key_prefix + name;
    std::string path = dir + "/" + name;
    if (is_dir) {
      // Only descend where keys with the prefix can be.
      std::string sub = key + "/";
      if (absl::StartsWith(sub, prefix) || absl::StartsWith(prefix, sub)) {
        PITR_RETURN_IF_ERROR(Walk(path, sub, prefix, where, out));
      }
      continue;
    }
    if (!absl::StartsWith(key, prefix)) continue;
    auto reader = FileObjectReader::Open(path, key, where);
    if (absl::IsNotFound(reader.status())) continue;  // deleted meanwhile
    if (!reader.ok()) return reader.status();
    out->push_back({key, reader->footer().size, reader->footer().ETag()});
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileStorage>> FileStorage::Open(
    const std::string& dir) {
  PITR_RETURN_IF_ERROR(MakeDir(dir));
  PITR_RETURN_IF_ERROR(MakeDir(dir + "/" + file_format::kObjectsDir));
  PITR_RETURN_IF_ERROR(MakeDir(dir + "/" + file_format::kTempDir));
  return std::unique_ptr<FileStorage>(new FileStorage(dir));
}

std::string FileStorage::Describe() const { return "file://" + dir_; }

std::string FileStorage::ObjectPath(absl::string_view key) const {
  return absl::StrCat(dir_, "/", file_format::kObjectsDir, "/", key);
}

absl::StatusOr<std::vector<ObjectInfo>> FileStorage::List(
    absl::string_view prefix) {
  std::vector<ObjectInfo> objects;
  PITR_RETURN_IF_ERROR(Walk(dir_ + "/" + file_format::kObjectsDir, "", prefix,
                            Describe(), &objects));
  std::sort(objects.begin(), objects.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return objects;
}

absl::StatusOr<ObjectInfo> FileStorage::Put(absl::string_view key,
                                            absl::string_view data,
                                            const WriteCondition& condition) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, Describe()));
  PITR_ASSIGN_OR_RETURN(PendingFile file,
                        PendingFile::Create(dir_ + "/" + file_format::kTempDir));
  PITR_RETURN_IF_ERROR(file.Append(data));
  return Publish(key, std::move(file), data.size(), crc32c::Value(data),
                 condition);
}

absl::StatusOr<ObjectInfo> FileStorage::PutFile(
    absl::string_view key, const std::string& path,
    const WriteCondition& condition) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, Describe()));
  PITR_ASSIGN_OR_RETURN(uint64_t size, LocalFileSize(path));
  PITR_ASSIGN_OR_RETURN(PendingFile file,
                        PendingFile::Create(dir_ + "/" + file_format::kTempDir));
  uint32_t crc = 0;
  PITR_RETURN_IF_ERROR(
      ReadFileChunks(path, 0, size, [&](absl::string_view chunk) {
        crc = crc32c::Extend(crc, chunk.data(), chunk.size());
        return file.Append(chunk);
      }));
  return Publish(key, std::move(file), size, crc, condition);
}

bool FileStorage::Conflicts(absl::string_view key) const {
  struct stat st;
  if (stat(ObjectPath(key).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return true;
  }
  for (size_t slash = key.find('/'); slash != absl::string_view::npos;
       slash = key.find('/', slash + 1)) {
    if (stat(ObjectPath(key.substr(0, slash)).c_str(), &st) == 0 &&
        !S_ISDIR(st.st_mode)) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<ObjectInfo> FileStorage::Publish(
    absl::string_view key, PendingFile file, uint64_t size, uint32_t crc,
    const WriteCondition& condition) {
  uint64_t version = NewVersion();
  PITR_RETURN_IF_ERROR(file.Append(EncodeFooter(crc, version)));
  std::string target = ObjectPath(key);
  PITR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(
                                           dir_ + "/" + file_format::kLockFile));
  auto conflict = [&](absl::Status cause) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot put object \"", key, "\" in ", Describe(),
        ": a directory store cannot hold both a key and keys under it (",
        cause.message(), ")"));
  };
  for (size_t slash = key.find('/'); slash != absl::string_view::npos;
       slash = key.find('/', slash + 1)) {
    absl::Status made = MakeDir(ObjectPath(key.substr(0, slash)));
    if (!made.ok()) return Conflicts(key) ? conflict(made) : made;
  }
  absl::Status published;
  switch (condition.kind) {
    case WriteCondition::Kind::kNone:
      published = file.Publish(target);
      break;
    case WriteCondition::Kind::kIfNoneMatch:
      published = file.PublishIfAbsent(target);
      if (absl::IsAlreadyExists(published)) {
        return absl::AlreadyExistsError(
            absl::StrCat("create-only put of object \"", key, "\" in ",
                         Describe(), " refused: the key exists"));
      }
      break;
    case WriteCondition::Kind::kIfMatch: {
      auto current = FileObjectReader::Open(target, key, Describe());
      if (absl::IsNotFound(current.status())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "If-Match put of object \"", key, "\" in ", Describe(),
            " refused: the key does not exist (expected ETag ",
            condition.etag, ")"));
      }
      if (!current.ok()) return current.status();
      if (current->footer().ETag() != condition.etag) {
        return absl::FailedPreconditionError(absl::StrCat(
            "If-Match put of object \"", key, "\" in ", Describe(),
            " refused: its ETag is ", current->footer().ETag(), ", not ",
            condition.etag));
      }
      published = file.Publish(target);
      break;
    }
  }
  if (!published.ok()) return Conflicts(key) ? conflict(published) : published;
  FileObjectFooter footer{size, crc, version};
  return ObjectInfo{std::string(key), size, footer.ETag()};
}

absl::StatusOr<Object> FileStorage::Get(absl::string_view key) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, Describe()));
  PITR_ASSIGN_OR_RETURN(
      FileObjectReader reader,
      FileObjectReader::Open(ObjectPath(key), key, Describe()));
  Object object;
  object.info = {std::string(key), reader.footer().size,
                 reader.footer().ETag()};
  object.data.reserve(reader.footer().size);
  PITR_RETURN_IF_ERROR(reader.Read(0, reader.footer().size,
                                   [&](absl::string_view chunk) {
                                     object.data.append(chunk.data(), chunk.size());
                                     return absl::OkStatus();
                                   }));
  PITR_RETURN_IF_ERROR(CheckCrc32c(key, Describe(), reader.footer().crc,
                                   crc32c::Value(object.data)));
  return object;
}

absl::StatusOr<ObjectInfo> FileStorage::GetToFile(absl::string_view key,
                                                  const std::string& path) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, Describe()));
  PITR_ASSIGN_OR_RETURN(
      FileObjectReader reader,
      FileObjectReader::Open(ObjectPath(key), key, Describe()));
  size_t slash = path.rfind('/');
  PITR_ASSIGN_OR_RETURN(
      PendingFile file,
      PendingFile::Create(slash == std::string::npos ? "."
                                                     : path.substr(0, slash)));
  uint32_t crc = 0;
  PITR_RETURN_IF_ERROR(reader.Read(0, reader.footer().size,
                                   [&](absl::string_view chunk) {
                                     crc = crc32c::Extend(crc, chunk.data(),
                                                          chunk.size());
                                     return file.Append(chunk);
                                   }));
  PITR_RETURN_IF_ERROR(CheckCrc32c(key, Describe(), reader.footer().crc, crc));
  PITR_RETURN_IF_ERROR(file.Publish(path));
  return ObjectInfo{std::string(key), reader.footer().size,
                    reader.footer().ETag()};
}

absl::StatusOr<std::string> FileStorage::GetRange(absl::string_view key,
                                                  uint64_t offset,
                                                  uint64_t length) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, Describe()));
  if (length == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ranged read of object \"", key, "\" in ", Describe(),
        ": the length is 0"));
  }
  PITR_ASSIGN_OR_RETURN(
      FileObjectReader reader,
      FileObjectReader::Open(ObjectPath(key), key, Describe()));
  uint64_t size = reader.footer().size;
  if (offset >= size) {
    return absl::OutOfRangeError(absl::StrCat(
        "ranged read of object \"", key, "\" in ", Describe(), " at offset ",
        offset, ": the object has ", size, " bytes"));
  }
  std::string data;
  PITR_RETURN_IF_ERROR(reader.Read(offset, std::min(length, size - offset),
                                   [&](absl::string_view chunk) {
                                     data.append(chunk.data(), chunk.size());
                                     return absl::OkStatus();
                                   }));
  return data;
}

absl::Status FileStorage::Delete(absl::string_view key) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, Describe()));
  PITR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(
                                           dir_ + "/" + file_format::kLockFile));
  return DeleteLocked(key);
}

absl::Status FileStorage::DeleteBatch(const std::vector<std::string>& keys) {
  PITR_RETURN_IF_ERROR(ValidateKeys(keys, Describe()));
  PITR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(
                                           dir_ + "/" + file_format::kLockFile));
  for (const std::string& key : keys) PITR_RETURN_IF_ERROR(DeleteLocked(key));
  return absl::OkStatus();
}

absl::Status FileStorage::DeleteLocked(absl::string_view key) {
  std::string path = ObjectPath(key);
  if (unlink(path.c_str()) != 0) {
    // Nothing there, or only a directory of other keys: nothing to delete.
    if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) {
      return absl::OkStatus();
    }
    return PosixError("unlink", path, errno);
  }
  // Directories left empty go too, deepest first, as S3 has no directories.
  std::string root = dir_ + "/" + file_format::kObjectsDir;
  std::string dir = path.substr(0, path.rfind('/'));
  while (dir != root && rmdir(dir.c_str()) == 0) {
    dir = dir.substr(0, dir.rfind('/'));
  }
  return SyncDir(dir);
}

}  // namespace pitr::remote
