#include "wal/segment_files.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "wal/log_format.h"
#include "wal/segment.h"
#include "wal/segment_scanner.h"

namespace pitr {

absl::Status ForEachBatchInSegments(
    const std::string& dir, Lsn from,
    const std::function<absl::Status(const CommittedBatch&, bool)>& visit) {
  FileSystem* fs = FileSystem::Default();
  PITR_ASSIGN_OR_RETURN(std::vector<Lsn> starts, ListSegmentFiles(fs, dir));
  std::optional<Lsn> expected;  // where the next segment must start
  for (Lsn start : starts) {
    const std::string path = JoinPath(dir, SegmentFileName(start));
    PITR_ASSIGN_OR_RETURN(uint64_t size, fs->FileSize(path));
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                          fs->NewRandomAccessFile(path));
    std::string header(log_format::kSegmentHeaderSize, '\0');
    PITR_ASSIGN_OR_RETURN(size_t read,
                          file->Read(0, header.size(), header.data()));
    PITR_ASSIGN_OR_RETURN(SegmentHeader decoded,
                          DecodeSegmentHeader(header.substr(0, read), path));
    if (decoded.start_lsn != start) {
      return absl::DataLossError(
          absl::StrCat(path, ": its header says it starts at lsn ",
                       FormatLsn(decoded.start_lsn)));
    }
    const Lsn limit = start + (size - log_format::kSegmentHeaderSize);
    if (limit <= from) continue;  // wholly before `from`
    if (expected && start != *expected) {
      return absl::DataLossError(absl::StrCat(
          path, " starts at lsn ", FormatLsn(start),
          " but the segment before it ends at lsn ", FormatLsn(*expected)));
    }
    if (!expected && start > from) {
      return absl::DataLossError(absl::StrCat(
          "the segments in ", dir, " start at lsn ", FormatLsn(start),
          ", after lsn ", FormatLsn(from)));
    }
    SegmentScanner scanner(file.get(), path, start, std::max(start, from),
                           limit);
    CommittedBatch batch;
    while (true) {
      PITR_ASSIGN_OR_RETURN(bool more, scanner.Next(&batch));
      if (!more) break;
      PITR_RETURN_IF_ERROR(visit(batch, batch.start_lsn == start));
    }
    expected = limit;
  }
  return absl::OkStatus();
}

}  // namespace pitr
