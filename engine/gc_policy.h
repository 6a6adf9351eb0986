// The decisions of garbage collection, as pure functions (no I/O), so they
// can be tested exhaustively.
//
// A branch's *floor* is the oldest LSN a read of it may ask for: the oldest
// of its retention cutoff and the branch points of its children (their
// history starts on it). A timeline's *horizon* is the oldest point any
// branch reads on it: for every branch whose read path passes through the
// timeline, min(its floor, the path's cap there). GC keeps, for each page of
// each timeline, every version after the horizon and the chain that
// rebuilds the page at the horizon (its newest image at or before it and
// the deltas after that image); it drops the rest, and every version of a
// timeline no branch reads. A timeline nothing writes any more (a deleted
// branch's, still read by its descendants up to their branch points) also
// has a *ceiling*, the newest point any reader reads on it: GC drops every
// version after it (the deleted branch's own future).
#ifndef PITR_ENGINE_GC_POLICY_H_
#define PITR_ENGINE_GC_POLICY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "branch/catalog.h"
#include "engine/store_keys.h"

namespace pitr::gc_policy {

// The retention in force on `branch`: its own if it sets any field (it then
// replaces the default whole), else `default_retention`.
Retention EffectiveRetention(const Branch& branch,
                             const Retention& default_retention);
// The retention in words, for messages: "168h", "1000 bytes of WAL",
// "1h or 1000 bytes of WAL", "keep everything".
std::string DescribeRetention(const Retention& retention);

// The oldest LSN the window keeps readable, given the latest LSN and
// `lsn_at_time(t)`: the LSN of the last commit at or before t, or nullopt if
// there is none (then everything is kept). A retention with no field set
// keeps everything (0). With both fields, the more generous wins.
Lsn RetentionCutoff(
    const Retention& retention, Lsn latest, absl::Time now,
    const std::function<std::optional<Lsn>(absl::Time)>& lsn_at_time);

// A branch as GC sees it: its read path (Catalog::ReadPath at the latest
// LSN) and its floor.
struct Reader {
  BranchId branch;
  std::vector<ReadStep> path;
  Lsn floor;
};

// The floor of every branch: min(cutoff, branch points of its children),
// where a child is a branch whose path's second step is this branch's
// timeline. `cutoffs` holds every branch's retention cutoff.
std::map<BranchId, Lsn> Floors(const std::vector<Branch>& branches,
                               const std::map<BranchId, Lsn>& cutoffs);

// The horizon of every timeline some reader's path passes through.
// Timelines absent from the result are read by no branch.
std::map<TimelineId, Lsn> Horizons(const std::vector<Reader>& readers);

// The newest point any reader reads on each timeline some reader's path
// passes through: the largest cap of the path steps on it.
std::map<TimelineId, Lsn> Ceilings(const std::vector<Reader>& readers);

// One version of one page on one timeline.
struct Version {
  store_keys::Position at;
  bool image;
};

// Which of the versions (ascending by position) GC may drop, given the
// timeline's horizon and, for a timeline nothing writes any more, its
// ceiling: their indexes, ascending. REQUIRES: horizon <= ceiling.
std::vector<size_t> VersionsToDrop(const std::vector<Version>& versions,
                                   Lsn horizon,
                                   std::optional<Lsn> ceiling = std::nullopt);

}  // namespace pitr::gc_policy

#endif  // PITR_ENGINE_GC_POLICY_H_
