// Lineage: which objects in the bucket belong to the history of one
// generation. After a restore from the bucket to an earlier point, the
// restored store claims a newer generation whose start_lsn is that point
// and writes its own history from there; what the older generations wrote
// past it belongs to another line of history. The history of generation G
// holds G's own objects and, of each older generation g, the objects that
// end at or below the smallest start_lsn of the generations after g up to
// G (docs/bucket-format.md, "History of a generation"). WAL pieces, catalog
// images and base backups all follow this rule.
#ifndef PITR_REMOTE_LINEAGE_H_
#define PITR_REMOTE_LINEAGE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "base/lsn.h"
#include "remote/generation.h"
#include "remote/remote_storage.h"

namespace pitr::remote {

class Lineage {
 public:
  // The lineage of `mine` among `generations` (any order).
  Lineage(const std::vector<Generation>& generations, uint64_t mine);
  // The same, listing the generations in `storage`.
  static absl::StatusOr<Lineage> Of(RemoteStorage* storage, uint64_t mine);

  uint64_t generation() const { return mine_; }
  // Whether an object written by `generation` whose history ends at `end`
  // (a WAL piece's end, the LSN of a catalog image or backup) belongs to it.
  bool Holds(uint64_t generation, Lsn end) const;

 private:
  std::vector<Generation> generations_;
  uint64_t mine_;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_LINEAGE_H_
