#include "base/testing/fault_file_system.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pitr::testing {

class FaultFileSystem::File : public WritableFile {
 public:
  File(FaultFileSystem* fs, std::string path,
       std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  absl::Status Append(absl::string_view data) override {
    if (absl::Status s = fs_->RunHook(&FaultFileSystem::write_hook_, path_);
        !s.ok())
      return s;
    if (absl::Status s = base_->Append(data); !s.ok()) return s;
    fs_->Appended(path_, data.size());
    return absl::OkStatus();
  }
  absl::Status AppendV(const std::vector<absl::string_view>& pieces) override {
    if (absl::Status s = fs_->RunHook(&FaultFileSystem::write_hook_, path_);
        !s.ok())
      return s;
    if (absl::Status s = base_->AppendV(pieces); !s.ok()) return s;
    uint64_t bytes = 0;
    for (absl::string_view piece : pieces) bytes += piece.size();
    fs_->Appended(path_, bytes);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    if (absl::Status s = fs_->RunHook(&FaultFileSystem::sync_hook_, path_);
        !s.ok())
      return s;
    if (absl::Status s = base_->Sync(); !s.ok()) return s;
    fs_->Synced(path_);
    return absl::OkStatus();
  }
  absl::Status Close() override { return base_->Close(); }

 private:
  FaultFileSystem* const fs_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
};

void FaultFileSystem::SetWriteHook(Hook hook) {
  MutexLock l(&mu_);
  write_hook_ = std::move(hook);
}

void FaultFileSystem::SetSyncHook(Hook hook) {
  MutexLock l(&mu_);
  sync_hook_ = std::move(hook);
}

int FaultFileSystem::sync_count() const {
  MutexLock l(&mu_);
  return sync_count_;
}

absl::Status FaultFileSystem::CheckAlive() const {
  MutexLock l(&mu_);
  if (crashed_) return absl::UnavailableError("simulated power cut");
  return absl::OkStatus();
}

absl::Status FaultFileSystem::RunHook(Hook FaultFileSystem::*hook,
                                      const std::string& path) {
  Hook run;
  {
    MutexLock l(&mu_);
    if (crashed_) return absl::UnavailableError("simulated power cut");
    run = this->*hook;
  }
  return run ? run(path) : absl::OkStatus();
}

void FaultFileSystem::Appended(const std::string& path, uint64_t bytes) {
  MutexLock l(&mu_);
  files_[path].size += bytes;
}

void FaultFileSystem::Synced(const std::string& path) {
  MutexLock l(&mu_);
  files_[path].synced = files_[path].size;
  ++sync_count_;
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultFileSystem::Wrap(
    const std::string& path, absl::StatusOr<std::unique_ptr<WritableFile>> file,
    bool created) {
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = base_->FileSize(path);
  if (!size.ok()) return size.status();
  MutexLock l(&mu_);
  // What is on disk when the file is opened counts as durable, except for a
  // file this object just created.
  files_[path] = Sizes{*size, created ? 0 : *size};
  if (created) unsynced_creations_.insert(path);
  return std::unique_ptr<WritableFile>(
      new File(this, path, std::move(file).value()));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultFileSystem::NewWritableFile(
    const std::string& path) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  return Wrap(path, base_->NewWritableFile(path), /*created=*/true);
}

absl::StatusOr<std::unique_ptr<WritableFile>>
FaultFileSystem::NewAppendableFile(const std::string& path) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  return Wrap(path, base_->NewAppendableFile(path), /*created=*/false);
}

absl::Status FaultFileSystem::SyncDir(const std::string& dir) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (absl::Status s = base_->SyncDir(dir); !s.ok()) return s;
  MutexLock l(&mu_);
  const std::string prefix = JoinPath(dir, "");
  for (auto it = unsynced_creations_.begin();
       it != unsynced_creations_.end();) {
    if (absl::StartsWith(*it, prefix) &&
        it->find('/', prefix.size()) == std::string::npos) {
      it = unsynced_creations_.erase(it);
    } else {
      ++it;
    }
  }
  return absl::OkStatus();
}

absl::Status FaultFileSystem::DeleteFile(const std::string& path) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (absl::Status s = base_->DeleteFile(path); !s.ok()) return s;
  MutexLock l(&mu_);
  files_.erase(path);
  unsynced_creations_.erase(path);
  return absl::OkStatus();
}

absl::Status FaultFileSystem::RenameFile(const std::string& from,
                                         const std::string& to) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  return base_->RenameFile(from, to);
}

absl::Status FaultFileSystem::TruncateFile(const std::string& path,
                                           uint64_t size) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (absl::Status s = base_->TruncateFile(path, size); !s.ok()) return s;
  MutexLock l(&mu_);
  if (auto it = files_.find(path); it != files_.end()) {
    it->second = Sizes{size, size};  // TruncateFile is durable
  }
  return absl::OkStatus();
}

absl::Status FaultFileSystem::Crash() {
  MutexLock l(&mu_);
  crashed_ = true;
  for (const std::string& path : unsynced_creations_) {
    if (absl::Status s = base_->DeleteFile(path); !s.ok()) return s;
    files_.erase(path);
  }
  unsynced_creations_.clear();
  for (const auto& [path, sizes] : files_) {
    if (sizes.synced < sizes.size) {
      if (absl::Status s = base_->TruncateFile(path, sizes.synced); !s.ok()) {
        return s;
      }
    }
  }
  files_.clear();
  return absl::OkStatus();
}

void FaultFileSystem::Restart() {
  MutexLock l(&mu_);
  crashed_ = false;
}

}  // namespace pitr::testing
