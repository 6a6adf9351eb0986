#include "remote/wal_lineage.h"

#include <algorithm>

#include "base/status_macros.h"
#include "remote/lineage.h"

namespace pitr::remote {

absl::StatusOr<WalPiecesBySegment> PiecesOfLineage(
    RemoteStorage* storage, uint64_t mine) {
  PITR_ASSIGN_OR_RETURN(Lineage lineage, Lineage::Of(storage, mine));
  PITR_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects,
                        storage->List(kWalPrefix));
  WalPiecesBySegment pieces;
  for (const ObjectInfo& object : objects) {
    std::optional<WalPiece> piece = ParseWalPieceKey(object.key);
    if (piece && lineage.Holds(piece->generation, piece->to)) {
      pieces[piece->segment].push_back(*piece);
    }
  }
  for (auto& [segment, list] : pieces) {
    std::sort(list.begin(), list.end(),
              [](const WalPiece& a, const WalPiece& b) {
                return a.from != b.from ? a.from < b.from : a.to < b.to;
              });
  }
  return pieces;
}

std::vector<WalPiece> SegmentChain(const std::vector<WalPiece>& pieces) {
  std::vector<WalPiece> chain;
  if (pieces.empty()) return chain;
  Lsn at = pieces.front().segment;
  while (true) {
    const WalPiece* best = nullptr;
    for (const WalPiece& p : pieces) {
      if (p.from == at && (best == nullptr || p.to > best->to)) best = &p;
    }
    if (best == nullptr) return chain;
    chain.push_back(*best);
    at = best->to;
  }
}

Lsn CoveredFrom(const WalPiecesBySegment& pieces, Lsn from) {
  Lsn covered = from;
  for (bool advanced = true; advanced;) {
    advanced = false;
    for (const auto& [segment, list] : pieces) {
      for (const WalPiece& p : list) {
        if (p.from <= covered && covered < p.to) {
          covered = p.to;
          advanced = true;
        }
      }
    }
  }
  return covered;
}

}  // namespace pitr::remote
