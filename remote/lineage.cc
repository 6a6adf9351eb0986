#include "remote/lineage.h"

#include <algorithm>

#include "base/status_macros.h"

namespace pitr::remote {

Lineage::Lineage(const std::vector<Generation>& generations, uint64_t mine)
    : generations_(generations), mine_(mine) {}

absl::StatusOr<Lineage> Lineage::Of(RemoteStorage* storage, uint64_t mine) {
  PITR_ASSIGN_OR_RETURN(std::vector<Generation> generations,
                        ListGenerations(storage));
  return Lineage(generations, mine);
}

bool Lineage::Holds(uint64_t generation, Lsn end) const {
  if (generation > mine_) return false;
  Lsn cutoff = ~Lsn{0};
  for (const Generation& g : generations_) {
    if (g.number > generation && g.number <= mine_) {
      cutoff = std::min(cutoff, g.start_lsn);
    }
  }
  return end <= cutoff;
}

}  // namespace pitr::remote
