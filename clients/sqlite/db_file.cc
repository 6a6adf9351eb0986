#include "clients/sqlite/db_file.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "base/status_macros.h"

namespace pitr::sqlite {
namespace {

// The first 16 bytes of a SQLite database, and where its header keeps the
// page size (big-endian; 1 means 65536).
constexpr char kSqliteMagic[] = "SQLite format 3";
constexpr size_t kPageSizeOffset = 16;
// Where SQLite looks at the start of each read transaction to tell whether
// its cache is still valid: the 16 bytes from the change counter (offset
// 24) in page 1 (sqlite3PagerSharedLock).
constexpr uint64_t kChangeCounterOffset = 24;
constexpr size_t kChangeCounterProbe = 16;
// GetPages takes at most this many keys.
constexpr size_t kMaxKeysPerCall = 1024;
// Appends of one commit that other databases' commits on the branch may
// refuse (each is followed by a Rebase).
constexpr int kCommitAttempts = 8;
// Open's own transaction and the connection's first: see KeepWatching.
constexpr uint64_t kTransactionsBeforeWatching = 3;
// How often a watch that ended is started again.
constexpr std::chrono::seconds kWatchRestartInterval(1);

absl::Status ReadOnlyError(const RemoteDb& db) {
  return absl::PermissionDeniedError(
      absl::StrCat("database ", db.name(), " is open read-only"));
}

}  // namespace

DbFile::DbFile(std::unique_ptr<RemoteDb> db, const DbFileOptions& options)
    : db_(std::move(db)),
      read_only_(options.at.has_value()),
      // Read-ahead must not evict what it fetched before it is read.
      read_ahead_pages_(static_cast<uint32_t>(
          std::min<size_t>(options.read_ahead_pages,
                           std::max<size_t>(1, options.cache_pages / 2)))),
      cache_(options.cache_pages) {}

absl::StatusOr<std::unique_ptr<DbFile>> DbFile::Open(
    std::unique_ptr<RemoteDb> db, const DbFileOptions& options) {
  std::unique_ptr<DbFile> file(new DbFile(std::move(db), options));
  if (options.at.has_value()) {
    PITR_ASSIGN_OR_RETURN(auto size, file->db_->SizeAt(*options.at));
    file->position_.set_lsn(size.first);
    file->base_pages_ = size.second;
    file->cache_position_ = file->position_;
    file->buffer_.Reset(file->base_pages_);
  } else {
    PITR_RETURN_IF_ERROR(file->Begin());
  }
  PITR_RETURN_IF_ERROR(file->CheckPageSize());
  return file;
}

absl::Status DbFile::CheckPageSize() {
  if (base_pages_ == 0) return absl::OkStatus();
  PITR_ASSIGN_OR_RETURN(const std::string* page, Page(0));
  if (page == nullptr || page->size() < kPageSizeOffset + 2 ||
      memcmp(page->data(), kSqliteMagic, sizeof(kSqliteMagic)) != 0) {
    return absl::OkStatus();  // not a database: SQLite says so itself
  }
  uint32_t size = (static_cast<uint8_t>((*page)[kPageSizeOffset]) << 8) |
                  static_cast<uint8_t>((*page)[kPageSizeOffset + 1]);
  if (size == 1) size = 65536;
  if (size != page_size()) {
    return absl::FailedPreconditionError(
        absl::StrCat("database ", db_->name(), " has pages of ", size,
                     " bytes but the pitr store's pages are ", page_size(),
                     " bytes: a database must have the store's page size"));
  }
  return absl::OkStatus();
}

void DbFile::KeepWatching() {
  if (read_only_ || watch_unsupported_) return;
  if (stats_.transactions < kTransactionsBeforeWatching) return;
  if (watch_ != nullptr) {
    if (!watch_->ended()) return;
    const absl::Status end = watch_->end_status();
    // A replica, or a server from before WatchChanges: ask each time.
    if (absl::IsFailedPrecondition(end) || absl::IsUnimplemented(end)) {
      watch_unsupported_ = true;
      watch_.reset();
      return;
    }
  }
  const ChangeWatch::Clock::time_point now = ChangeWatch::Clock::now();
  if (watch_ != nullptr && now - watch_started_ < kWatchRestartInterval) {
    return;
  }
  watch_started_ = now;
  watch_.reset();
  watch_ = db_->Watch(cache_position_);
}

absl::StatusOr<RemoteDb::Changes> DbFile::ChangesSinceCache(bool ask_server,
                                                            uint64_t* through,
                                                            bool* watched) {
  *watched = false;
  *through = 0;
  if (watch_ != nullptr) {
    std::optional<ChangeWatch::View> view;
    if (!ask_server) view = watch_->Current();
    // Behind what this file committed itself: the server did not wait for
    // the watch (it cannot happen while the lease holds; never trust it).
    if (view.has_value() && cache_position_.has_value() &&
        view->position.timeline_id() == cache_position_->timeline_id() &&
        view->position.lsn() < cache_position_->lsn()) {
      view.reset();
    }
    if (view.has_value()) {
      *watched = true;
      *through = view->through;
      RemoteDb::Changes changes;
      changes.position = view->position;
      changes.space_pages = view->space_pages;
      changes.all_changed = !cache_position_.has_value();
      for (const ChangeWatch::Span& span : view->spans) {
        const bool own =
            std::any_of(own_commits_.begin(), own_commits_.end(),
                        [&span](const OwnCommit& commit) {
                          return span.from.has_value() &&
                                 SamePosition(*span.from, commit.from) &&
                                 SamePosition(span.to, commit.to);
                        });
        if (own) continue;
        changes.all_changed |= span.all_changed;
        changes.pages.insert(changes.pages.end(), span.pages.begin(),
                             span.pages.end());
      }
      if (changes.all_changed) changes.pages.clear();
      return changes;
    }
    // What the watch received so far is older than the server's answer.
    *through = watch_->received();
  }
  return db_->GetChanges(cache_position_);
}

void DbFile::Consumed(uint64_t through) {
  if (watch_ != nullptr) watch_->Consume(through);
  own_commits_.clear();
}

absl::Status DbFile::Begin() {
  if (read_only_) return absl::OkStatus();
  uint64_t through;
  bool watched;
  PITR_ASSIGN_OR_RETURN(RemoteDb::Changes changes,
                        ChangesSinceCache(false, &through, &watched));
  const size_t cached = cache_.size();
  if (changes.all_changed && cache_position_.has_value()) {
    history_jumped_ = true;
  }
  if (changes.all_changed) {
    cache_.Clear();
  } else {
    for (uint32_t page : changes.pages) cache_.Invalidate(page);
  }
  cache_.Truncate(changes.space_pages);
  Consumed(through);
  ++stats_.transactions;
  if (watched) ++stats_.watched;
  stats_.pages_invalidated += cached - cache_.size();
  position_ = changes.position;
  cache_position_ = position_;
  base_pages_ = changes.space_pages;
  buffer_.Reset(base_pages_);
  doomed_ = false;
  // Now that the cache is current, a new watch starts from its position.
  KeepWatching();
  return absl::OkStatus();
}

absl::Status DbFile::Refresh() {
  if (lock_ != LockLevel::kNone) return absl::OkStatus();
  return Begin();
}

absl::Status DbFile::Lock(LockLevel level) {
  if (level <= lock_) return absl::OkStatus();
  if (lock_ == LockLevel::kNone) PITR_RETURN_IF_ERROR(Begin());
  if (level >= LockLevel::kReserved && lock_ < LockLevel::kReserved) {
    if (read_only_) return ReadOnlyError(*db_);
    PITR_ASSIGN_OR_RETURN(bool current, Rebase(/*ask_server=*/false));
    if (!current) {
      ++stats_.conflicts;
      return absl::AbortedError(absl::StrCat(
          "database ", db_->name(), " changed on branch ", db_->branch(),
          " since the transaction's read point ", FormatLsn(position_.lsn())));
    }
  }
  lock_ = level;
  return absl::OkStatus();
}

absl::StatusOr<bool> DbFile::Rebase(bool ask_server) {
  // Inside a transaction the cache is at the read point.
  uint64_t through;
  bool watched;
  PITR_ASSIGN_OR_RETURN(RemoteDb::Changes changes,
                        ChangesSinceCache(ask_server, &through, &watched));
  if (SamePosition(changes.position, position_)) {
    Consumed(through);
    return true;
  }
  if (changes.all_changed || !changes.pages.empty() ||
      changes.space_pages != base_pages_) {
    return false;
  }
  position_ = changes.position;
  cache_position_ = position_;
  Consumed(through);
  return true;
}

absl::Status DbFile::Unlock(LockLevel level) {
  absl::Status status;
  if (lock_ >= LockLevel::kReserved && level <= LockLevel::kShared) {
    if (!doomed_) status = Commit();
    buffer_.Reset(base_pages_);
    doomed_ = false;
  }
  if (level == LockLevel::kNone) history_jumped_ = false;
  lock_ = std::min(lock_, level);
  return status;
}

absl::StatusOr<const std::string*> DbFile::Page(uint32_t page) {
  if (page >= buffer_.page_count()) return nullptr;
  ++stats_.page_reads;
  if (const std::string* data = buffer_.Find(page)) return data;
  if (const std::string* data = cache_.Find(page)) {
    ++stats_.cache_hits;
    return data;
  }
  PITR_RETURN_IF_ERROR(Fetch(page));
  return cache_.Find(page);
}

absl::Status DbFile::Fetch(uint32_t page) {
  sequential_fetches_ = page == last_fetched_ + 1 ? sequential_fetches_ + 1 : 0;
  std::vector<uint32_t> pages = {page};
  if (sequential_fetches_ > 0) {
    const uint32_t end = std::min(base_pages_, page + read_ahead_pages_);
    for (uint32_t next = page + 1; next < end; ++next) {
      if (cache_.Find(next) == nullptr) pages.push_back(next);
    }
  }
  last_fetched_ = pages.back();
  PITR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> data,
                        db_->ReadPages(pages, position_.lsn()));
  ++stats_.fetches;
  stats_.pages_fetched += pages.size();
  // Pages that do not exist inside the file's size read as zeros. The
  // requested page goes in last so that it is the most recently used.
  for (size_t i = pages.size(); i-- > 0;) {
    std::string contents = data[i].has_value() ? *std::move(data[i])
                                               : std::string(page_size(), '\0');
    cache_.Put(pages[i], std::move(contents));
  }
  return absl::OkStatus();
}

absl::Status DbFile::Read(uint64_t offset, char* out, size_t n,
                          bool* short_read) {
  PITR_RETURN_IF_ERROR(Refresh());
  if (history_jumped_ && offset == kChangeCounterOffset &&
      n == kChangeCounterProbe) {
    // SQLite's probe of its cache's validity: answer bytes that cannot be
    // those it cached, so that it drops its cache and reads page 1 again.
    history_jumped_ = false;
    PITR_RETURN_IF_ERROR(Read(offset, out, n, short_read));
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(~out[i]);
    return absl::OkStatus();
  }
  *short_read = false;
  const uint64_t page_size = this->page_size();
  while (n > 0) {
    const uint32_t page = static_cast<uint32_t>(offset / page_size);
    const size_t in_page = offset % page_size;
    const size_t len = std::min<uint64_t>(n, page_size - in_page);
    PITR_ASSIGN_OR_RETURN(const std::string* data, Page(page));
    if (data == nullptr) {
      memset(out, 0, n);
      *short_read = true;
      return absl::OkStatus();
    }
    memcpy(out, data->data() + in_page, len);
    out += len;
    offset += len;
    n -= len;
  }
  return absl::OkStatus();
}

absl::Status DbFile::Write(uint64_t offset, const char* data, size_t n) {
  if (read_only_) return ReadOnlyError(*db_);
  if (n != page_size() || offset % page_size() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "write of ", n, " bytes at offset ", offset, " to database ",
        db_->name(), ": the pitr store's pages are ", page_size(),
        " bytes and a database must use them (PRAGMA page_size=", page_size(),
        " before creating it)"));
  }
  if (lock_ < LockLevel::kReserved) {
    return absl::FailedPreconditionError(absl::StrCat(
        "write to database ", db_->name(), " without a RESERVED lock"));
  }
  buffer_.Write(static_cast<uint32_t>(offset / page_size()),
                std::string(data, n));
  return absl::OkStatus();
}

absl::Status DbFile::Truncate(uint64_t size) {
  if (read_only_) return ReadOnlyError(*db_);
  if (size % page_size() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("truncation of database ", db_->name(), " to ", size,
                     " bytes, not a multiple of the page size ", page_size()));
  }
  buffer_.Truncate(static_cast<uint32_t>(size / page_size()));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> DbFile::Size() {
  PITR_RETURN_IF_ERROR(Refresh());
  return uint64_t{buffer_.page_count()} * page_size();
}

absl::Status DbFile::ForgetUnchangedWrites() {
  const uint32_t comparable = std::min(buffer_.min_page_count(), base_pages_);
  std::vector<uint32_t> unknown;
  for (uint32_t page : buffer_.WrittenPages()) {
    if (page < comparable && cache_.Find(page) == nullptr)
      unknown.push_back(page);
  }
  for (size_t i = 0; i < unknown.size(); i += kMaxKeysPerCall) {
    std::vector<uint32_t> batch(
        unknown.begin() + i,
        unknown.begin() + std::min(unknown.size(), i + kMaxKeysPerCall));
    PITR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> data,
                          db_->ReadPages(batch, position_.lsn()));
    for (size_t j = 0; j < batch.size(); ++j) {
      if (data[j].has_value() && *data[j] == *buffer_.Find(batch[j])) {
        buffer_.Forget(batch[j]);
      }
    }
  }
  for (uint32_t page : buffer_.WrittenPages()) {
    if (page >= comparable) continue;
    const std::string* base = cache_.Find(page);
    if (base != nullptr && *base == *buffer_.Find(page)) buffer_.Forget(page);
  }
  return absl::OkStatus();
}

absl::Status DbFile::Commit() {
  if (buffer_.empty()) return absl::OkStatus();
  PITR_RETURN_IF_ERROR(ForgetUnchangedWrites());
  if (buffer_.empty()) return absl::OkStatus();
  if (doomed_) {
    return absl::AbortedError(
        absl::StrCat("the transaction on database ", db_->name(),
                     " lost to another writer; roll it back and retry"));
  }
  std::vector<v1::WalRecord> records = buffer_.ToRecords(db_->space());
  absl::StatusOr<uint64_t> commit_lsn;
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    commit_lsn = db_->Append(records, position_);
    if (!absl::IsAborted(commit_lsn.status())) break;
    // The branch moved: if only other databases changed, commit after them.
    absl::StatusOr<bool> rebased = Rebase(/*ask_server=*/true);
    if (!rebased.ok() || !*rebased) break;
  }
  if (!commit_lsn.ok()) {
    // Whatever happened, SQLite now rolls back: nothing more of this
    // transaction may be committed.
    if (absl::IsAborted(commit_lsn.status())) ++stats_.conflicts;
    doomed_ = true;
    buffer_.Reset(base_pages_);
    return commit_lsn.status();
  }
  ++stats_.commits;
  for (uint32_t page : buffer_.WrittenPages()) {
    cache_.Put(page, *buffer_.Find(page));
  }
  base_pages_ = buffer_.page_count();
  cache_.Truncate(base_pages_);
  OwnCommit own{position_, position_};
  own.to.set_lsn(*commit_lsn);
  own_commits_.push_back(own);
  position_.set_lsn(*commit_lsn);
  cache_position_ = position_;
  buffer_.Reset(base_pages_);
  return absl::OkStatus();
}

void DbFile::Rollback() {
  buffer_.Reset(base_pages_);
  doomed_ = false;
}

absl::StatusOr<v1::BranchPosition> DbFile::Position() {
  PITR_RETURN_IF_ERROR(Refresh());
  return position_;
}

}  // namespace pitr::sqlite
