#include "wal/wal.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "spdlog/spdlog.h"
#include "wal/log_format.h"
#include "wal/record_codec.h"
#include "wal/recovery.h"
#include "wal/segment.h"
#include "wal/segment_scanner.h"

namespace pitr {

namespace lf = log_format;

// A caller of Append waiting in the queue.
struct Wal::Writer {
  Writer(const WalBatch* b, SegmentRoll r) : batch(b), roll(r) {}
  const WalBatch* const batch;
  const SegmentRoll roll;
  bool done = false;
  absl::StatusOr<AppendResult> result;
  CondVar cv;
};

absl::StatusOr<std::unique_ptr<Wal>> Wal::Open(WalOptions options) {
  if (options.fs == nullptr) options.fs = FileSystem::Default();
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("WalOptions::dir is empty");
  }
  if (options.segment_size == 0 || options.max_batch_bytes == 0) {
    return absl::InvalidArgumentError(
        "WalOptions::segment_size and max_batch_bytes must be positive");
  }
  FileSystem* fs = options.fs;
  PITR_RETURN_IF_ERROR(fs->CreateDirs(options.dir));
  PITR_ASSIGN_OR_RETURN(auto lock, fs->LockFile(JoinPath(options.dir, "LOCK")));
  PITR_ASSIGN_OR_RETURN(
      auto index,
      TimestampIndex::Open(fs, JoinPath(options.dir, lf::kIndexFileName)));
  PITR_ASSIGN_OR_RETURN(
      RecoveredLog recovered,
      RecoverLog(fs, options.dir, options.repair, index.get()));
  PITR_RETURN_IF_ERROR(fs->SyncDir(options.dir));
  PITR_ASSIGN_OR_RETURN(
      auto active,
      fs->NewAppendableFile(JoinPath(
          options.dir, SegmentFileName(recovered.segment_starts.back()))));
  spdlog::info("WAL {} open: lsn {} to {}, {} segments, {} commits",
               options.dir, FormatLsn(recovered.segment_starts.front()),
               FormatLsn(recovered.end_lsn), recovered.segment_starts.size(),
               recovered.commits);
  return std::unique_ptr<Wal>(new Wal(std::move(options), std::move(lock),
                                      std::move(index), recovered,
                                      std::move(active)));
}

Wal::Wal(WalOptions options, std::unique_ptr<FileLock> lock,
         std::unique_ptr<TimestampIndex> index, const RecoveredLog& recovered,
         std::unique_ptr<WritableFile> active_file)
    : options_(std::move(options)),
      fs_(options_.fs),
      lock_(std::move(lock)),
      index_(std::move(index)),
      active_file_(std::move(active_file)),
      active_bytes_(recovered.end_lsn - recovered.segment_starts.back()),
      written_lsn_(recovered.end_lsn),
      segment_starts_(recovered.segment_starts),
      end_lsn_(recovered.end_lsn),
      commits_(recovered.commits),
      last_timestamp_us_(recovered.last_timestamp_us) {}

Wal::~Wal() {
  absl::Status s = Close();
  if (!s.ok()) spdlog::error("closing WAL {}: {}", options_.dir, s.ToString());
}

std::string Wal::SegmentPath(Lsn start) const {
  return JoinPath(options_.dir, SegmentFileName(start));
}

absl::StatusOr<AppendResult> Wal::Append(const WalBatch& batch,
                                         SegmentRoll roll) {
  if (batch.empty()) {
    return absl::InvalidArgumentError(
        "empty batch: a batch needs at least one record");
  }
  const size_t size = batch.encoded_size() + lf::kCommitRecordSize;
  if (size > options_.max_batch_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch of ", size, " bytes (", batch.record_count(),
                     " records) is larger than the maximum of ",
                     options_.max_batch_bytes, " bytes"));
  }
  Writer writer(&batch, roll);
  MutexLock l(&mu_);
  if (closed_) return absl::FailedPreconditionError("the WAL is closed");
  writers_.push_back(&writer);
  while (!writer.done && &writer != writers_.front()) writer.cv.Wait(&mu_);
  if (!writer.done) LeadGroup(&writer);
  return std::move(writer.result);
}

void Wal::LeadGroup(Writer* leader) {
  // Settle every queued writer that cannot be written at all.
  auto finish = [](Writer* w, absl::Status status) {
    w->result = std::move(status);
    w->done = true;
    w->cv.Signal();
  };
  if (!poison_.ok()) {
    for (Writer* w : writers_) finish(w, poison_);
    writers_.clear();
    state_changed_.SignalAll();
    return;
  }

  // Choose the group and place its batches: LSNs follow the queue order,
  // timestamps never decrease.
  std::vector<Writer*> group;
  const Lsn start = end_lsn_;
  Lsn lsn = start;
  std::optional<int64_t> last_ts = last_timestamp_us_;
  const int64_t now = options_.clock_us ? options_.clock_us() : NowMicros();
  for (auto it = writers_.begin(); it != writers_.end();) {
    Writer* w = *it;
    const uint64_t size = w->batch->encoded_size() + lf::kCommitRecordSize;
    if (size > std::numeric_limits<Lsn>::max() - lsn) {
      // Only a log whose segments claim LSNs near 2^64 gets here.
      finish(w, absl::OutOfRangeError(absl::StrCat(
                    "the log is full: a batch of ", size, " bytes at lsn ",
                    FormatLsn(lsn), " would pass the largest LSN ",
                    FormatLsn(std::numeric_limits<Lsn>::max()))));
      it = writers_.erase(it);
      continue;
    }
    if (!group.empty() && (lsn - start + size > options_.max_group_bytes ||
                           w->roll != SegmentRoll::kBySize ||
                           group.front()->roll != SegmentRoll::kBySize)) {
      break;
    }
    std::optional<int64_t> ts = w->batch->timestamp_us();
    if (ts && last_ts && *ts < *last_ts) {
      finish(w, absl::OutOfRangeError(absl::StrCat(
                    "commit timestamp ", FormatTimestampUs(*ts), " (", *ts,
                    " us) is earlier than the last commit's ",
                    FormatTimestampUs(*last_ts), " (", *last_ts,
                    " us); timestamps must not decrease")));
      it = writers_.erase(it);
      continue;
    }
    if (!ts) ts = last_ts ? std::max(now, *last_ts) : now;
    w->result = AppendResult{lsn, lsn + size, *ts};
    lsn += size;
    last_ts = ts;
    group.push_back(w);
    ++it;
  }
  if (group.empty()) {
    // Every queued batch was refused; hand the lead on.
    if (!writers_.empty()) writers_.front()->cv.Signal();
    state_changed_.SignalAll();
    return;
  }

  const uint64_t commits_before = commits_;
  bool rolled = false;
  mu_.Unlock();
  absl::Status status;
  {
    MutexLock io(&io_mu_);
    status = WriteGroup(group, start, commits_before, &rolled);
  }
  mu_.Lock();

  if (status.ok()) {
    if (rolled) segment_starts_.push_back(start);
    end_lsn_ = lsn;
    commits_ += group.size();
    last_timestamp_us_ = last_ts;
    stats_.batches += group.size();
    stats_.groups += 1;
    stats_.syncs += options_.sync == SyncPolicy::kEveryBatch ? 1 : 0;
    stats_.bytes += lsn - start;
  } else {
    // The server's failure whatever errno said (EIO would read UNKNOWN,
    // EINVAL INVALID_ARGUMENT), except a full disk, which operators can fix.
    const absl::StatusCode code = absl::IsResourceExhausted(status)
                                      ? absl::StatusCode::kResourceExhausted
                                      : absl::StatusCode::kInternal;
    poison_ = absl::Status(
        code, absl::StrCat("the WAL failed to write lsn ", FormatLsn(start),
                           " to ", FormatLsn(lsn),
                           " and is poisoned (every later append fails "
                           "until it is reopened): ",
                           status.message()));
    spdlog::error("{}", poison_.ToString());
  }
  for (Writer* w : group) {
    writers_.pop_front();
    if (!status.ok()) w->result = poison_;
    w->done = true;
    if (w != leader) w->cv.Signal();
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();
  state_changed_.SignalAll();
}

absl::Status Wal::WriteGroup(const std::vector<Writer*>& group, Lsn start,
                             uint64_t commits_before, bool* rolled) {
  // The batches are written straight from the callers' buffers (they wait
  // until the group is done); only the commit records are built here.
  commit_records_.clear();
  std::vector<TimestampIndex::Entry> entries;
  entries.reserve(group.size());
  uint64_t group_bytes = 0;
  for (Writer* w : group) {
    const WalBatch& batch = *w->batch;
    record_codec::AppendCommit(&commit_records_, batch.timeline(),
                               w->result->timestamp_us, batch.record_count());
    entries.push_back({w->result->timestamp_us, w->result->commit_lsn});
    group_bytes += batch.encoded_size() + lf::kCommitRecordSize;
  }
  std::vector<absl::string_view> pieces;
  pieces.reserve(2 * group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    group[i]->batch->AppendPieces(&pieces);
    pieces.push_back(
        absl::string_view(commit_records_)
            .substr(i * lf::kCommitRecordSize, lf::kCommitRecordSize));
  }
  // A group placed by hand holds one batch (LeadGroup).
  const SegmentRoll roll = group.front()->roll;
  const bool roll_now =
      roll == SegmentRoll::kNow ||
      (roll == SegmentRoll::kBySize &&
       active_bytes_ + group_bytes > options_.segment_size);
  if (active_bytes_ > 0 && roll_now) {
    PITR_RETURN_IF_ERROR(RollSegment(start, commits_before));
    *rolled = true;
  }
  PITR_RETURN_IF_ERROR(active_file_->AppendV(pieces));
  if (options_.sync == SyncPolicy::kEveryBatch) {
    PITR_RETURN_IF_ERROR(active_file_->Sync());
  }
  active_bytes_ += group_bytes;
  written_lsn_ = start + group_bytes;
  // The index is written only once the batches are durable; recovery
  // rebuilds any entry lost in a crash from the segments.
  PITR_RETURN_IF_ERROR(index_->Append(entries));
  if (!options_.on_durable) return absl::OkStatus();
  std::vector<DurableBatch> durable;
  durable.reserve(group.size());
  for (Writer* w : group) durable.push_back({w->batch, *w->result});
  return options_.on_durable(durable);
}

absl::Status Wal::RollSegment(Lsn start, uint64_t commits_before) {
  // The sealed segment must end on a batch boundary on disk before the next
  // one exists, whatever the sync policy: recovery relies on it.
  PITR_RETURN_IF_ERROR(active_file_->Sync());
  const std::string path = SegmentPath(start);
  PITR_ASSIGN_OR_RETURN(auto file, fs_->NewWritableFile(path));
  PITR_RETURN_IF_ERROR(
      file->Append(EncodeSegmentHeader(SegmentHeader{start, commits_before})));
  PITR_RETURN_IF_ERROR(file->Sync());
  PITR_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
  PITR_RETURN_IF_ERROR(active_file_->Close());
  active_file_ = std::move(file);
  active_bytes_ = 0;
  spdlog::debug("WAL: new segment {}", path);
  return absl::OkStatus();
}

absl::Status Wal::Trim(Lsn lsn) {
  MutexLock io(&io_mu_);
  // Checked against what is written, not end_lsn_: the engine may trim at
  // an LSN its on_durable hook has seen before the group is published.
  if (lsn > written_lsn_) {
    return absl::OutOfRangeError(absl::StrCat(
        "cannot trim the WAL at lsn ", FormatLsn(lsn),
        ": it is past the end of the log (", FormatLsn(written_lsn_), ")"));
  }
  std::vector<Lsn> doomed;
  // Entries for the commits in the doomed segments cannot be rebuilt once
  // they are gone, so the index must be durable first.
  PITR_RETURN_IF_ERROR(index_->Sync());
  {
    MutexLock l(&mu_);
    size_t n = 0;
    while (n + 1 < segment_starts_.size() && segment_starts_[n + 1] <= lsn) ++n;
    doomed.assign(segment_starts_.begin(), segment_starts_.begin() + n);
    segment_starts_.erase(segment_starts_.begin(), segment_starts_.begin() + n);
  }
  // Oldest first, each deletion durable before the next, so a crash leaves
  // a contiguous log.
  for (Lsn start : doomed) {
    PITR_RETURN_IF_ERROR(fs_->DeleteFile(SegmentPath(start)));
    PITR_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
  }
  if (!doomed.empty()) {
    spdlog::info("WAL: trimmed {} segments below lsn {}", doomed.size(),
                 FormatLsn(oldest_lsn()));
  }
  return absl::OkStatus();
}

absl::Status Wal::Close() {
  {
    MutexLock l(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    state_changed_.SignalAll();
    while (!writers_.empty()) state_changed_.Wait(&mu_);
  }
  MutexLock io(&io_mu_);
  absl::Status status = active_file_->Sync();
  if (status.ok()) status = active_file_->Close();
  if (status.ok()) status = index_->Sync();
  return status;
}

absl::StatusOr<std::unique_ptr<WalReader>> Wal::NewReader(Lsn from) {
  Lsn oldest, end;
  {
    MutexLock l(&mu_);
    oldest = segment_starts_.front();
    end = end_lsn_;
    if (std::binary_search(segment_starts_.begin(), segment_starts_.end(),
                           from)) {
      return std::unique_ptr<WalReader>(new WalReader(this, from));
    }
  }
  if (from < oldest) {
    return absl::OutOfRangeError(absl::StrCat(
        "lsn ", FormatLsn(from), " is below the oldest WAL lsn ",
        FormatLsn(oldest), " (the segments below it were trimmed)"));
  }
  if (from > end) {
    return absl::OutOfRangeError(absl::StrCat("lsn ", FormatLsn(from),
                                              " is past the end of the WAL (",
                                              FormatLsn(end), ")"));
  }
  PITR_ASSIGN_OR_RETURN(bool boundary, index_->ContainsLsn(from));
  if (!boundary) {
    return absl::InvalidArgumentError(
        absl::StrCat("lsn ", FormatLsn(from),
                     " is not a batch boundary: a reader starts "
                     "at the start of the log or at a commit lsn, within [",
                     FormatLsn(oldest), ", ", FormatLsn(end), "]"));
  }
  return std::unique_ptr<WalReader>(new WalReader(this, from));
}

absl::StatusOr<Lsn> Wal::LsnAtTimestamp(int64_t timestamp_us) const {
  PITR_ASSIGN_OR_RETURN(std::optional<TimestampIndex::Entry> entry,
                        index_->LastAtOrBefore(timestamp_us));
  if (entry) return entry->commit_lsn;
  if (index_->end_ordinal() == index_->first_ordinal()) {
    return absl::OutOfRangeError(
        absl::StrCat("no commit at or before ", FormatTimestampUs(timestamp_us),
                     ": nothing has been committed yet"));
  }
  PITR_ASSIGN_OR_RETURN(TimestampIndex::Entry first,
                        index_->Get(index_->first_ordinal()));
  return absl::OutOfRangeError(absl::StrCat(
      "no commit at or before ", FormatTimestampUs(timestamp_us),
      ": the first commit is at ", FormatTimestampUs(first.timestamp_us),
      " (lsn ", FormatLsn(first.commit_lsn), ")"));
}

absl::StatusOr<std::optional<int64_t>> Wal::TimestampAtLsn(Lsn lsn) const {
  PITR_ASSIGN_OR_RETURN(std::optional<TimestampIndex::Entry> entry,
                        index_->LastAtOrBeforeLsn(lsn));
  if (!entry) return std::optional<int64_t>();
  return std::optional<int64_t>(entry->timestamp_us);
}

std::vector<Wal::Segment> Wal::Segments() const {
  MutexLock l(&mu_);
  std::vector<Segment> segments;
  segments.reserve(segment_starts_.size());
  for (size_t i = 0; i < segment_starts_.size(); ++i) {
    Segment segment;
    segment.start = segment_starts_[i];
    segment.sealed = i + 1 < segment_starts_.size();
    segment.end = segment.sealed ? segment_starts_[i + 1] : end_lsn_;
    segment.path = SegmentPath(segment.start);
    segments.push_back(std::move(segment));
  }
  return segments;
}

Lsn Wal::oldest_lsn() const {
  MutexLock l(&mu_);
  return segment_starts_.front();
}

Lsn Wal::end_lsn() const {
  MutexLock l(&mu_);
  return end_lsn_;
}

std::optional<int64_t> Wal::last_timestamp_us() const {
  MutexLock l(&mu_);
  return last_timestamp_us_;
}

WalStats Wal::stats() const {
  MutexLock l(&mu_);
  WalStats stats = stats_;
  stats.segments = segment_starts_.size();
  return stats;
}

absl::StatusOr<Wal::SegmentRef> Wal::SegmentFor(Lsn lsn) const {
  MutexLock l(&mu_);
  if (lsn < segment_starts_.front()) {
    return absl::OutOfRangeError(absl::StrCat(
        "lsn ", FormatLsn(lsn), " is below the oldest WAL lsn ",
        FormatLsn(segment_starts_.front()), " (trimmed while reading)"));
  }
  auto next =
      std::upper_bound(segment_starts_.begin(), segment_starts_.end(), lsn);
  SegmentRef ref;
  ref.start = *(next - 1);
  if (next != segment_starts_.end()) ref.sealed_end = *next;
  ref.path = SegmentPath(ref.start);
  return ref;
}

absl::Status Wal::WaitForEnd(Lsn beyond, absl::Time deadline) const {
  MutexLock l(&mu_);
  while (end_lsn_ <= beyond && !closed_) {
    if (state_changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  if (end_lsn_ > beyond) return absl::OkStatus();
  if (closed_) return absl::CancelledError("the WAL was closed");
  return absl::DeadlineExceededError(absl::StrCat(
      "no batch was committed after lsn ", FormatLsn(beyond), " in time"));
}

WalReader::WalReader(const Wal* wal, Lsn from) : wal_(wal), position_(from) {}
WalReader::~WalReader() = default;

absl::StatusOr<bool> WalReader::Next(CommittedBatch* batch) {
  const Lsn end = wal_->end_lsn();
  if (position_ >= end) return false;
  if (scanner_ == nullptr || scanner_->position() == scanner_->limit()) {
    PITR_ASSIGN_OR_RETURN(Wal::SegmentRef ref, wal_->SegmentFor(position_));
    if (file_ == nullptr || ref.start != segment_start_) {
      PITR_ASSIGN_OR_RETURN(file_, wal_->fs_->NewRandomAccessFile(ref.path));
      segment_start_ = ref.start;
    }
    scanner_ = std::make_unique<SegmentScanner>(
        file_.get(), ref.path, ref.start, position_,
        ref.sealed_end ? std::min(*ref.sealed_end, end) : end);
  }
  PITR_ASSIGN_OR_RETURN(bool got, scanner_->Next(batch));
  if (got) position_ = batch->commit_lsn;
  return got;
}

absl::Status WalReader::WaitForMore(absl::Time deadline) {
  return wal_->WaitForEnd(position_, deadline);
}

}  // namespace pitr
