#include "engine/dump_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/file_system.h"
#include "base/status_macros.h"

namespace pitr {

namespace df = dump_format;

absl::StatusOr<std::unique_ptr<DumpReader>> DumpReader::Open(
    DumpSource source) {
  auto reader = std::unique_ptr<DumpReader>(new DumpReader(std::move(source)));
  PITR_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

absl::StatusOr<std::unique_ptr<DumpReader>> DumpReader::OpenFile(
    const std::string& path) {
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<RandomAccessFile> file,
                        FileSystem::Default()->NewRandomAccessFile(path));
  auto offset = std::make_shared<uint64_t>(0);
  return Open([file, offset](char* dest, size_t n) -> absl::StatusOr<size_t> {
    PITR_ASSIGN_OR_RETURN(size_t read, file->Read(*offset, n, dest));
    *offset += read;
    return read;
  });
}

absl::Status DumpReader::Corrupt(absl::string_view why) const {
  return absl::DataLossError(absl::StrCat(
      "the dump is damaged at the frame at byte ", frame_offset_, ": ", why));
}

absl::Status DumpReader::ReadExactly(char* dest, size_t n,
                                     absl::string_view what) {
  size_t done = 0;
  while (done < n) {
    PITR_ASSIGN_OR_RETURN(size_t read, source_(dest + done, n - done));
    if (read == 0) {
      return absl::DataLossError(absl::StrCat(
          "the dump is cut short: it ends at byte ", offset_ + done,
          ", inside ", what, " (", n - done, " more bytes expected)"));
    }
    done += read;
  }
  offset_ += n;
  return absl::OkStatus();
}

absl::StatusOr<df::FrameType> DumpReader::ReadFrame() {
  frame_offset_ = offset_;
  if (!frame_.empty() &&
      static_cast<df::FrameType>(frame_[8]) != df::FrameType::kTrailer) {
    stream_crc_ = crc32c::Extend(stream_crc_, frame_.data(), frame_.size());
  }
  frame_.resize(df::kFrameHeaderSize);
  PITR_RETURN_IF_ERROR(
      ReadExactly(frame_.data(), df::kFrameHeaderSize,
                  absl::StrCat("the frame header at byte ", frame_offset_,
                               " (the trailer is missing)")));
  const uint32_t length = DecodeFixed32(&frame_[4]);
  if (length > df::kMaxPayload) {
    return Corrupt(absl::StrCat("its length ", length, " is over the ",
                                df::kMaxPayload, " bytes a frame may hold"));
  }
  frame_.resize(df::kFrameHeaderSize + length);
  PITR_RETURN_IF_ERROR(
      ReadExactly(&frame_[df::kFrameHeaderSize], length,
                  absl::StrCat("the frame at byte ", frame_offset_)));
  const uint32_t crc = crc32c::Extend(0, &frame_[4], frame_.size() - 4);
  if (crc32c::Unmask(DecodeFixed32(&frame_[0])) != crc) {
    return Corrupt("checksum mismatch");
  }
  block_pos_ = df::kFrameHeaderSize;
  return static_cast<df::FrameType>(frame_[8]);
}

absl::Status DumpReader::ReadHeader() {
  char magic[df::kMagicSize];
  PITR_RETURN_IF_ERROR(ReadExactly(magic, sizeof(magic), "the magic"));
  const absl::string_view got(magic, sizeof(magic));
  const bool v1 = got == absl::string_view(df::kMagicV1, df::kMagicSize);
  if (!v1 && got != absl::string_view(df::kMagic, df::kMagicSize)) {
    if (got.substr(0, 7) == absl::string_view(df::kMagic, 7) &&
        absl::ascii_isdigit(static_cast<unsigned char>(got[7]))) {
      return absl::FailedPreconditionError(
          absl::StrCat("the dump is of a newer format (\"", got,
                       "\"); this pitr reads \"pitrdmp1\" and \"pitrdmp2\""));
    }
    return absl::InvalidArgumentError(
        "not a pitr dump: it does not start with \"pitrdmp\"");
  }
  stream_crc_ = crc32c::Extend(0, magic, sizeof(magic));
  PITR_ASSIGN_OR_RETURN(df::FrameType type, ReadFrame());
  const absl::string_view payload =
      absl::string_view(frame_).substr(df::kFrameHeaderSize);
  const size_t fixed = v1 ? df::kHeaderFixedSizeV1 : df::kHeaderFixedSize;
  if (type != df::FrameType::kHeader || payload.size() < fixed) {
    return Corrupt("the first frame is not a header");
  }
  const char* p = payload.data();
  const uint32_t magic_version = v1 ? df::kFormatVersionV1 : df::kFormatVersion;
  header_.format_version = DecodeFixed32(p);
  if (header_.format_version != magic_version) {
    return absl::FailedPreconditionError(
        absl::StrCat("the dump has format version ", header_.format_version,
                     " under the magic of version ", magic_version));
  }
  header_.page_size = DecodeFixed32(p + 4);
  header_.source_branch = DecodeFixed64(p + 8);
  header_.lsn = DecodeFixed64(p + 16);
  header_.timestamp_us = static_cast<int64_t>(DecodeFixed64(p + 24));
  header_.base_lsn = DecodeFixed64(p + 32);
  if (!v1) {
    std::copy(p + 40, p + 56, header_.source_store.bytes.begin());
    header_.timeline = TimelineId(DecodeFixed64(p + 56));
    header_.base_timeline = TimelineId(DecodeFixed64(p + 64));
  }
  header_.source_branch_name = std::string(payload.substr(fixed));
  block_pos_ = frame_.size();  // no entries in a header
  const uint32_t size = header_.page_size;
  if (size < 512 || size > 65536 || (size & (size - 1)) != 0) {
    return Corrupt(absl::StrCat("page size ", size,
                                " is not a power of two from 512 to 65536"));
  }
  if (v1 && header_.base_lsn != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the dump is a version-1 dump with base lsn ",
        FormatLsn(header_.base_lsn), ", which version 1 does not define"));
  }
  if (header_.base_lsn > header_.lsn) {
    return Corrupt(absl::StrCat("its base lsn ", FormatLsn(header_.base_lsn),
                                " is after its lsn ", FormatLsn(header_.lsn)));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> DumpReader::Next(DumpEntry* entry) {
  while (block_pos_ >= frame_.size()) {
    PITR_ASSIGN_OR_RETURN(df::FrameType type, ReadFrame());
    if (type == df::FrameType::kTrailer) {
      PITR_RETURN_IF_ERROR(CheckTrailer());
      return false;
    }
    if (type != df::FrameType::kBlock) {
      return Corrupt(absl::StrCat("unexpected frame type ",
                                  static_cast<int>(type), " among the blocks"));
    }
    ++seen_.blocks;
  }
  PITR_RETURN_IF_ERROR(ParseEntry(entry));
  return true;
}

absl::Status DumpReader::ParseEntry(DumpEntry* entry) {
  const absl::string_view rest = absl::string_view(frame_).substr(block_pos_);
  const auto bad = [&](absl::string_view why) {
    return Corrupt(
        absl::StrCat("the entry at byte ", block_pos_, " of the frame ", why));
  };
  const auto tag = static_cast<df::EntryTag>(rest[0]);
  if (tag == df::EntryTag::kSpace) {
    if (rest.size() < df::kSpaceEntrySize) return bad("is cut short");
    entry->kind = DumpEntry::Kind::kSpace;
    entry->space = DecodeFixed32(rest.data() + 1);
    entry->page_count = DecodeFixed32(rest.data() + 5);
    if (space_ && entry->space <= *space_) {
      return bad(
          absl::StrCat("names space ", entry->space, " after space ", *space_));
    }
    space_ = entry->space;
    space_pages_ = entry->page_count;
    page_.reset();
    truncated_ = false;
    block_pos_ += df::kSpaceEntrySize;
    ++seen_.spaces;
    return absl::OkStatus();
  }
  if (tag == df::EntryTag::kTruncate && header_.incremental()) {
    if (rest.size() < df::kTruncateEntrySize) return bad("is cut short");
    entry->kind = DumpEntry::Kind::kTruncate;
    entry->space = space_.value_or(0);
    entry->keep = DecodeFixed32(rest.data() + 1);
    if (!space_ || page_ || truncated_ || entry->keep >= space_pages_) {
      return bad(absl::StrCat(
          "truncates to ", entry->keep,
          " pages: a truncation follows its space entry, once, before any "
          "page, and is below the space's page count"));
    }
    truncated_ = true;
    block_pos_ += df::kTruncateEntrySize;
    return absl::OkStatus();
  }
  if (tag != df::EntryTag::kPage) return bad("has an unknown tag");
  const size_t size = df::kPageEntryHeaderSize + header_.page_size;
  if (rest.size() < size) return bad("is cut short");
  if (!space_) return bad("is a page before any space");
  entry->kind = DumpEntry::Kind::kPage;
  entry->space = *space_;
  entry->page = DecodeFixed32(rest.data() + 1);
  entry->image = rest.substr(df::kPageEntryHeaderSize, header_.page_size);
  if ((page_ && entry->page <= *page_) || entry->page >= space_pages_) {
    return bad(absl::StrCat("holds page ", entry->page,
                            ", out of order or past the ", space_pages_,
                            " pages of space ", *space_));
  }
  page_ = entry->page;
  block_pos_ += size;
  ++seen_.pages;
  return absl::OkStatus();
}

absl::Status DumpReader::CheckTrailer() {
  const absl::string_view payload =
      absl::string_view(frame_).substr(df::kFrameHeaderSize);
  if (payload.size() != df::kTrailerSize) return Corrupt("malformed trailer");
  const char* p = payload.data();
  trailer_ = DumpTrailer{DecodeFixed64(p), DecodeFixed64(p + 8),
                         DecodeFixed64(p + 16), DecodeFixed32(p + 24)};
  if (trailer_.spaces != seen_.spaces || trailer_.pages != seen_.pages ||
      trailer_.blocks != seen_.blocks) {
    return Corrupt(absl::StrCat("the trailer counts ", trailer_.spaces,
                                " spaces, ", trailer_.pages, " pages in ",
                                trailer_.blocks, " blocks, but the dump holds ",
                                seen_.spaces, " spaces, ", seen_.pages,
                                " pages in ", seen_.blocks, " blocks"));
  }
  if (crc32c::Unmask(trailer_.stream_crc) != stream_crc_) {
    return Corrupt("the trailer's checksum of the whole dump does not match");
  }
  char extra;
  PITR_ASSIGN_OR_RETURN(size_t more, source_(&extra, 1));
  if (more != 0) {
    return absl::DataLossError(absl::StrCat(
        "the dump has bytes after its trailer, from byte ", offset_));
  }
  return absl::OkStatus();
}

}  // namespace pitr
