// Everything a branch shows at one point over a small key range, to compare
// two stores (or two branches) that should read alike: every page (or "-"
// for none) and every space's size. For tests only.
#ifndef PITR_ENGINE_TESTING_BRANCH_STATE_H_
#define PITR_ENGINE_TESTING_BRANCH_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "base/lsn.h"
#include "engine/engine.h"

namespace pitr::testing {

struct BranchState {
  std::map<std::pair<uint32_t, uint32_t>, std::string> pages;
  std::map<uint32_t, uint32_t> sizes;
  friend bool operator==(const BranchState& a, const BranchState& b) {
    return a.pages == b.pages && a.sizes == b.sizes;
  }
  friend bool operator!=(const BranchState& a, const BranchState& b) {
    return !(a == b);
  }
};

// Spaces 0 to spaces - 1 and pages 0 to pages - 1 of each, as `branch`
// reads them at `lsn` (latest if unset); fails the test on a read error
// other than NOT_FOUND.
BranchState ReadBranchState(Engine* engine, BranchId branch,
                            std::optional<Lsn> lsn, uint32_t spaces,
                            uint32_t pages);

}  // namespace pitr::testing

#endif  // PITR_ENGINE_TESTING_BRANCH_STATE_H_
