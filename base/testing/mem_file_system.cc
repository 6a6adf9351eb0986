#include "base/testing/mem_file_system.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pitr::testing {

// Handles lock the file system's mutex around every access to the bytes.
class MemFileSystem::Writer : public WritableFile {
 public:
  Writer(MemFileSystem* fs, Contents contents)
      : fs_(fs), contents_(std::move(contents)) {}
  absl::Status Append(absl::string_view data) override {
    absl::MutexLock l(&fs_->mu_);
    contents_->append(data.data(), data.size());
    return absl::OkStatus();
  }
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  MemFileSystem* const fs_;
  const Contents contents_;
};

class MemFileSystem::Reader : public RandomAccessFile {
 public:
  Reader(MemFileSystem* fs, Contents contents)
      : fs_(fs), contents_(std::move(contents)) {}
  absl::StatusOr<size_t> Read(uint64_t offset, size_t n,
                              char* scratch) const override {
    absl::MutexLock l(&fs_->mu_);
    if (offset >= contents_->size()) return 0;
    const size_t got =
        std::min<uint64_t>(n, contents_->size() - static_cast<size_t>(offset));
    if (got > 0) std::memcpy(scratch, contents_->data() + offset, got);
    return got;
  }

 private:
  MemFileSystem* const fs_;
  const Contents contents_;
};

class MemFileSystem::Lock : public FileLock {
 public:
  Lock(MemFileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~Lock() override {
    absl::MutexLock l(&fs_->mu_);
    fs_->locked_.erase(path_);
  }

 private:
  MemFileSystem* const fs_;
  const std::string path_;
};

MemFileSystem::Contents MemFileSystem::Find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second;
}

void MemFileSystem::SetFile(const std::string& path, std::string bytes) {
  absl::MutexLock l(&mu_);
  Contents c = Find(path);
  if (c == nullptr) {
    files_[path] = std::make_shared<std::string>(std::move(bytes));
  } else {
    *c = std::move(bytes);
  }
}

std::string MemFileSystem::GetFile(const std::string& path) const {
  absl::MutexLock l(&mu_);
  Contents c = Find(path);
  return c == nullptr ? std::string() : *c;
}

bool MemFileSystem::Exists(const std::string& path) const {
  absl::MutexLock l(&mu_);
  return Find(path) != nullptr;
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemFileSystem::NewWritableFile(
    const std::string& path) {
  absl::MutexLock l(&mu_);
  Contents c = Find(path);
  if (c == nullptr) {
    c = std::make_shared<std::string>();
    files_[path] = c;
  } else {
    c->clear();
  }
  return std::unique_ptr<WritableFile>(new Writer(this, c));
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemFileSystem::NewAppendableFile(
    const std::string& path) {
  absl::MutexLock l(&mu_);
  Contents c = Find(path);
  if (c == nullptr) return absl::NotFoundError(absl::StrCat(path, ": no file"));
  return std::unique_ptr<WritableFile>(new Writer(this, c));
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>>
MemFileSystem::NewRandomAccessFile(const std::string& path) {
  absl::MutexLock l(&mu_);
  Contents c = Find(path);
  if (c == nullptr) return absl::NotFoundError(absl::StrCat(path, ": no file"));
  return std::unique_ptr<RandomAccessFile>(new Reader(this, c));
}

absl::StatusOr<std::vector<std::string>> MemFileSystem::ListDir(
    const std::string& dir) {
  absl::MutexLock l(&mu_);
  if (dirs_.count(dir) == 0) {
    return absl::NotFoundError(absl::StrCat(dir, ": no directory"));
  }
  const std::string prefix = dir + "/";
  std::vector<std::string> names;
  for (const auto& [path, contents] : files_) {
    if (!absl::StartsWith(path, prefix)) continue;
    std::string name = path.substr(prefix.size());
    if (name.find('/') == std::string::npos) names.push_back(std::move(name));
  }
  return names;
}

absl::Status MemFileSystem::CreateDirs(const std::string& dir) {
  absl::MutexLock l(&mu_);
  for (size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1)) {
    dirs_.insert(dir.substr(0, slash));
  }
  dirs_.insert(dir);
  return absl::OkStatus();
}

absl::Status MemFileSystem::SyncDir(const std::string& dir) {
  absl::MutexLock l(&mu_);
  if (dirs_.count(dir) == 0) {
    return absl::NotFoundError(absl::StrCat(dir, ": no directory"));
  }
  return absl::OkStatus();
}

absl::Status MemFileSystem::DeleteFile(const std::string& path) {
  absl::MutexLock l(&mu_);
  if (files_.erase(path) == 0) {
    return absl::NotFoundError(absl::StrCat(path, ": no file"));
  }
  return absl::OkStatus();
}

absl::Status MemFileSystem::RenameFile(const std::string& from,
                                       const std::string& to) {
  absl::MutexLock l(&mu_);
  Contents c = Find(from);
  if (c == nullptr) return absl::NotFoundError(absl::StrCat(from, ": no file"));
  files_.erase(from);
  files_[to] = c;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemFileSystem::FileSize(const std::string& path) {
  absl::MutexLock l(&mu_);
  Contents c = Find(path);
  if (c == nullptr) return absl::NotFoundError(absl::StrCat(path, ": no file"));
  return c->size();
}

absl::Status MemFileSystem::TruncateFile(const std::string& path,
                                         uint64_t size) {
  absl::MutexLock l(&mu_);
  Contents c = Find(path);
  if (c == nullptr) return absl::NotFoundError(absl::StrCat(path, ": no file"));
  c->resize(static_cast<size_t>(size));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> MemFileSystem::LockFile(
    const std::string& path) {
  absl::MutexLock l(&mu_);
  if (!locked_.insert(path).second) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is locked"));
  }
  if (Find(path) == nullptr) files_[path] = std::make_shared<std::string>();
  return std::unique_ptr<FileLock>(new Lock(this, path));
}

}  // namespace pitr::testing
