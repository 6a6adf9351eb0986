// The pages that may differ between two points of history, found from the
// change keys without looking at the rest of the store: shared by
// Engine::DiffPages and incremental exports.
//
// Two points read along two paths (Catalog::ReadPath, each step capped at
// the point's LSN on that timeline). A page can differ only if one path
// sees a change of it that the other does not: on a timeline both paths
// read, a change between their two caps; on a timeline only one reads, any
// change up to its cap. Those changes are short ranges of the change keys
// (store_keys::ChangeKey, timeline first), plus the truncations in the same
// ranges (the pages they cut, as far as either point has pages there).
#ifndef PITR_ENGINE_CHANGED_PAGES_H_
#define PITR_ENGINE_CHANGED_PAGES_H_

#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "branch/catalog_types.h"
#include "engine/page_store.h"

namespace pitr {

// The candidates, in key order; each must still be read at both points to
// know whether it differs. Held in memory: one PageKey per page changed
// between the points.
absl::StatusOr<std::set<PageKey>> CandidatePages(
    const PageStore& store, const std::vector<ReadStep>& a,
    const std::vector<ReadStep>& b);

}  // namespace pitr

#endif  // PITR_ENGINE_CHANGED_PAGES_H_
