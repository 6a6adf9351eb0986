// The archived WAL of one line of history (lineage.h): the pieces that
// belong to a generation's history, and how far they reach.
#ifndef PITR_REMOTE_WAL_LINEAGE_H_
#define PITR_REMOTE_WAL_LINEAGE_H_

#include <cstdint>
#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "base/lsn.h"
#include "remote/remote_storage.h"
#include "remote/wal_archive_keys.h"

namespace pitr::remote {

// Pieces by segment start, each segment's in LSN order.
using WalPiecesBySegment = std::map<Lsn, std::vector<WalPiece>>;

// The pieces in the bucket that belong to the history of `generation`.
absl::StatusOr<WalPiecesBySegment> PiecesOfLineage(RemoteStorage* storage,
                                                   uint64_t generation);

// The pieces a fetch of one segment concatenates: from the segment's
// header, the longest piece at each step, until none continues (`pieces`:
// one segment's, in LSN order).
std::vector<WalPiece> SegmentChain(const std::vector<WalPiece>& pieces);

// How far `pieces` cover the record stream contiguously from `from`.
Lsn CoveredFrom(const WalPiecesBySegment& pieces, Lsn from);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_WAL_LINEAGE_H_
