// The dump format: a portable, checksummed copy of a branch's pages at one
// LSN, or of those that changed since a base LSN (an incremental dump);
// docs/dump-format.md is the specification. These values are in dump
// files: do not change them without a new format version.
//
//   dump  := magic frame(header) frame(block)* frame(trailer)
//   frame := crc:u32 length:u32 type:u8 payload[length]
//
// Integers are little-endian; `crc` is the masked CRC32C (base/crc32c.h) of
// length, type and payload. Blocks hold whole entries: a space (its id and
// page count), in an incremental dump maybe a truncation, and then the
// pages of that space, in order.
#ifndef PITR_ENGINE_DUMP_FORMAT_H_
#define PITR_ENGINE_DUMP_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/lsn.h"
#include "branch/catalog_types.h"
#include "wal/record.h"

namespace pitr {

namespace dump_format {

// What writers write: version 2. Readers also read version 1 (full dumps
// whose header names no store nor timeline).
inline constexpr char kMagic[] = "pitrdmp2";  // 8 bytes, no terminator
inline constexpr char kMagicV1[] = "pitrdmp1";
inline constexpr size_t kMagicSize = 8;
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kFormatVersionV1 = 1;
inline constexpr size_t kFrameHeaderSize = 9;  // crc, length, type
// No frame payload is larger; a writer ends a block before an entry would
// take it past this size (a page entry of the largest page fits).
inline constexpr size_t kMaxPayload = 256 << 10;

enum class FrameType : uint8_t { kHeader = 1, kBlock = 2, kTrailer = 3 };
enum class EntryTag : uint8_t { kSpace = 'S', kTruncate = 'T', kPage = 'P' };
inline constexpr size_t kSpaceEntrySize = 9;       // tag space page_count
inline constexpr size_t kTruncateEntrySize = 5;    // tag keep
inline constexpr size_t kPageEntryHeaderSize = 5;  // tag page, then the page
// Header payload without the branch name (version 2, version 1); trailer
// payload.
inline constexpr size_t kHeaderFixedSize = 4 + 4 + 8 + 8 + 8 + 8 + 16 + 8 + 8;
inline constexpr size_t kHeaderFixedSizeV1 = 4 + 4 + 8 + 8 + 8 + 8;
inline constexpr size_t kTrailerSize = 8 + 8 + 8 + 4;

}  // namespace dump_format

// Where a dump comes from (its provenance) and what it holds.
struct DumpHeader {
  uint32_t format_version = dump_format::kFormatVersion;  // as read
  uint32_t page_size = 0;
  BranchId source_branch = 0;
  std::string source_branch_name;
  Lsn lsn = 0;               // the point of the source the pages are as of
  int64_t timestamp_us = 0;  // commit time of that point (0: none)
  // 0: a full dump. Else an incremental one: the pages that differ between
  // the state at base_lsn and the state at lsn, on the same branch.
  Lsn base_lsn = 0;
  // The source store (zero in a version-1 dump), and the timelines that own
  // the states at lsn and at base_lsn there (Catalog::StateTimeline;
  // kNoTimeline in a version-1 dump, and base_timeline in a full dump).
  // With the LSNs they name the two states exactly, so an import can tell
  // whether a branch holds an incremental dump's base.
  StoreId source_store;
  TimelineId timeline;
  TimelineId base_timeline;
  bool incremental() const { return base_lsn != 0; }
};

// The trailer: what the dump holds, and a checksum of everything before it.
struct DumpTrailer {
  uint64_t spaces = 0;
  uint64_t pages = 0;
  uint64_t blocks = 0;
  uint32_t stream_crc = 0;  // masked CRC32C of the file before the trailer
};

// Receives a dump's bytes in order (e.g. a file, or a gRPC stream). A
// non-OK status stops the writer.
using DumpSink = std::function<absl::Status(absl::string_view bytes)>;

// Progress of an export or an import: pages done so far, out of `total`
// (0 when not known in advance). A non-OK status cancels the work.
using DumpProgress =
    std::function<absl::Status(uint64_t pages_done, uint64_t total)>;

}  // namespace pitr

#endif  // PITR_ENGINE_DUMP_FORMAT_H_
