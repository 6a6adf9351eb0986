#include "tools/wal/read_only_fs.h"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace pitr::waltool {

struct ReadOnlyFileSystem::Content {
  Mutex mu;
  // The real file whose first base_len bytes come first; none if empty.
  std::unique_ptr<RandomAccessFile> base ABSL_GUARDED_BY(mu);
  uint64_t base_len ABSL_GUARDED_BY(mu) = 0;
  std::string suffix ABSL_GUARDED_BY(mu);  // written in the overlay

  uint64_t Size() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return base_len + suffix.size();
  }
};

namespace {

using Content = ReadOnlyFileSystem::Content;

class OverlayReader : public RandomAccessFile {
 public:
  explicit OverlayReader(std::shared_ptr<Content> content)
      : content_(std::move(content)) {}

  absl::StatusOr<size_t> Read(uint64_t offset, size_t n,
                              char* scratch) const override {
    MutexLock l(&content_->mu);
    const uint64_t size = content_->Size();
    if (offset >= size) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, size - offset));
    size_t done = 0;
    if (offset < content_->base_len) {
      size_t want = static_cast<size_t>(
          std::min<uint64_t>(n, content_->base_len - offset));
      PITR_ASSIGN_OR_RETURN(size_t got,
                            content_->base->Read(offset, want, scratch));
      if (got < want) return got;  // the real file shrank under us
      done = got;
    }
    if (done < n) {
      uint64_t at = offset + done - content_->base_len;
      content_->suffix.copy(scratch + done, n - done, static_cast<size_t>(at));
      done = n;
    }
    return done;
  }

 private:
  const std::shared_ptr<Content> content_;
};

class OverlayWriter : public WritableFile {
 public:
  OverlayWriter(std::shared_ptr<Content> content,
                std::function<void(uint64_t)> on_write)
      : content_(std::move(content)), on_write_(std::move(on_write)) {}

  absl::Status Append(absl::string_view data) override {
    {
      MutexLock l(&content_->mu);
      content_->suffix.append(data.data(), data.size());
    }
    on_write_(data.size());
    return absl::OkStatus();
  }
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  const std::shared_ptr<Content> content_;
  const std::function<void(uint64_t)> on_write_;
};

class NoLock : public FileLock {};

absl::Status NotFound(const std::string& path) {
  return absl::NotFoundError(absl::StrCat(path, ": no such file"));
}

}  // namespace

ReadOnlyFileSystem::ReadOnlyFileSystem(FileSystem* base) : base_(base) {}
ReadOnlyFileSystem::~ReadOnlyFileSystem() = default;

absl::StatusOr<std::shared_ptr<Content>> ReadOnlyFileSystem::Find(
    const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  absl::StatusOr<uint64_t> size = base_->FileSize(path);
  if (absl::IsNotFound(size.status())) return nullptr;
  PITR_RETURN_IF_ERROR(size.status());
  auto content = std::make_shared<Content>();
  {
    MutexLock l(&content->mu);
    PITR_ASSIGN_OR_RETURN(content->base, base_->NewRandomAccessFile(path));
    content->base_len = *size;
  }
  files_[path] = content;
  return content;
}

void ReadOnlyFileSystem::Record(FileChange::Kind kind, const std::string& path,
                                uint64_t size, const std::string& to) {
  changes_.push_back({kind, path, size, to});
}

absl::StatusOr<std::unique_ptr<WritableFile>>
ReadOnlyFileSystem::NewWritableFile(const std::string& path) {
  MutexLock l(&mu_);
  return NewWriter(path, nullptr);
}

absl::StatusOr<std::unique_ptr<WritableFile>>
ReadOnlyFileSystem::NewAppendableFile(const std::string& path) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<Content> content, Find(path));
  return NewWriter(path, std::move(content));
}

std::unique_ptr<WritableFile> ReadOnlyFileSystem::NewWriter(
    const std::string& path, std::shared_ptr<Content> content) {
  if (content == nullptr) {
    content = std::make_shared<Content>();
    files_[path] = content;
    Record(FileChange::Kind::kCreate, path);
  }
  return std::make_unique<OverlayWriter>(
      std::move(content), [this, path](uint64_t n) {
        MutexLock l(&mu_);
        Record(FileChange::Kind::kWrite, path, n);
      });
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>>
ReadOnlyFileSystem::NewRandomAccessFile(const std::string& path) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<Content> content, Find(path));
  if (content == nullptr) return NotFound(path);
  return std::make_unique<OverlayReader>(std::move(content));
}

absl::StatusOr<std::vector<std::string>> ReadOnlyFileSystem::ListDir(
    const std::string& dir) {
  PITR_ASSIGN_OR_RETURN(std::vector<std::string> real, base_->ListDir(dir));
  std::set<std::string> names(real.begin(), real.end());
  MutexLock l(&mu_);
  const std::string prefix = dir + "/";
  for (const auto& [path, content] : files_) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    std::string name = path.substr(prefix.size());
    if (name.find('/') != std::string::npos) continue;
    if (content == nullptr) {
      names.erase(name);
    } else {
      names.insert(name);
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

absl::Status ReadOnlyFileSystem::CreateDirs(const std::string& dir) {
  PITR_ASSIGN_OR_RETURN(std::vector<std::string> ignored, base_->ListDir(dir));
  (void)ignored;
  return absl::OkStatus();
}

absl::Status ReadOnlyFileSystem::SyncDir(const std::string&) {
  return absl::OkStatus();
}

absl::Status ReadOnlyFileSystem::DeleteFile(const std::string& path) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<Content> content, Find(path));
  if (content == nullptr) return NotFound(path);
  files_[path] = nullptr;
  Record(FileChange::Kind::kDelete, path);
  return absl::OkStatus();
}

absl::Status ReadOnlyFileSystem::RenameFile(const std::string& from,
                                            const std::string& to) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<Content> content, Find(from));
  if (content == nullptr) return NotFound(from);
  files_[to] = content;
  files_[from] = nullptr;
  Record(FileChange::Kind::kRename, from, 0, to);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ReadOnlyFileSystem::FileSize(const std::string& path) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<Content> content, Find(path));
  if (content == nullptr) return NotFound(path);
  MutexLock c(&content->mu);
  return content->Size();
}

absl::Status ReadOnlyFileSystem::TruncateFile(const std::string& path,
                                              uint64_t size) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<Content> content, Find(path));
  if (content == nullptr) return NotFound(path);
  {
    MutexLock c(&content->mu);
    if (size <= content->base_len) {
      content->base_len = size;
      content->suffix.clear();
    } else {
      content->suffix.resize(static_cast<size_t>(size - content->base_len));
    }
  }
  Record(FileChange::Kind::kTruncate, path, size);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> ReadOnlyFileSystem::LockFile(
    const std::string&) {
  return std::make_unique<NoLock>();
}

std::vector<FileChange> ReadOnlyFileSystem::changes() const {
  MutexLock l(&mu_);
  return changes_;
}

}  // namespace pitr::waltool
