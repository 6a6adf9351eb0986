// Catalog: the branches of a store and the timelines that hold their
// history.
//
// A *timeline* is an immutable line of history: the id that WAL records and
// page versions carry, a parent timeline and a branch point LSN on it. A
// *branch* is what clients name: a stable id, a unique name, and the
// timeline it currently reads and writes. Creating a branch makes a timeline
// whose parent is the source branch's timeline at the branch point. Restoring
// a branch makes a new timeline from the restore point, points the branch at
// it, and gives the branch's old timeline to a new backup branch
// "<name>_old_<UTC time>", so the restore can be undone; the children of the
// restored branch stay on the old timeline, now the backup's. Every change
// is one atomic commit of a fixed number of small records: its cost does not
// depend on the amount of data or history.
//
// The root branch "main" (id 1, timeline 1) always exists.
//
// The catalog checks names, ids and the shape of the tree; whether an LSN
// is inside a branch's readable history is the engine's to check.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_BRANCH_CATALOG_H_
#define PITR_BRANCH_CATALOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "branch/catalog_store.h"
#include "branch/catalog_tree.h"
#include "branch/catalog_types.h"
#include "wal/record.h"

namespace pitr {

class Catalog {
 public:
  // Loads the catalog from `store` (which must outlive it), creating "main"
  // in an empty store.
  static absl::StatusOr<std::unique_ptr<Catalog>> Open(CatalogStore* store);

  // Reads every record again from the store, replacing what the catalog
  // holds (holds stay): after the store's records were replaced wholesale
  // (a read replica taking its primary's catalog).
  absl::Status Reload();

  absl::StatusOr<Branch> Get(BranchId id) const;
  absl::StatusOr<Branch> GetByName(absl::string_view name) const;
  // Every branch, by id.
  std::vector<Branch> List() const;
  // The branches whose parent is `id`.
  std::vector<Branch> Children(BranchId id) const;
  absl::StatusOr<Timeline> GetTimeline(TimelineId id) const;
  // The timeline that owns the state at (timeline, lsn): `timeline` itself,
  // or the nearest ancestor when lsn is at or before the branch point (a
  // timeline's own changes all come after it). Two points name the same
  // state exactly when this and lsn are equal. NOT_FOUND for an unknown
  // timeline.
  absl::StatusOr<TimelineId> StateTimeline(TimelineId timeline, Lsn lsn) const;

  // The store's id, drawn when main was created (or for a store older than
  // ids: main's creation time in the first 8 bytes, little-endian).
  StoreId store_id() const;
  // Where the branch's state was last imported from, if an import made or
  // last advanced it.
  std::optional<ImportProvenance> Provenance(BranchId branch) const;

  // Where a read of `branch` as of `lsn` looks, newest first: the branch's
  // timeline up to lsn, then each ancestor up to min(lsn, branch point).
  absl::StatusOr<std::vector<ReadStep>> ReadPath(BranchId branch,
                                                 Lsn lsn) const;
  // The same, from a timeline.
  absl::StatusOr<std::vector<ReadStep>> TimelinePath(TimelineId timeline,
                                                     Lsn lsn) const;
  // The branch that reads and writes `timeline` now, if any.
  std::optional<BranchId> OwnerOf(TimelineId timeline) const;

  // Snapshots: names share the rules of branch names and are unique among
  // snapshots. CreateSnapshot: ALREADY_EXISTS for a taken name.
  absl::StatusOr<Snapshot> CreateSnapshot(absl::string_view name,
                                          BranchId branch, Lsn lsn,
                                          Snapshot::Kind kind,
                                          std::optional<int64_t> expires_us,
                                          int64_t now_us,
                                          absl::string_view schedule = "");

  absl::StatusOr<Snapshot> GetSnapshot(absl::string_view name) const;
  std::vector<Snapshot> ListSnapshots() const;
  absl::Status DeleteSnapshot(absl::string_view name);
  // Creates branch `name` starting at the snapshot's point (the same
  // idempotence as Create).
  absl::StatusOr<Branch> CreateFromSnapshot(absl::string_view name,
                                            absl::string_view snapshot,
                                            int64_t now_us);

  // Creates branch `name` from `parent` at `point`. The same name from the
  // same parent at the same point again returns the existing branch;
  // another point is ALREADY_EXISTS. INVALID_ARGUMENT for a bad name.
  absl::StatusOr<Branch> Create(absl::string_view name, BranchId parent,
                                Lsn point, int64_t now_us);

  struct Restored {
    Branch branch;  // same id and name, new timeline
    Branch backup;  // "<name>_old_<time>": the state before the restore
  };
  // Puts `source` at `point` in place of `branch` (source may be branch).
  absl::StatusOr<Restored> Restore(BranchId branch, BranchId source, Lsn point,
                                   int64_t now_us);
  // Restore from a snapshot's point.
  absl::StatusOr<Restored> RestoreFromSnapshot(BranchId branch,
                                               absl::string_view snapshot,
                                               int64_t now_us);

  // Deletes the branch: its name and record, a metadata-only change of
  // constant cost. Its children stay: they keep reading its timeline (up to
  // their branch points), which becomes an unnamed ancestor
  // (UnnamedAncestors) until no branch reads through it. FAILED_PRECONDITION
  // if it has snapshots (of its timeline), unless cascade; with cascade its
  // snapshots go too, and so does every branch below it with theirs
  // (deepest first), except main and the branches below main (main descends
  // from a branch it was restored from). main cannot be deleted.
  // Returns the ids deleted. Their timelines stay until GC reclaims them.
  absl::StatusOr<std::vector<BranchId>> Delete(BranchId id, bool cascade);

  absl::Status SetRetention(BranchId id, const Retention& retention);

  // The store-wide default retention last stored with SetDefaultRetention,
  // if any: the default that the store's owner configured through the API,
  // kept across restarts.
  std::optional<Retention> default_retention() const;
  absl::Status SetDefaultRetention(const Retention& retention);

  // Holds: in-memory pins of a timeline (and its ancestors) for work that
  // reads or writes it while no branch or snapshot may name it (exports,
  // imports). Counted: each Hold needs a Release. A restart drops them.
  void Hold(TimelineId timeline);
  void Release(TimelineId timeline);

  // Imports (catalog_imports.cc). CreateHeldTimeline makes a timeline that
  // no branch reads, held (above) while an import writes it: a root (parent
  // kNoTimeline) for a full dump, a child of the branch's timeline at its
  // latest point for an incremental one. If the import never ends (an
  // error, a crash), GC reclaims it as unused. NOT_FOUND for an unknown
  // parent.
  absl::StatusOr<TimelineId> CreateHeldTimeline(TimelineId parent,
                                                Lsn branch_point,
                                                int64_t now_us);
  struct Imported {
    Branch branch;      // reads the root timeline; no parent
    Snapshot snapshot;  // Kind::kImport, of the branch at the imported point
  };
  // Makes branch `name` on the held root timeline `timeline` and snapshot
  // `snapshot` of it at `lsn`, with its provenance (whose `timeline` must
  // be `timeline`), in one commit, and releases the hold. The timeline's
  // history before `lsn` (the import half written) becomes unreadable: its
  // gc_horizon is raised to lsn. ALREADY_EXISTS if either name is taken,
  // INVALID_ARGUMENT for a bad name, FAILED_PRECONDITION if the timeline is
  // not a held, unowned root: nothing changes then.
  absl::StatusOr<Imported> CreateImportedBranch(
      absl::string_view name, TimelineId timeline, Lsn lsn,
      absl::string_view snapshot, const ImportProvenance& provenance,
      int64_t now_us);
  // Moves `branch` onto `provenance.timeline`, a held child of the
  // timeline it reads now made by CreateHeldTimeline, records the
  // provenance and raises the new timeline's gc_horizon to `lsn` (the
  // incremental import half written is never readable), in one commit, and
  // releases the hold. The branch's old timeline stays as its ancestor.
  // FAILED_PRECONDITION, changing nothing, if the branch reads another
  // timeline than the new one's parent (it was restored meanwhile) or the
  // new one is not held and unowned.
  absl::StatusOr<Branch> AdvanceImportedBranch(
      BranchId branch, Lsn lsn, const ImportProvenance& provenance);

  // Timelines no live branch, snapshot or hold reads through: their data
  // may be reclaimed.
  std::vector<TimelineId> UnusedTimelines() const;
  // Timelines of deleted branches that a branch or snapshot still reads
  // through (up to a branch point), by id.
  std::vector<Timeline> UnnamedAncestors() const;
  // Timelines that no branch writes and no hold pins (the deleted
  // branches'): nothing is appended to them any more, so what nobody reads
  // on them, the versions newer than their readers' points included, may
  // be reclaimed.
  std::vector<TimelineId> UnwrittenTimelines() const;
  // Raises the GC horizons of timelines (never lowers one), durably.
  absl::Status RaiseGcHorizons(const std::map<TimelineId, Lsn>& horizons);
  // Forgets timelines whose data GC has removed. REQUIRES: unused.
  absl::Status ForgetTimelines(const std::vector<TimelineId>& timelines);

 private:
  explicit Catalog(CatalogStore* store) : store_(store) {}
  absl::Status Load();
  // Checks that `timeline` is held and no branch reads it (imports).
  absl::Status CheckHeldAndUnowned(TimelineId timeline) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Every timeline a branch or snapshot (and with_holds, a hold) reads
  // through: theirs and their ancestors.
  std::set<TimelineId> TimelinesRead(bool with_holds) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The record of the next ids (catalog_records::kNextIdsKey), written with
  // every commit that deletes records, so no id is handed out twice.
  std::pair<std::string, std::string> NextIdsRecord() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Restore's work, from a source timeline.
  absl::StatusOr<Restored> RestoreOnTimeline(BranchId branch, TimelineId source,
                                             Lsn point, int64_t now_us)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Create's work, from a parent timeline.
  absl::StatusOr<Branch> CreateOnTimeline(absl::string_view name,
                                          TimelineId parent, Lsn point,
                                          int64_t now_us)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  CatalogStore* const store_;
  mutable Mutex mu_;
  CatalogTree tree_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Snapshot> snapshots_ ABSL_GUARDED_BY(mu_);
  std::optional<Retention> default_retention_ ABSL_GUARDED_BY(mu_);
  std::map<TimelineId, int> holds_ ABSL_GUARDED_BY(mu_);  // count per timeline
  StoreId store_id_ ABSL_GUARDED_BY(mu_);
  std::map<BranchId, ImportProvenance> provenance_ ABSL_GUARDED_BY(mu_);
  uint64_t next_snapshot_ ABSL_GUARDED_BY(mu_) = 1;
  BranchId next_branch_ ABSL_GUARDED_BY(mu_) = kMainBranchId + 1;
  TimelineId next_timeline_ ABSL_GUARDED_BY(mu_) = kMainTimeline.Next();
};

// A branch name: 1 to 128 characters from [A-Za-z0-9_.-], not starting with
// '-' or '.'. INVALID_ARGUMENT naming the rule otherwise.
absl::Status CheckBranchName(absl::string_view name);

}  // namespace pitr

#endif  // PITR_BRANCH_CATALOG_H_
