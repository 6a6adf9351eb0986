// DumpWriter: writes a dump (engine/dump_format.h) to a sink as it goes.
//
// Memory stays constant whatever the size of the dump: entries collect in
// one block of at most dump_format::kMaxPayload bytes, which goes to the
// sink (as one frame) before the next entry would overflow it.
//
//   PITR_ASSIGN_OR_RETURN(auto writer, DumpWriter::Start(header, sink));
//   PITR_RETURN_IF_ERROR(writer->AddSpace(7, 4));
//   PITR_RETURN_IF_ERROR(writer->AddPage(3, image));
//   PITR_RETURN_IF_ERROR(writer->Finish());
//
// Not thread-safe. After an error (the sink's or a refused entry) every
// later call returns that error.
#ifndef PITR_ENGINE_DUMP_WRITER_H_
#define PITR_ENGINE_DUMP_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "engine/dump_format.h"

namespace pitr {

class DumpWriter {
 public:
  // Writes the magic and the header to `sink`. INVALID_ARGUMENT for a page
  // size that is not a power of two from 512 to 65536 or a branch name
  // longer than 1024 bytes.
  static absl::StatusOr<std::unique_ptr<DumpWriter>> Start(
      const DumpHeader& header, DumpSink sink);

  DumpWriter(const DumpWriter&) = delete;
  DumpWriter& operator=(const DumpWriter&) = delete;

  // Starts space `space` of `page_count` pages. Spaces must come in
  // increasing order (INVALID_ARGUMENT otherwise).
  absl::Status AddSpace(uint32_t space, uint32_t page_count);
  // In an incremental dump only, right after its space entry: the pages of
  // the current space at or past `keep` that the base holds are gone, and
  // every page at or past it that the dump's state holds follows. keep must
  // be below the space's page count (a smaller size says the rest).
  // INVALID_ARGUMENT otherwise.
  absl::Status AddTruncation(uint32_t keep);
  // A page of the current space: pages in increasing order, below its page
  // count, `image` exactly page_size bytes (INVALID_ARGUMENT otherwise).
  absl::Status AddPage(uint32_t page, absl::string_view image);
  // Writes the last block and the trailer. The dump is complete once this
  // returns OK; nothing may be added after.
  absl::Status Finish();

  // Bytes of entries waiting for their block: never above kMaxPayload.
  size_t buffered_bytes() const { return block_.size(); }
  // Bytes given to the sink so far.
  uint64_t bytes_written() const { return bytes_written_; }
  const DumpTrailer& counts() const { return counts_; }

 private:
  DumpWriter(uint32_t page_size, bool incremental, DumpSink sink)
      : page_size_(page_size),
        incremental_(incremental),
        sink_(std::move(sink)) {}
  // Sends a frame of `type` around `payload` to the sink.
  absl::Status Emit(dump_format::FrameType type, absl::string_view payload);
  // Sends the block if `entry_size` more bytes would not fit in it.
  absl::Status MakeRoom(size_t entry_size);
  // Sends the block, if it holds anything.
  absl::Status EmitBlock();
  // Records a failure: every later call returns it.
  absl::Status Fail(absl::Status status);

  const uint32_t page_size_;
  const bool incremental_;
  const DumpSink sink_;
  std::string block_;
  DumpTrailer counts_;
  uint32_t stream_crc_ = 0;  // unmasked, of every byte written
  uint64_t bytes_written_ = 0;
  std::optional<uint32_t> space_;  // the current space
  uint32_t space_pages_ = 0;       // its page count
  std::optional<uint32_t> page_;   // its last page
  bool truncated_ = false;         // it has a truncation entry
  bool finished_ = false;
  absl::Status failed_;
};

}  // namespace pitr

#endif  // PITR_ENGINE_DUMP_WRITER_H_
