// DumpReader: reads a dump (engine/dump_format.h) entry by entry, checking
// everything as it goes: each frame's checksum, the order and bounds of
// the entries, and at the end the trailer's counts, its checksum of the
// whole stream and that nothing follows it. A dump cut short anywhere is
// DATA_LOSS ("cut short"), as is any damage; a file that is not a dump at
// all is INVALID_ARGUMENT, one of another format version
// FAILED_PRECONDITION. It reads versions 1 and 2 (dump_format.h). Messages give
// the byte offset at fault.
//
// Memory stays constant: one frame (at most dump_format::kMaxPayload
// bytes) at a time. An entry is only known to be good once Next has
// returned false: whoever must not act on a damaged dump reads it through
// once first (Engine::ImportDump does).
//
// Not thread-safe.
#ifndef PITR_ENGINE_DUMP_READER_H_
#define PITR_ENGINE_DUMP_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "engine/dump_format.h"

namespace pitr {

// Where a dump's bytes come from: reads up to n bytes into dest and
// returns how many; 0 only at the end of the dump.
using DumpSource = std::function<absl::StatusOr<size_t>(char* dest, size_t n)>;

// One entry: a space (its page count), a truncation of the last space (in
// an incremental dump) or a page of the last space.
struct DumpEntry {
  enum class Kind { kSpace, kTruncate, kPage };
  Kind kind = Kind::kSpace;
  uint32_t space = 0;
  uint32_t page_count = 0;  // kSpace
  uint32_t keep = 0;        // kTruncate: the base's pages from here go
  uint32_t page = 0;        // kPage
  absl::string_view image;  // kPage: valid until the next call to Next
};

class DumpReader {
 public:
  // Reads and checks the magic and the header.
  static absl::StatusOr<std::unique_ptr<DumpReader>> Open(DumpSource source);
  // The same, reading the file at `path`.
  static absl::StatusOr<std::unique_ptr<DumpReader>> OpenFile(
      const std::string& path);

  DumpReader(const DumpReader&) = delete;
  DumpReader& operator=(const DumpReader&) = delete;

  const DumpHeader& header() const { return header_; }
  // Reads the next entry into *entry and returns true; at the end, checks
  // the trailer and returns false. After an error, do not call again.
  absl::StatusOr<bool> Next(DumpEntry* entry);
  // The trailer; valid once Next has returned false.
  const DumpTrailer& trailer() const { return trailer_; }
  // Bytes read so far.
  uint64_t offset() const { return offset_; }

 private:
  explicit DumpReader(DumpSource source) : source_(std::move(source)) {}
  absl::Status ReadHeader();
  // Reads exactly n bytes into dest; DATA_LOSS naming `what` if the dump
  // ends first.
  absl::Status ReadExactly(char* dest, size_t n, absl::string_view what);
  // Reads the next frame into frame_ and checks its checksum.
  absl::StatusOr<dump_format::FrameType> ReadFrame();
  // The next entry of the block in frame_, at block_pos_.
  absl::Status ParseEntry(DumpEntry* entry);
  absl::Status CheckTrailer();
  absl::Status Corrupt(absl::string_view why) const;

  const DumpSource source_;
  DumpHeader header_;
  DumpTrailer trailer_;
  DumpTrailer seen_;           // counted while reading
  uint32_t stream_crc_ = 0;    // unmasked, of every frame before this one
  uint64_t offset_ = 0;        // bytes read
  uint64_t frame_offset_ = 0;  // where frame_ starts
  std::string frame_;          // the last frame read, header included
  size_t block_pos_ = 0;       // next entry in frame_, if a block
  std::optional<uint32_t> space_;
  uint32_t space_pages_ = 0;
  std::optional<uint32_t> page_;
  bool truncated_ = false;
};

}  // namespace pitr

#endif  // PITR_ENGINE_DUMP_READER_H_
