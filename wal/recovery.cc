#include "wal/recovery.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "spdlog/spdlog.h"
#include "wal/log_format.h"
#include "wal/record_codec.h"
#include "wal/segment.h"
#include "wal/segment_scanner.h"

namespace pitr {
namespace {

namespace lf = log_format;

// Something wrong with the log's content, found in one segment.
struct Damage {
  absl::Status status;  // what is wrong, naming the segment and offset
  Lsn cut_lsn = 0;      // the last good batch boundary before it
  bool torn = false;    // a torn write at the very end of the log
  bool repairable = true;
  bool whole_segment = false;  // the header is bad: the cut deletes the file
};

// Whether any complete, checksum-valid frame starts in (after, limit) of
// the segment: if one does, the damage at `after` is not a torn tail but
// corruption of data that was written before other data.
absl::StatusOr<bool> AnyValidFrameAfter(const RandomAccessFile& file,
                                        Lsn segment_start, Lsn after,
                                        Lsn limit) {
  std::string rest(static_cast<size_t>(limit - after), '\0');
  PITR_ASSIGN_OR_RETURN(size_t got,
                        file.Read(SegmentFileOffset(segment_start, after),
                                  rest.size(), &rest[0]));
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
  PITR_ASSIGN_OR_RETURN(
      auto file,
      fs->NewWritableFile(JoinPath(dir, SegmentFileName(header.start_lsn))));
  PITR_RETURN_IF_ERROR(file->Append(EncodeSegmentHeader(header)));
  PITR_RETURN_IF_ERROR(file->Sync());
  PITR_RETURN_IF_ERROR(file->Close());
  return fs->SyncDir(dir);
}

// Checks the segments in order, gathers their commits, and cuts the log
// where it must end.
class SegmentChecker {
 public:
  SegmentChecker(FileSystem* fs, std::string dir, bool repair,
                 const TimestampIndex& index)
      : fs_(fs), dir_(std::move(dir)), repair_(repair), index_(index) {}

  // Recovers the segments starting at `starts` (ascending).
  absl::Status Run(const std::vector<Lsn>& starts);

  RecoveredLog& log() { return log_; }
  uint64_t first_commit_ordinal() const { return first_commit_ordinal_; }
  const std::vector<TimestampIndex::Entry>& commits() const { return commits_; }

 private:
  // Checks one segment; returns the damage found in it, if any.
  absl::StatusOr<std::optional<Damage>> CheckSegment(Lsn start, bool last);
  // Checks the header and its place in the log; the damage, if any.
  absl::StatusOr<std::optional<Damage>> CheckHeader(
      const std::string& path, const RandomAccessFile& file, uint64_t size,
      Lsn start, bool last);
  // Ends the log at damage.cut_lsn, inside the segment at starts[i].
  absl::Status Cut(const std::vector<Lsn>& starts, size_t i,
                   const Damage& damage);
  absl::Status DeleteSegment(Lsn start);

  FileSystem* const fs_;
  const std::string dir_;
  const bool repair_;
  const TimestampIndex& index_;
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
    const bool last = i + 1 == starts.size();
    PITR_ASSIGN_OR_RETURN(std::optional<Damage> damage,
                          CheckSegment(starts[i], last));
    if (!damage) continue;
    if (!damage->torn && !(repair_ && damage->repairable)) {
      if (!damage->repairable) return damage->status;
      return absl::Status(
          damage->status.code(),
          absl::StrCat(damage->status.message(),
                       ". The log is damaged before its end; reopen with "
                       "repair to cut it at lsn ",
                       FormatLsn(damage->cut_lsn),
                       " (every batch after that is lost)"));
    }
    return Cut(starts, i, *damage);
  }
  return absl::OkStatus();
}

absl::Status SegmentChecker::Cut(const std::vector<Lsn>& starts, size_t i,
                                 const Damage& damage) {
  if (damage.torn) {
    spdlog::warn("WAL recovery: dropping a torn tail at lsn {}: {}",
                 FormatLsn(damage.cut_lsn), damage.status.ToString());
  } else {
    spdlog::warn("WAL repair: cutting the log at lsn {}: {}",
                 FormatLsn(damage.cut_lsn), damage.status.ToString());
  }
  // Newest first, so that a crash part way leaves a contiguous log that the
  // next repair finishes cutting.
  for (size_t j = starts.size() - 1; j > i; --j) {
    spdlog::warn("WAL repair: deleting segment {} after the cut",
                 SegmentFileName(starts[j]));
    PITR_RETURN_IF_ERROR(DeleteSegment(starts[j]));
  }
  if (damage.whole_segment) return DeleteSegment(starts[i]);
  return fs_->TruncateFile(JoinPath(dir_, SegmentFileName(starts[i])),
                           SegmentFileOffset(starts[i], damage.cut_lsn));
}

absl::StatusOr<std::optional<Damage>> SegmentChecker::CheckHeader(
    const std::string& path, const RandomAccessFile& file, uint64_t size,
    Lsn start, bool last) {
  std::string bytes(lf::kSegmentHeaderSize, '\0');
  PITR_ASSIGN_OR_RETURN(size_t got, file.Read(0, bytes.size(), &bytes[0]));
  bytes.resize(got);
  absl::StatusOr<SegmentHeader> header = DecodeSegmentHeader(bytes, path);
  const bool first = log_.segment_starts.empty();
  // Cutting at a segment's start deletes it, which the oldest one cannot
  // afford: its header is what ties the log to the timestamp index.
  Damage damage{absl::OkStatus(), start, false, !first, true};
  if (!header.ok()) {
    if (header.status().code() != absl::StatusCode::kDataLoss) {
      return header.status();  // e.g. written by a newer version
    }
    // Created, but the crash came before its header was durable: the
    // segment never held a record.
    damage.torn = last && size <= lf::kSegmentHeaderSize;
    damage.repairable |= damage.torn;
    damage.status = header.status();
    return damage;
  }
  if (header->start_lsn != start) {
    damage.status = absl::DataLossError(absl::StrCat(
        "WAL segment ", path, " says it starts at lsn ",
        FormatLsn(header->start_lsn), ", not at the lsn its name gives"));
    return damage;
  }
  if (first) {
    log_.end_lsn = start;
    log_.commits = header->commits_before;
    first_commit_ordinal_ = header->commits_before;
    if (first_commit_ordinal_ > 0 &&
        index_.end_ordinal() >= first_commit_ordinal_) {
      // The last commit before this segment bounds the timestamps in it.
      PITR_ASSIGN_OR_RETURN(TimestampIndex::Entry before,
                            index_.Get(first_commit_ordinal_ - 1));
      log_.last_timestamp_us = before.timestamp_us;
    }
  } else if (start != log_.end_lsn || header->commits_before != log_.commits) {
    damage.status = absl::DataLossError(absl::StrCat(
        "WAL segment ", path, " starts at lsn ", FormatLsn(start), " after ",
        header->commits_before, " commits, but the segments before it end at ",
        "lsn ", FormatLsn(log_.end_lsn), " after ", log_.commits,
        " commits (a segment is missing or damaged)"));
    return damage;
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<Damage>> SegmentChecker::CheckSegment(Lsn start,
                                                                   bool last) {
  const std::string path = JoinPath(dir_, SegmentFileName(start));
  PITR_ASSIGN_OR_RETURN(uint64_t size, fs_->FileSize(path));
  PITR_ASSIGN_OR_RETURN(auto file, fs_->NewRandomAccessFile(path));
  PITR_ASSIGN_OR_RETURN(std::optional<Damage> damage,
                        CheckHeader(path, *file, size, start, last));
  if (damage) return damage;
  log_.segment_starts.push_back(start);

  const Lsn limit = start + (size - lf::kSegmentHeaderSize);
  SegmentScanner scanner(file.get(), path, start, start, limit);
  CommittedBatch batch;
  while (true) {
    absl::StatusOr<bool> more = scanner.Next(&batch);
    if (more.ok() && !*more) return std::nullopt;
    if (!more.ok()) {
      if (more.status().code() != absl::StatusCode::kDataLoss) {
        return more.status();  // e.g. a record type from a newer version
      }
      Damage bad{more.status(), scanner.position(), false, true};
      // A torn write can only damage frames at the very end of the log: if
      // any valid frame follows the problem, data written earlier was
      // damaged. (A bad length field also looks like a frame cut short, so
      // this test covers both.)
      if (last && scanner.problem_in_frame()) {
        PITR_ASSIGN_OR_RETURN(
            bool valid_after,
            AnyValidFrameAfter(*file, start, scanner.problem_lsn(), limit));
        bad.torn = !valid_after;
      }
      return bad;
    }
    if (log_.last_timestamp_us &&
        batch.timestamp_us < *log_.last_timestamp_us) {
      return Damage{absl::DataLossError(absl::StrCat(
                        "WAL segment ", path, ": the commit at lsn ",
                        FormatLsn(batch.commit_lsn), " has timestamp ",
                        FormatTimestampUs(batch.timestamp_us),
                        ", earlier than the commit before it (",
                        FormatTimestampUs(*log_.last_timestamp_us), ")")),
                    batch.start_lsn, false, true};
    }
    commits_.push_back({batch.timestamp_us, batch.commit_lsn});
    log_.last_timestamp_us = batch.timestamp_us;
    log_.end_lsn = batch.commit_lsn;
    ++log_.commits;
  }
}

}  // namespace

absl::StatusOr<RecoveredLog> RecoverLog(FileSystem* fs, const std::string& dir,
                                        bool repair, TimestampIndex* index) {
  PITR_ASSIGN_OR_RETURN(std::vector<Lsn> starts, ListSegmentFiles(fs, dir));
  SegmentChecker checker(fs, dir, repair, *index);
  PITR_RETURN_IF_ERROR(checker.Run(starts));
  RecoveredLog& log = checker.log();

  if (log.segment_starts.empty()) {
    if (index->end_ordinal() > index->first_ordinal()) {
      return absl::DataLossError(absl::StrCat(
          "WAL directory ", dir,
          " has no segment but its timestamp index "
          "lists ",
          index->end_ordinal(), " commits: the segments were lost"));
    }
    PITR_RETURN_IF_ERROR(CreateSegment(fs, dir, SegmentHeader{0, 0}));
    log.segment_starts.push_back(0);
    return log;
  }

  const uint64_t first = checker.first_commit_ordinal();
  if (index->end_ordinal() < first || index->first_ordinal() > first) {
    return absl::DataLossError(
        absl::StrCat("the timestamp index in ", dir, " holds commits ",
                     index->first_ordinal(), " to ", index->end_ordinal(),
                     " but the oldest WAL segment starts after commit ", first,
                     ": timestamps of trimmed history were lost"));
  }
  PITR_RETURN_IF_ERROR(index->ReplaceFrom(first, checker.commits()));
  PITR_RETURN_IF_ERROR(index->Sync());
  return std::move(log);
}

}  // namespace pitr
