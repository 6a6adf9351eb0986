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
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "branch/catalog_store.h"
#include "wal/record.h"

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
  // Derived from the timelines: the branch owning the parent timeline (0 for
  // none) and the branch point on it.
  BranchId parent = 0;
  Lsn branch_point = 0;
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

// One step of a read: look in `timeline` at positions up to `up_to`.
struct ReadStep {
  TimelineId timeline;
  Lsn up_to;
};

class Catalog {
 public:
  // Loads the catalog from `store` (which must outlive it), creating "main"
  // in an empty store.
  static absl::StatusOr<std::unique_ptr<Catalog>> Open(CatalogStore* store);

  absl::StatusOr<Branch> Get(BranchId id) const;
  absl::StatusOr<Branch> GetByName(absl::string_view name) const;
  // Every branch, by id.
  std::vector<Branch> List() const;
  // The branches whose parent is `id`.
  std::vector<Branch> Children(BranchId id) const;
  absl::StatusOr<Timeline> GetTimeline(TimelineId id) const;

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

  // Schedules. INVALID_ARGUMENT for a bad name, an interval under one
  // second, or no keep rule; ALREADY_EXISTS for a taken name.
  absl::Status CreateSchedule(const SnapshotSchedule& schedule);
  std::vector<SnapshotSchedule> ListSchedules() const;
  absl::Status DeleteSchedule(absl::string_view name);
  // Records that the schedule took a snapshot at now_us.
  absl::Status MarkScheduleRun(absl::string_view name, int64_t now_us);
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

  // Deletes the branch. FAILED_PRECONDITION if it has children or
  // snapshots (of its timeline), unless cascade (then they go too, deepest
  // first); main cannot be deleted, nor any branch main descends from
  // (after a restore of main from it).
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

  // Imports (catalog_imports.cc). CreateRootTimeline makes a timeline with
  // no parent that no branch reads, held (above) while an import writes it;
  // if the import never ends (an error, a crash), GC reclaims it as unused.
  absl::StatusOr<TimelineId> CreateRootTimeline(int64_t now_us);
  struct Imported {
    Branch branch;      // reads the root timeline; no parent
    Snapshot snapshot;  // Kind::kImport, of the branch at the imported point
  };
  // Makes branch `name` on the held root timeline `timeline` and snapshot
  // `snapshot` of it at `lsn`, in one commit, and releases the hold. The
  // timeline's history before `lsn` (the import half written) becomes
  // unreadable: its gc_horizon is raised to lsn. ALREADY_EXISTS if either
  // name is taken, INVALID_ARGUMENT for a bad name, FAILED_PRECONDITION if
  // the timeline is not a held, unowned root: nothing changes then.
  absl::StatusOr<Imported> CreateImportedBranch(absl::string_view name,
                                                TimelineId timeline, Lsn lsn,
                                                absl::string_view snapshot,
                                                int64_t now_us);

  // Timelines no live branch, snapshot or hold reads through: their data
  // may be reclaimed.
  std::vector<TimelineId> UnusedTimelines() const;
  // Raises the GC horizons of timelines (never lowers one), durably.
  absl::Status RaiseGcHorizons(const std::map<TimelineId, Lsn>& horizons);
  // Forgets timelines whose data GC has removed. REQUIRES: unused.
  absl::Status ForgetTimelines(const std::vector<TimelineId>& timelines);

 private:
  explicit Catalog(CatalogStore* store) : store_(store) {}
  absl::Status Load();
  // Restore's work, from a source timeline.
  absl::StatusOr<Restored> RestoreOnTimeline(BranchId branch, TimelineId source,
                                             Lsn point, int64_t now_us)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Create's work, from a parent timeline.
  absl::StatusOr<Branch> CreateOnTimeline(absl::string_view name,
                                          TimelineId parent, Lsn point,
                                          int64_t now_us)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Branch Describe(const Branch& stored) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<const Branch*> Find(BranchId id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Branch* FindByName(absl::string_view name) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Every branch below `id`, deepest first, then `id`.
  std::vector<BranchId> Subtree(BranchId id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A timeline and its ancestors, newest first, each with the branch point
  // on it of the step before (timelines are immutable: computed once).
  using Ancestry = std::vector<std::pair<TimelineId, Lsn>>;
  std::shared_ptr<const Ancestry> AncestryOf(TimelineId timeline) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static std::vector<ReadStep> PathFrom(const Ancestry& ancestry, Lsn lsn);
  std::string UniqueBackupName(const std::string& name, int64_t now_us) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CatalogStore* const store_;
  mutable Mutex mu_;
  std::map<BranchId, Branch> branches_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, BranchId> names_ ABSL_GUARDED_BY(mu_);  // index
  std::map<TimelineId, Timeline> timelines_ ABSL_GUARDED_BY(mu_);
  std::map<TimelineId, BranchId> owners_ ABSL_GUARDED_BY(mu_);
  mutable std::map<TimelineId, std::shared_ptr<const Ancestry>> ancestries_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Snapshot> snapshots_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, SnapshotSchedule> schedules_ ABSL_GUARDED_BY(mu_);
  std::optional<Retention> default_retention_ ABSL_GUARDED_BY(mu_);
  std::map<TimelineId, int> holds_ ABSL_GUARDED_BY(mu_);  // count per timeline
  uint64_t next_snapshot_ ABSL_GUARDED_BY(mu_) = 1;
  BranchId next_branch_ ABSL_GUARDED_BY(mu_) = kMainBranchId + 1;
  TimelineId next_timeline_ ABSL_GUARDED_BY(mu_) = kMainTimeline.Next();
};

// A branch name: 1 to 128 characters from [A-Za-z0-9_.-], not starting with
// '-' or '.'. INVALID_ARGUMENT naming the rule otherwise.
absl::Status CheckBranchName(absl::string_view name);

}  // namespace pitr

#endif  // PITR_BRANCH_CATALOG_H_
