#include "engine/dump_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status_macros.h"

namespace pitr {

namespace df = dump_format;

absl::StatusOr<std::unique_ptr<DumpWriter>> DumpWriter::Start(
    const DumpHeader& header, DumpSink sink) {
  const uint32_t size = header.page_size;
  if (size < 512 || size > 65536 || (size & (size - 1)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page size ", size, " is not a power of two from 512 to 65536 bytes"));
  }
  if (header.source_branch_name.size() > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("the source branch name has ",
                     header.source_branch_name.size(), " bytes; at most 1024"));
  }
  if (header.incremental() && header.lsn < header.base_lsn) {
    return absl::InvalidArgumentError(
        absl::StrCat("the dump's lsn ", FormatLsn(header.lsn),
                     " is before its base lsn ", FormatLsn(header.base_lsn)));
  }
  auto writer = std::unique_ptr<DumpWriter>(
      new DumpWriter(size, header.incremental(), std::move(sink)));
  const absl::string_view magic(df::kMagic, df::kMagicSize);
  writer->stream_crc_ = crc32c::Value(magic);
  writer->bytes_written_ = magic.size();
  PITR_RETURN_IF_ERROR(writer->sink_(magic));
  std::string payload;
  PutFixed32(&payload, df::kFormatVersion);
  PutFixed32(&payload, header.page_size);
  PutFixed64(&payload, header.source_branch);
  PutFixed64(&payload, header.lsn);
  PutFixed64(&payload, static_cast<uint64_t>(header.timestamp_us));
  PutFixed64(&payload, header.base_lsn);
  payload.append(header.source_store.bytes.begin(),
                 header.source_store.bytes.end());
  PutFixed64(&payload, header.timeline.value());
  PutFixed64(&payload, header.base_timeline.value());
  payload += header.source_branch_name;
  PITR_RETURN_IF_ERROR(writer->Emit(df::FrameType::kHeader, payload));
  return writer;
}

absl::Status DumpWriter::Emit(df::FrameType type, absl::string_view payload) {
  std::string frame(8, '\0');
  EncodeFixed32(&frame[4], static_cast<uint32_t>(payload.size()));
  frame.push_back(static_cast<char>(type));
  frame.append(payload.data(), payload.size());
  EncodeFixed32(&frame[0], crc32c::Mask(crc32c::Extend(0, frame.data() + 4,
                                                       frame.size() - 4)));
  stream_crc_ = crc32c::Extend(stream_crc_, frame.data(), frame.size());
  bytes_written_ += frame.size();
  return Fail(sink_(frame));
}

absl::Status DumpWriter::Fail(absl::Status status) {
  if (!status.ok() && failed_.ok()) failed_ = status;
  return status;
}

absl::Status DumpWriter::MakeRoom(size_t entry_size) {
  if (block_.size() + entry_size <= df::kMaxPayload) return absl::OkStatus();
  return EmitBlock();
}

absl::Status DumpWriter::EmitBlock() {
  if (block_.empty()) return absl::OkStatus();
  PITR_RETURN_IF_ERROR(Emit(df::FrameType::kBlock, block_));
  ++counts_.blocks;
  block_.clear();
  return absl::OkStatus();
}

absl::Status DumpWriter::AddSpace(uint32_t space, uint32_t page_count) {
  PITR_RETURN_IF_ERROR(failed_);
  if (finished_) return absl::FailedPreconditionError("the dump is finished");
  if (space_ && space <= *space_) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("space ", space, " comes after space ", *space_,
                     ": spaces must be in increasing order")));
  }
  PITR_RETURN_IF_ERROR(MakeRoom(df::kSpaceEntrySize));
  block_.push_back(static_cast<char>(df::EntryTag::kSpace));
  PutFixed32(&block_, space);
  PutFixed32(&block_, page_count);
  ++counts_.spaces;
  space_ = space;
  space_pages_ = page_count;
  page_.reset();
  truncated_ = false;
  return absl::OkStatus();
}

absl::Status DumpWriter::AddTruncation(uint32_t keep) {
  PITR_RETURN_IF_ERROR(failed_);
  if (finished_) return absl::FailedPreconditionError("the dump is finished");
  if (!incremental_) {
    return Fail(absl::InvalidArgumentError(
        "a truncation entry belongs in an incremental dump only"));
  }
  if (!space_ || page_ || truncated_ || keep >= space_pages_) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "a truncation to ", keep,
        " pages must follow its space entry, once, before any page, and be "
        "below the space's ",
        space_pages_, " pages")));
  }
  PITR_RETURN_IF_ERROR(MakeRoom(df::kTruncateEntrySize));
  block_.push_back(static_cast<char>(df::EntryTag::kTruncate));
  PutFixed32(&block_, keep);
  truncated_ = true;
  return absl::OkStatus();
}

absl::Status DumpWriter::AddPage(uint32_t page, absl::string_view image) {
  PITR_RETURN_IF_ERROR(failed_);
  if (finished_) return absl::FailedPreconditionError("the dump is finished");
  if (!space_) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("page ", page, " comes before any space")));
  }
  if ((page_ && page <= *page_) || page >= space_pages_) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "page ", *space_, "/", page, " is out of order or past the ",
        space_pages_, " pages of its space")));
  }
  if (image.size() != page_size_) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("page ", *space_, "/", page, " has ", image.size(),
                     " bytes; the dump's pages have ", page_size_)));
  }
  PITR_RETURN_IF_ERROR(MakeRoom(df::kPageEntryHeaderSize + image.size()));
  block_.push_back(static_cast<char>(df::EntryTag::kPage));
  PutFixed32(&block_, page);
  block_.append(image.data(), image.size());
  ++counts_.pages;
  page_ = page;
  return absl::OkStatus();
}

absl::Status DumpWriter::Finish() {
  PITR_RETURN_IF_ERROR(failed_);
  if (finished_) return absl::FailedPreconditionError("the dump is finished");
  PITR_RETURN_IF_ERROR(EmitBlock());
  counts_.stream_crc = crc32c::Mask(stream_crc_);
  std::string payload;
  PutFixed64(&payload, counts_.spaces);
  PutFixed64(&payload, counts_.pages);
  PutFixed64(&payload, counts_.blocks);
  PutFixed32(&payload, counts_.stream_crc);
  PITR_RETURN_IF_ERROR(Emit(df::FrameType::kTrailer, payload));
  finished_ = true;
  return absl::OkStatus();
}

}  // namespace pitr
