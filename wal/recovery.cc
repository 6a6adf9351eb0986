#include "wal/recovery.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"
#include "wal/log_format.h"
#include "wal/record_codec.h"
#include "wal/segment.h"
#include "wal/segment_scanner.h"
#include "wal/status_macros.h"
#include "wal/timestamp.h"

namespace pitr {
namespace {

namespace lf = log_format;

// Whether any complete, checksum-valid frame starts in (after, limit) of
// the segment: if one does, the damage at `after` is not a torn tail but
// corruption of data that was written before other data.
absl::StatusOr<bool> AnyValidFrameAfter(const RandomAccessFile& file,
                                        Lsn segment_start, Lsn after,
                                        Lsn limit) {
  std::string rest(static_cast<size_t>(limit - after), '\0');
  PITR_ASSIGN_OR_RETURN(
      size_t got,
      file.Read(SegmentFileOffset(segment_start, after), rest.size(), &rest[0]));
  rest.resize(got);
  for (size_t i = 1; i < rest.size(); ++i) {
    record_codec::Frame frame;
    std::string reason;
    if (record_codec::ParseFrame(absl::string_view(rest).substr(i), &frame,
                                 &reason) == record_codec::FrameResult::kOk) {
      return true;
    }
  }
  return false;
}

absl::Status CreateSegment(FileSystem* fs, const std::string& dir,
                           const SegmentHeader& header) {
  PITR_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(JoinPath(
                                       dir, SegmentFileName(header.start_lsn))));
  PITR_RETURN_IF_ERROR(file->Append(EncodeSegmentHeader(header)));
  PITR_RETURN_IF_ERROR(file->Sync());
  PITR_RETURN_IF_ERROR(file->Close());
  return fs->SyncDir(dir);
}

// Checks the segments, in order, and gathers their commits.
class SegmentChecker {
 public:
  SegmentChecker(FileSystem* fs, std::string dir, bool repair)
      : fs_(fs), dir_(std::move(dir)), repair_(repair) {}

  // Recovers the segments starting at `starts` (ascending).
  absl::Status Run(const std::vector<Lsn>& starts);

  RecoveredLog& log() { return log_; }
  uint64_t first_commit_ordinal() const { return first_commit_ordinal_; }
  std::vector<TimestampIndex::Entry>& commits() { return commits_; }

 private:
  // Checks one segment; sets *cut if the log ends in it.
  absl::Status CheckSegment(Lsn start, bool last, bool* cut);
  absl::Status DeleteSegment(Lsn start);

  FileSystem* const fs_;
  const std::string dir_;
  const bool repair_;
  RecoveredLog log_;
  uint64_t first_commit_ordinal_ = 0;
  std::vector<TimestampIndex::Entry> commits_;
};

absl::Status SegmentChecker::DeleteSegment(Lsn start) {
  PITR_RETURN_IF_ERROR(fs_->DeleteFile(JoinPath(dir_, SegmentFileName(start))));
  return fs_->SyncDir(dir_);
}

absl::Status SegmentChecker::Run(const std::vector<Lsn>& starts) {
  for (size_t i = 0; i < starts.size(); ++i) {
    bool cut = false;
    PITR_RETURN_IF_ERROR(CheckSegment(starts[i], i + 1 == starts.size(), &cut));
    if (!cut) continue;
    for (size_t j = i + 1; j < starts.size(); ++j) {
      spdlog::warn("WAL repair: deleting segment {} after the cut",
                   SegmentFileName(starts[j]));
      PITR_RETURN_IF_ERROR(DeleteSegment(starts[j]));
    }
    break;
  }
  return absl::OkStatus();
}

absl::Status SegmentChecker::CheckSegment(Lsn start, bool last, bool* cut) {
  const std::string path = JoinPath(dir_, SegmentFileName(start));
  PITR_ASSIGN_OR_RETURN(uint64_t size, fs_->FileSize(path));
  PITR_ASSIGN_OR_RETURN(auto file, fs_->NewRandomAccessFile(path));
  std::string header_bytes(lf::kSegmentHeaderSize, '\0');
  PITR_ASSIGN_OR_RETURN(size_t got,
                        file->Read(0, header_bytes.size(), &header_bytes[0]));
  header_bytes.resize(got);
  absl::StatusOr<SegmentHeader> header = DecodeSegmentHeader(header_bytes, path);
  if (!header.ok()) {
    if (last && size <= lf::kSegmentHeaderSize &&
        header.status().code() == absl::StatusCode::kDataLoss) {
      // Created, but the crash came before its header was durable: the
      // segment never held a record.
      spdlog::warn("WAL recovery: removing segment {} whose header was torn",
                   path);
      *cut = true;
      return DeleteSegment(start);
    }
    return header.status();
  }
  if (header->start_lsn != start) {
    return absl::DataLossError(absl::StrCat(
        "WAL segment ", path, " says it starts at lsn ",
        FormatLsn(header->start_lsn), ", not at the lsn its name gives"));
  }
  if (log_.segment_starts.empty()) {
    log_.end_lsn = start;
    log_.commits = header->commits_before;
    first_commit_ordinal_ = header->commits_before;
  } else if (start != log_.end_lsn ||
             header->commits_before != log_.commits) {
    return absl::DataLossError(absl::StrCat(
        "WAL segment ", path, " starts at lsn ", FormatLsn(start), " after ",
        header->commits_before, " commits, but the segments before it end at lsn ",
        FormatLsn(log_.end_lsn), " after ", log_.commits,
        " commits (a segment is missing or damaged)"));
  }
  log_.segment_starts.push_back(start);

  const Lsn limit = start + (size - lf::kSegmentHeaderSize);
  SegmentScanner scanner(file.get(), path, start, start, limit);
  CommittedBatch batch;
  while (true) {
    absl::StatusOr<bool> more = scanner.Next(&batch);
    if (more.ok() && !*more) break;
    if (more.ok()) {
      if (log_.last_timestamp_us && batch.timestamp_us < *log_.last_timestamp_us) {
        return absl::DataLossError(absl::StrCat(
            "WAL segment ", path, ": the commit at lsn ",
            FormatLsn(batch.commit_lsn), " has timestamp ",
            FormatTimestampUs(batch.timestamp_us),
            ", earlier than the commit before it"));
      }
      commits_.push_back({batch.timestamp_us, batch.commit_lsn});
      log_.last_timestamp_us = batch.timestamp_us;
      log_.end_lsn = batch.commit_lsn;
      ++log_.commits;
      continue;
    }
    if (more.status().code() != absl::StatusCode::kDataLoss) return more.status();
    // A torn write can only cut the very end of the log: if any valid frame
    // follows the problem, data written earlier was damaged. (A bad length
    // field also looks like a frame cut short, so this test covers both.)
    bool torn = false;
    if (last) {
      PITR_ASSIGN_OR_RETURN(bool valid_after,
                            AnyValidFrameAfter(*file, start,
                                               scanner.problem_lsn(), limit));
      torn = !valid_after;
    }
    if (!torn && !repair_) {
      return absl::DataLossError(absl::StrCat(
          more.status().message(),
          ". The log is damaged before its end; reopen with repair to cut it "
          "at lsn ", FormatLsn(scanner.position()),
          " (every batch after that is lost)"));
    }
    const uint64_t keep = SegmentFileOffset(start, scanner.position());
    if (torn) {
      spdlog::warn("WAL recovery: dropping a torn tail of {} bytes at {} offset {}",
                   size - keep, path, keep);
    } else {
      spdlog::warn("WAL repair: cutting {} at offset {} (lsn {}): {}", path,
                   keep, FormatLsn(scanner.position()),
                   std::string(more.status().message()));
    }
    PITR_RETURN_IF_ERROR(fs_->TruncateFile(path, keep));
    *cut = true;
    break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Lsn>> ListSegments(FileSystem* fs,
                                              const std::string& dir) {
  PITR_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<Lsn> starts;
  for (const std::string& name : names) {
    if (std::optional<Lsn> start = ParseSegmentFileName(name)) {
      starts.push_back(*start);
    }
  }
  std::sort(starts.begin(), starts.end());
  return starts;
}

}  // namespace

absl::StatusOr<RecoveredLog> RecoverLog(FileSystem* fs, const std::string& dir,
                                        bool repair, TimestampIndex* index) {
  PITR_ASSIGN_OR_RETURN(std::vector<Lsn> starts, ListSegments(fs, dir));
  SegmentChecker checker(fs, dir, repair);
  PITR_RETURN_IF_ERROR(checker.Run(starts));
  RecoveredLog& log = checker.log();

  if (log.segment_starts.empty()) {
    if (index->end_ordinal() > 0) {
      return absl::DataLossError(absl::StrCat(
          "WAL directory ", dir, " has no segment but its timestamp index "
          "lists ", index->end_ordinal(), " commits: the segments were lost"));
    }
    PITR_RETURN_IF_ERROR(CreateSegment(fs, dir, SegmentHeader{0, 0}));
    log.segment_starts.push_back(0);
    return log;
  }

  const uint64_t first = checker.first_commit_ordinal();
  if (index->end_ordinal() < first) {
    return absl::DataLossError(absl::StrCat(
        "the timestamp index in ", dir, " has ", index->end_ordinal(),
        " entries but the oldest WAL segment starts after commit ", first,
        ": timestamps of trimmed history were lost"));
  }
  if (!log.last_timestamp_us && first > 0) {
    PITR_ASSIGN_OR_RETURN(TimestampIndex::Entry before, index->Get(first - 1));
    log.last_timestamp_us = before.timestamp_us;
  }
  PITR_RETURN_IF_ERROR(index->ReplaceFrom(first, checker.commits()));
  PITR_RETURN_IF_ERROR(index->Sync());
  return std::move(log);
}

}  // namespace pitr
