// The keys and values of the page store in RocksDB. These layouts are on
// disk: do not change them (docs/storage-format.md is the specification).
//
// All integers in keys are big-endian so that RocksDB's bytewise order is
// numeric order. Six kinds of key, told apart by their first byte:
//
//   'V' space:4 page:4 ~timeline:8 ~commit_lsn:8 ~seq:4 ~kind:1  page version
//   's' timeline:8 space:4 commit_lsn:8 seq:4                  a space's size
//   't' timeline:8 space:4 commit_lsn:8 seq:4                  a truncation
//   'h' timeline:8                                             a timeline's head
//   'p' timeline:8 commit_lsn:8 seq:4                          a page change
//   'm' name                                                   store metadata
//
// Versions are keyed page first: all versions of one page, on every timeline,
// are contiguous, so a read that falls through a branch's ancestors stays
// within the same few blocks. After the page, a version key holds the
// bitwise complement (~) of its fields, so a page's versions sort newest
// first and its newest timeline first: reading a page as of a position is a
// forward Seek and a few Next, RocksDB's cheap direction (format 1 keyed
// them oldest first, under 'v', and read with SeekForPrev and Prev).
//
// (commit_lsn, seq) is where a change happened: the commit LSN of its batch
// and its index in the batch. Every record of a batch shares the batch's
// commit LSN, so a read "as of LSN L" (all keys up to (L, max)) sees whole
// batches only, whatever L is. `kind` says what the version is without
// reading its value (page images live in blob files): 'D' a delta and 'I'
// an image from the WAL, 'M' an image the store materialised from the
// versions up to the same (commit_lsn, seq), which sorts just before the
// change it summarises (complemented, 'M' sorts before 'D' and 'I').
#ifndef PITR_ENGINE_STORE_KEYS_H_
#define PITR_ENGINE_STORE_KEYS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "base/lsn.h"
#include "wal/record.h"

namespace pitr::store_keys {

// A position in history: a change's batch commit LSN and index in the batch.
struct Position {
  Lsn commit_lsn = 0;
  uint32_t seq = 0;
  friend bool operator<(const Position& a, const Position& b) {
    return a.commit_lsn != b.commit_lsn ? a.commit_lsn < b.commit_lsn
                                        : a.seq < b.seq;
  }
  friend bool operator<=(const Position& a, const Position& b) {
    return !(b < a);
  }
  friend bool operator==(const Position& a, const Position& b) {
    return a.commit_lsn == b.commit_lsn && a.seq == b.seq;
  }
};

// The last position of everything committed at or before `lsn`.
inline Position AsOf(Lsn lsn) { return Position{lsn, UINT32_MAX}; }

// Do not change: on disk, and 'M' must be the largest (it sorts first once
// complemented).
enum class VersionKeyKind : uint8_t {
  kDelta = 'D',
  kImage = 'I',
  kMaterialized = 'M',
};

// --- 'V': page versions -----------------------------------------------------

inline constexpr char kVersionTag = 'V';
// The tag of format 1's version keys (same fields, not complemented).
inline constexpr char kVersionTagV1 = 'v';

std::string VersionKey(TimelineId timeline, PageKey key, Position at,
                       VersionKeyKind kind);
// The 9-byte prefix shared by every version of one page, on every branch.
std::string PagePrefix(PageKey key);
// The 5-byte prefix shared by every version of every page of a space.
std::string SpaceVersionsPrefix(uint32_t space);

struct ParsedVersionKey {
  TimelineId timeline;
  PageKey key;
  Position at;
  VersionKeyKind kind;
  bool is_image() const { return kind != VersionKeyKind::kDelta; }
};
std::optional<ParsedVersionKey> ParseVersionKey(absl::string_view key);
// A format 1 version key ('v', fields not complemented); for the upgrade.
std::optional<ParsedVersionKey> ParseVersionKeyV1(absl::string_view key);

// Version values: a kind byte, then the image, or the delta's offset and
// bytes.
enum class VersionKind : uint8_t { kImage = 'I', kDelta = 'D' };
std::string ImageValue(absl::string_view image);
std::string DeltaValue(uint32_t offset, absl::string_view bytes);

struct ParsedVersionValue {
  VersionKind kind;
  uint32_t offset;  // delta only
  absl::string_view bytes;
};
std::optional<ParsedVersionValue> ParseVersionValue(absl::string_view value);

// --- 's' and 't': space sizes and truncations
// ---------------------------------

// A size event: the number of pages of the space from this position on.
std::string SizeKey(TimelineId timeline, uint32_t space, Position at);
// A truncation: pages >= the value's page count stopped existing here.
std::string TruncationKey(TimelineId timeline, uint32_t space, Position at);
// The 13-byte prefix of a space's size or truncation keys.
std::string SpacePrefix(char kind, TimelineId timeline, uint32_t space);
// The position in a size or truncation key.
Position SpaceEventPosition(absl::string_view key);

std::string EncodeU32(uint32_t value);
std::optional<uint32_t> DecodeU32(absl::string_view value);
std::string EncodeU64(uint64_t value);
std::optional<uint64_t> DecodeU64(absl::string_view value);

// --- 'h': timeline heads
// ------------------------------------------------------

// The commit LSN (u64 value) of the last batch applied on the timeline:
// where a branch writing it stands.
std::string HeadKey(TimelineId timeline);
inline constexpr char kHeadTag = 'h';
// The timeline of a head key; nullopt if malformed.
std::optional<TimelineId> HeadKeyTimeline(absl::string_view key);

// --- 'p': the page changes of each timeline, by position
// ------------------------------

// Where a change to a page (an image or a delta from the WAL) happened; the
// value is the page (EncodePageKey). Timeline first, so the pages a
// timeline changed between two points are one short range
// (PageStore::ForEachChange): what a diff between points reads.
std::string ChangeKey(TimelineId timeline, Position at);
inline constexpr char kChangeTag = 'p';
std::string EncodePageKey(PageKey key);
std::optional<PageKey> DecodePageKey(absl::string_view value);

// --- 'm': metadata
// -------------------------------------------------------------

std::string MetaKey(absl::string_view name);
inline constexpr char kMetaPageSize[] = "page_size";            // u32
inline constexpr char kMetaFormatVersion[] = "format_version";  // u32
inline constexpr char kMetaAppliedLsn[] = "applied_lsn";        // u64
// The latest LSN when the catalog last changed (the LSN its image in the
// bucket is labelled with, remote/catalog_archive.h).
inline constexpr char kMetaCatalogLsn[] = "catalog_lsn";  // u64
// What the local disk holds of each timeline (GarbageCollector::Plan::
// local_horizons): reads below go to the bucket. Count u32, then per
// timeline: id u64, lsn u64.
inline constexpr char kMetaLocalHorizons[] = "local_horizons";
std::string EncodeLocalHorizons(const std::map<TimelineId, Lsn>& horizons);
std::optional<std::map<TimelineId, Lsn>> DecodeLocalHorizons(
    absl::string_view value);
// 3: timeline heads ('h') and page changes ('p'). 2: version keys newest first ('V'). 1: oldest
// first ('v'). Engine::Open upgrades an older store (engine/upgrade.cc).
inline constexpr uint32_t kFormatVersion = 3;

}  // namespace pitr::store_keys

#endif  // PITR_ENGINE_STORE_KEYS_H_
