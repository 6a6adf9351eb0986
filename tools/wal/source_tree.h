// The timeline tree of a replay or dump source: the WAL directory's
// timelines.txt if it has one; otherwise, for a data directory, its branch
// catalog, read with RocksDB's read-only open of PATH/pages (nothing is
// written; the WAL lock the source holds keeps pitrd away); otherwise main
// alone.
//
// From a catalog: every timeline with a parent chain to timeline 1 (those
// of deleted branches too), named after the branch that writes it now, or
// "timeline-<id>" if none does. Timeline 1 is always "main" (the target's
// root), so after a restore of main the timeline main writes now is named
// "main-tl<id>". Root timelines of imports are left out. The page size is
// the store's.
#ifndef PITR_TOOLS_WAL_SOURCE_TREE_H_
#define PITR_TOOLS_WAL_SOURCE_TREE_H_

#include "absl/status/statusor.h"
#include "tools/wal/timeline_tree.h"
#include "tools/wal/wal_source.h"

namespace pitr::waltool {

absl::StatusOr<TimelineTree> LoadSourceTree(const WalSource& source);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_SOURCE_TREE_H_
