// The WAL's on-disk format, all of it: the constants below are on disk, so
// do not change their values. docs/wal-format.md is the specification, with a
// grammar and a worked example.
//
// A log is a sequence of segment files "<start LSN as 16 upper-case hex
// digits>.wal".
// Each segment is a header followed by records; LSNs count record bytes only
// (headers are not part of the LSN space), so a record starting at byte
// kSegmentHeaderSize + k of segment S has LSN S.start_lsn + k.
#ifndef PITR_WAL_LOG_FORMAT_H_
#define PITR_WAL_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace pitr::log_format {

// Segment header, little-endian:
//   magic[8]            "pitrwal1"
//   format_version u32  kFormatVersion
//   header_size u32     kSegmentHeaderSize
//   start_lsn u64       LSN of the first record byte; equals the file name
//   commits_before u64  number of commits in the log before start_lsn
//                       (the timestamp index position of this segment)
//   reserved u32        0
//   header_crc u32      masked CRC32C of the 36 bytes before it
inline constexpr char kSegmentMagic[8] = {'p', 'i', 't', 'r',
                                          'w', 'a', 'l', '1'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 40;
inline constexpr char kSegmentFileSuffix[] = ".wal";

// Record frame, little-endian:
//   crc u32      masked CRC32C of everything after this field (length, type,
//                payload)
//   length u32   payload length in bytes
//   type u8      RecordType, possibly with kIgnorableBit set
//   payload      `length` bytes
inline constexpr size_t kFrameHeaderSize = 9;
inline constexpr uint32_t kMaxPayloadSize = 1 << 20;

// Record types. A reader that meets a type it does not know skips the record
// if kIgnorableBit is set and refuses the log otherwise, so a later version
// can add optional record kinds without breaking older readers.
enum RecordType : uint8_t {
  kPageImage = 1,      // timeline u64, space u32, page u32, image bytes
  kPageDelta = 2,      // timeline u64, space u32, page u32, offset u32, bytes
  kSpaceTruncate = 3,  // timeline u64, space u32, page_count u32
  kCommit = 4,         // timeline u64, timestamp_us i64, record_count u32
};
inline constexpr uint8_t kIgnorableBit = 0x80;

// Payload sizes (fixed part) of each record type.
inline constexpr size_t kPageRecordPrefix = 16;   // timeline, space, page
inline constexpr size_t kDeltaRecordPrefix = 20;  // ... and offset
inline constexpr size_t kTruncatePayload = 16;
inline constexpr size_t kCommitPayload = 20;
inline constexpr size_t kCommitRecordSize = kFrameHeaderSize + kCommitPayload;

// Timestamp index file "commit_timestamps.idx", little-endian:
//   header: magic[8] "pitrtsi1", format_version u32, entry_size u32,
//           first_ordinal u64 (ordinal of the first entry stored), reserved
//           u32, header_crc u32 (masked CRC32C of the 28 bytes before it)
//   entries: timestamp_us i64, commit_lsn u64, crc u32 (masked CRC32C of
//            the 16 bytes before it), reserved u32
inline constexpr char kIndexMagic[8] = {'p', 'i', 't', 'r', 't', 's', 'i', '1'};
inline constexpr size_t kIndexHeaderSize = 32;
inline constexpr size_t kIndexEntrySize = 24;
inline constexpr char kIndexFileName[] = "commit_timestamps.idx";

}  // namespace pitr::log_format

#endif  // PITR_WAL_LOG_FORMAT_H_
