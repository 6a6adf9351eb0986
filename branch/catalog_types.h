// The records of the catalog as callers see them: a branch, a timeline, a
// snapshot, a snapshot schedule, a retention setting, and one step of a
// read path. Their encodings on disk are in catalog_records.h
// (docs/storage-format.md).
#ifndef PITR_BRANCH_CATALOG_TYPES_H_
#define PITR_BRANCH_CATALOG_TYPES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "base/ids.h"
#include "base/lsn.h"

namespace pitr {

// How much history a branch keeps readable; unset fields mean "the store's
// default".
struct Retention {
  std::optional<absl::Duration> window;  // e.g. 7 days
  std::optional<uint64_t> lsn_distance;  // bytes of WAL behind the latest
  friend bool operator==(const Retention& a, const Retention& b) {
    return a.window == b.window && a.lsn_distance == b.lsn_distance;
  }
};

struct Timeline {
  TimelineId id;
  TimelineId parent;  // kNoTimeline: none (main's first timeline, an import's)
  Lsn branch_point = 0;  // on the parent
  int64_t created_us = 0;
  // GC has removed what only reads below this LSN needed; it never goes
  // back down.
  Lsn gc_horizon = 0;
};

struct Branch {
  BranchId id = 0;
  std::string name;
  TimelineId timeline;
  int64_t created_us = 0;
  Retention retention;
  // Derived from the timelines: the parent timeline (kNoTimeline for a
  // root), the branch owning it (0 for none: a root, or a deleted branch's
  // timeline, an unnamed ancestor) and the branch point on it.
  BranchId parent = 0;
  Lsn branch_point = 0;
  TimelineId parent_timeline;
};

// A named, read-only point in history. It records the timeline, so it
// keeps naming the same state after its branch is restored.
struct Snapshot {
  enum class Kind : uint8_t { kOnDemand = 1, kScheduled = 2, kImport = 3 };
  uint64_t id = 0;
  std::string name;
  BranchId branch = 0;  // the branch it was taken on
  TimelineId timeline;
  Lsn lsn = 0;
  int64_t created_us = 0;
  Kind kind = Kind::kOnDemand;
  std::optional<int64_t> expires_us;  // deleted by the engine after this
  std::string schedule;               // the schedule that took it, if any
};

// Takes a snapshot of `branch` every `every`, keeping the last `keep_last`
// and/or those younger than `keep_for` (at least one must be set).
struct SnapshotSchedule {
  std::string name;
  BranchId branch = 0;
  absl::Duration every;
  std::optional<uint32_t> keep_last;
  std::optional<absl::Duration> keep_for;
  int64_t last_taken_us = 0;  // 0: never
};

// Names a store: 16 random bytes drawn when its catalog is created, kept in
// the catalog, so the copies of its history (its replicas, a store restored
// from its bucket) carry the same id. A store created before ids existed is
// named by main's creation time (Catalog::store_id).
struct StoreId {
  std::array<uint8_t, 16> bytes{};
  bool IsZero() const;
  std::string ToHex() const;  // 32 lowercase hex digits
  friend bool operator==(const StoreId& a, const StoreId& b) {
    return a.bytes == b.bytes;
  }
  friend bool operator!=(const StoreId& a, const StoreId& b) {
    return !(a == b);
  }
};

// Where an imported branch's state comes from, and where the import left
// the branch: an incremental dump (docs/dump-format.md) applies only on a
// branch whose last import was the dump's base and that nothing has written
// or restored since.
struct ImportProvenance {
  StoreId store;               // all zero: a dump that names no store
  TimelineId source_timeline;  // the state imported, in the source store
  Lsn source_lsn = 0;
  TimelineId timeline;  // the branch's timeline right after the import
  Lsn lsn = 0;          // and its latest LSN (Engine: BranchLatest)
  friend bool operator==(const ImportProvenance& a, const ImportProvenance& b) {
    return a.store == b.store && a.source_timeline == b.source_timeline &&
           a.source_lsn == b.source_lsn && a.timeline == b.timeline &&
           a.lsn == b.lsn;
  }
};

// One step of a read: look in `timeline` at positions up to `up_to`.
struct ReadStep {
  TimelineId timeline;
  Lsn up_to;
};

}  // namespace pitr

#endif  // PITR_BRANCH_CATALOG_TYPES_H_
