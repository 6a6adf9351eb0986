// The catalog's records as stored in a CatalogStore. On disk: do not change
// (docs/storage-format.md, "Catalog").
//
//   key "cb" id:u64be -> branch:   version:u8=1 timeline:u64 created_us:i64
//                                  flags:u8 window_us:i64 lsn_distance:u64
//                                  name (rest)
//   key "ct" id:u64be -> timeline: version:u8=1 parent:u64 branch_point:u64
//                                  created_us:i64 gc_horizon:u64
//   key "cs" id:u64be -> snapshot: version:u8=1 branch:u64 timeline:u64
//                                  lsn:u64 created_us:i64 kind:u8
//                                  has_expiry:u8 expires_us:i64
//                                  schedule_length:u16 schedule name (rest)
//   key "cc" name -> schedule:     version:u8=1 branch:u64 every_us:i64
//                                  flags:u8 keep_last:u32 keep_for_us:i64
//                                  last_taken_us:i64
//   (schedule flags bit 0: keep_last set, bit 1: keep_for set)
//   key "cd" -> default retention: version:u8=1 flags:u8 window_us:i64
//                                  lsn_distance:u64
//   key "cn" -> next ids:          version:u8=1 branch:u64 timeline:u64
//                                  snapshot:u64
//   key "ci" -> store id:          version:u8=1 id:u8[16]
//   key "cy" name -> named space:   version:u8=1 id:u32 created_us:i64
//   key "cp" id:u64be -> import provenance of branch id:
//                                  version:u8=1 store:u8[16]
//                                  source_timeline:u64 source_lsn:u64
//                                  timeline:u64 lsn:u64
// (values little-endian; flags bit 0: window set, bit 1: lsn_distance set)
#ifndef PITR_BRANCH_CATALOG_RECORDS_H_
#define PITR_BRANCH_CATALOG_RECORDS_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "branch/catalog.h"
#include "branch/space_catalog.h"

namespace pitr::catalog_records {

// Every catalog key starts with this.
inline constexpr char kCatalogPrefix[] = "c";
inline constexpr char kBranchPrefix[] = "cb";
inline constexpr char kTimelinePrefix[] = "ct";
inline constexpr char kSnapshotPrefix[] = "cs";
inline constexpr char kSchedulePrefix[] = "cc";
inline constexpr char kDefaultRetentionKey[] = "cd";
// The next ids to hand out, written with every commit that deletes a
// record: an id is never handed out twice, even once the record with the
// highest one is gone (WAL records in the bucket name timelines by id).
inline constexpr char kNextIdsKey[] = "cn";

// The store's id (StoreId), written with main when the store is created.
inline constexpr char kStoreIdKey[] = "ci";
// Per branch made or last advanced by an import, where its state came from.
inline constexpr char kProvenancePrefix[] = "cp";
// The named spaces (SpaceCatalog), by name.
inline constexpr char kSpacePrefix[] = "cy";

struct NextIds {
  BranchId branch = 0;
  TimelineId timeline;
  uint64_t snapshot = 0;
  friend bool operator==(const NextIds& a, const NextIds& b) {
    return a.branch == b.branch && a.timeline == b.timeline &&
           a.snapshot == b.snapshot;
  }
};
std::string EncodeNextIds(const NextIds& ids);
// DATA_LOSS if the value is malformed.
absl::StatusOr<NextIds> DecodeNextIds(absl::string_view value);

std::string EncodeStoreId(const StoreId& id);
// DATA_LOSS if the value is malformed.
absl::StatusOr<StoreId> DecodeStoreId(absl::string_view value);

std::string ProvenanceKey(BranchId branch);
std::string EncodeProvenance(const ImportProvenance& provenance);
// DATA_LOSS if the key or value is malformed; returns the branch too.
absl::StatusOr<std::pair<BranchId, ImportProvenance>> DecodeProvenance(
    absl::string_view key, absl::string_view value);

std::string SpaceKey(absl::string_view name);
std::string EncodeSpace(const NamedSpace& space);
// DATA_LOSS if the key or value is malformed.
absl::StatusOr<NamedSpace> DecodeSpace(absl::string_view key,
                                       absl::string_view value);

std::string BranchKey(BranchId id);
std::string TimelineKey(TimelineId id);
std::string SnapshotKey(uint64_t id);
std::string ScheduleKey(absl::string_view name);
std::string EncodeSchedule(const SnapshotSchedule& schedule);
absl::StatusOr<SnapshotSchedule> DecodeSchedule(absl::string_view key,
                                                absl::string_view value);
std::string EncodeSnapshot(const Snapshot& snapshot);
absl::StatusOr<Snapshot> DecodeSnapshot(absl::string_view key,
                                        absl::string_view value);

std::string EncodeDefaultRetention(const Retention& retention);
// DATA_LOSS if the value is malformed.
absl::StatusOr<Retention> DecodeDefaultRetention(absl::string_view value);

std::string EncodeBranch(const Branch& branch);
std::string EncodeTimeline(const Timeline& timeline);
// DATA_LOSS if the key or value is malformed.
absl::StatusOr<Branch> DecodeBranch(absl::string_view key,
                                    absl::string_view value);
absl::StatusOr<Timeline> DecodeTimeline(absl::string_view key,
                                        absl::string_view value);

}  // namespace pitr::catalog_records

#endif  // PITR_BRANCH_CATALOG_RECORDS_H_
