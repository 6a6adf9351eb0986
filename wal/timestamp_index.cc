#include "wal/timestamp_index.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "wal/log_format.h"

namespace pitr {
namespace {

namespace lf = log_format;

std::string EncodeHeader(uint64_t first_ordinal) {
  std::string out(lf::kIndexMagic, sizeof(lf::kIndexMagic));
  PutFixed32(&out, lf::kFormatVersion);
  PutFixed32(&out, lf::kIndexEntrySize);
  PutFixed64(&out, first_ordinal);
  PutFixed32(&out, 0);
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out)));
  return out;
}

void EncodeEntry(const TimestampIndex::Entry& entry, std::string* out) {
  size_t start = out->size();
  PutFixed64(out, static_cast<uint64_t>(entry.timestamp_us));
  PutFixed64(out, entry.commit_lsn);
  PutFixed32(out, crc32c::Mask(crc32c::Extend(0, out->data() + start, 16)));
  PutFixed32(out, 0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TimestampIndex>> TimestampIndex::Open(
    FileSystem* fs, const std::string& path) {
  absl::StatusOr<uint64_t> size = fs->FileSize(path);
  if (!size.ok() && !absl::IsNotFound(size.status())) return size.status();
  if (!size.ok() || *size < lf::kIndexHeaderSize) {
    // Missing, or created but its header never made it to disk: nothing was
    // ever stored in it (the header is synced before the first entry).
    PITR_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(path));
    PITR_RETURN_IF_ERROR(file->Append(EncodeHeader(0)));
    PITR_RETURN_IF_ERROR(file->Sync());
    PITR_RETURN_IF_ERROR(file->Close());
    size = lf::kIndexHeaderSize;
  }
  PITR_ASSIGN_OR_RETURN(auto reader, fs->NewRandomAccessFile(path));
  char header[lf::kIndexHeaderSize];
  PITR_ASSIGN_OR_RETURN(size_t got,
                        reader->Read(0, lf::kIndexHeaderSize, header));
  const size_t crc_at = lf::kIndexHeaderSize - 4;
  if (got != lf::kIndexHeaderSize ||
      std::memcmp(header, lf::kIndexMagic, sizeof(lf::kIndexMagic)) != 0 ||
      crc32c::Unmask(DecodeFixed32(header + crc_at)) !=
          crc32c::Extend(0, header, crc_at) ||
      DecodeFixed32(header + 12) != lf::kIndexEntrySize) {
    return absl::DataLossError(
        absl::StrCat("timestamp index ", path,
                     " has a damaged header; it cannot be "
                     "rebuilt once WAL segments have been trimmed"));
  }
  if (uint32_t version = DecodeFixed32(header + 8);
      version != lf::kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("timestamp index ", path, " has format version ", version,
                     "; this build reads version ", lf::kFormatVersion));
  }
  uint64_t first_ordinal = DecodeFixed64(header + 16);
  uint64_t entries = (*size - lf::kIndexHeaderSize) / lf::kIndexEntrySize;
  PITR_ASSIGN_OR_RETURN(auto writer, fs->NewAppendableFile(path));
  auto index = std::unique_ptr<TimestampIndex>(
      new TimestampIndex(fs, path, std::move(reader), std::move(writer),
                         first_ordinal, first_ordinal + entries));
  if (*size != index->FileOffset(first_ordinal + entries)) {
    // A torn last entry: cut it so appends stay aligned.
    PITR_RETURN_IF_ERROR(
        fs->TruncateFile(path, index->FileOffset(first_ordinal + entries)));
  }
  return index;
}

TimestampIndex::TimestampIndex(FileSystem* fs, std::string path,
                               std::unique_ptr<RandomAccessFile> reader,
                               std::unique_ptr<WritableFile> writer,
                               uint64_t first_ordinal, uint64_t end_ordinal)
    : fs_(fs),
      path_(std::move(path)),
      reader_(std::move(reader)),
      writer_(std::move(writer)),
      first_ordinal_(first_ordinal),
      end_ordinal_(end_ordinal) {}

uint64_t TimestampIndex::FileOffset(uint64_t ordinal) const {
  return lf::kIndexHeaderSize +
         (ordinal - first_ordinal_) * lf::kIndexEntrySize;
}

uint64_t TimestampIndex::end_ordinal() const {
  MutexLock l(&mu_);
  return end_ordinal_;
}

absl::StatusOr<TimestampIndex::Entry> TimestampIndex::Get(
    uint64_t ordinal) const {
  uint64_t end = end_ordinal();
  if (ordinal < first_ordinal_ || ordinal >= end) {
    return absl::OutOfRangeError(absl::StrCat("timestamp index entry ", ordinal,
                                              " is outside [", first_ordinal_,
                                              ", ", end, ")"));
  }
  char buf[lf::kIndexEntrySize];
  PITR_ASSIGN_OR_RETURN(size_t got,
                        reader_->Read(FileOffset(ordinal), sizeof(buf), buf));
  if (got != sizeof(buf) ||
      crc32c::Unmask(DecodeFixed32(buf + 16)) != crc32c::Extend(0, buf, 16)) {
    return absl::DataLossError(
        absl::StrCat("timestamp index ", path_, ": entry ", ordinal,
                     " at offset ", FileOffset(ordinal), " is corrupt"));
  }
  return Entry{static_cast<int64_t>(DecodeFixed64(buf)),
               DecodeFixed64(buf + 8)};
}

template <typename Pred>
absl::StatusOr<uint64_t> TimestampIndex::PartitionPoint(Pred before) const {
  uint64_t lo = first_ordinal_, hi = end_ordinal();
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    PITR_ASSIGN_OR_RETURN(Entry entry, Get(mid));
    if (before(entry)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

absl::StatusOr<std::optional<TimestampIndex::Entry>>
TimestampIndex::LastAtOrBefore(int64_t timestamp_us) const {
  PITR_ASSIGN_OR_RETURN(uint64_t first_later,
                        PartitionPoint([&](const Entry& e) {
                          return e.timestamp_us <= timestamp_us;
                        }));
  if (first_later == first_ordinal_) return std::nullopt;
  PITR_ASSIGN_OR_RETURN(Entry entry, Get(first_later - 1));
  return entry;
}

absl::StatusOr<std::optional<TimestampIndex::Entry>>
TimestampIndex::LastAtOrBeforeLsn(Lsn lsn) const {
  PITR_ASSIGN_OR_RETURN(
      uint64_t first_later,
      PartitionPoint([&](const Entry& e) { return e.commit_lsn <= lsn; }));
  if (first_later == first_ordinal_) return std::nullopt;
  PITR_ASSIGN_OR_RETURN(Entry entry, Get(first_later - 1));
  return entry;
}

absl::StatusOr<bool> TimestampIndex::ContainsLsn(Lsn lsn) const {
  PITR_ASSIGN_OR_RETURN(uint64_t at, PartitionPoint([&](const Entry& e) {
                          return e.commit_lsn < lsn;
                        }));
  if (at == end_ordinal()) return false;
  PITR_ASSIGN_OR_RETURN(Entry entry, Get(at));
  return entry.commit_lsn == lsn;
}

absl::Status TimestampIndex::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  std::string bytes;
  bytes.reserve(entries.size() * lf::kIndexEntrySize);
  for (const Entry& entry : entries) EncodeEntry(entry, &bytes);
  PITR_RETURN_IF_ERROR(writer_->Append(bytes));
  MutexLock l(&mu_);
  end_ordinal_ += entries.size();
  return absl::OkStatus();
}

absl::Status TimestampIndex::ReplaceFrom(uint64_t ordinal,
                                         const std::vector<Entry>& entries) {
  uint64_t end = end_ordinal();
  size_t same = 0;
  while (same < entries.size() && ordinal + same < end) {
    absl::StatusOr<Entry> existing = Get(ordinal + same);
    if (!existing.ok() || !(*existing == entries[same])) break;
    ++same;
  }
  if (ordinal + same < end) {
    PITR_RETURN_IF_ERROR(fs_->TruncateFile(path_, FileOffset(ordinal + same)));
    MutexLock l(&mu_);
    end_ordinal_ = ordinal + same;
  }
  return Append(std::vector<Entry>(entries.begin() + same, entries.end()));
}

absl::Status TimestampIndex::Sync() { return writer_->Sync(); }

}  // namespace pitr
