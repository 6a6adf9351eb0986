// Replay: applies the batches of a source WAL, in LSN order, to a Target,
// so that the target reproduces the source's history exactly.
//
// Branches: every timeline of the source (TimelineTree) becomes a branch of
// the target, named as in the tree, created from its parent's branch at the
// branch point (mapped, below) once the replay has reached that point and
// before any later batch is applied; so a timeline's branch always exists
// before its first batch. Timelines whose point is past the last batch
// replayed are not created.
//
// LSNs: each batch keeps its records, their order and its commit timestamp.
// Written into a fresh store, the batches are framed exactly as in the
// source, so every target LSN equals the source LSN (when the replay starts
// at the source's LSN 0). In general the replay keeps a map from each
// source commit LSN to the target commit LSN of the same batch; a branch
// point P maps to the target commit LSN of the last replayed batch whose
// source commit LSN is <= P (the same state), or to where the replay began.
#ifndef PITR_TOOLS_WAL_REPLAYER_H_
#define PITR_TOOLS_WAL_REPLAYER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "absl/status/statusor.h"
#include "tools/wal/target.h"
#include "tools/wal/timeline_tree.h"
#include "wal/wal.h"

namespace pitr::waltool {

struct ReplayOptions {
  // The first batch replayed starts here: a batch boundary. nullopt: the
  // oldest LSN the source still holds.
  std::optional<Lsn> from;
  // Replay only batches whose commit LSN is <= until. nullopt: to the end.
  std::optional<Lsn> until;
  // Called after each batch with the source LSN reached.
  std::function<void(Lsn source_lsn)> progress;
};

struct ReplaySummary {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t branches_created = 0;
  Lsn source_start = 0;  // where the replay began, in the source
  Lsn source_end = 0;    // just past the last batch replayed
  // Source commit LSN -> target commit LSN, for every batch replayed, and
  // source_start -> where the target's log was.
  std::map<Lsn, Lsn> lsn_map;
};

// Replays `source` into `target`. FAILED_PRECONDITION if a batch belongs
// to a timeline the tree does not know; the target's own errors stop the
// replay (what was applied stays applied; the summary so far is lost).
absl::StatusOr<ReplaySummary> Replay(Wal& source, const TimelineTree& tree,
                                     const ReplayOptions& options,
                                     Target* target);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_REPLAYER_H_
