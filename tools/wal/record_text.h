// How `pitr-wal dump` shows a batch: one line per record, the commit
// record included, as text or as a JSON object.
//
// Text (the LSN and the type first, then key=value fields):
//   0/0 delta timeline=1 branch=main space=7 page=3 offset=16 size=4
//   time=2023-11-14T22:13:20.000000Z 0/21 commit timeline=1 branch=main
//   records=1 batch_bytes=62 time=2023-11-14T22:13:20.000000Z
// JSON (the same fields; LSNs and times as strings, the rest numbers):
//   {"lsn":"0/0","type":"delta","timeline":1,"branch":"main","space":7,...}
//
// `branch` is the name the timeline tree gives the timeline, left out if
// it has none.
#ifndef PITR_TOOLS_WAL_RECORD_TEXT_H_
#define PITR_TOOLS_WAL_RECORD_TEXT_H_

#include <string>

#include "tools/wal/timeline_tree.h"
#include "wal/record.h"

namespace pitr::waltool {

// The lines of `batch`, each ending in '\n'.
std::string FormatBatch(const CommittedBatch& batch, const TimelineTree& tree,
                        bool json);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_RECORD_TEXT_H_
