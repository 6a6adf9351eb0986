#include "engine/testing/branch_state.h"

#include "gtest/gtest.h"

namespace pitr::testing {

BranchState ReadBranchState(Engine* engine, BranchId branch,
                            std::optional<Lsn> lsn, uint32_t spaces,
                            uint32_t pages) {
  BranchState state;
  for (uint32_t s = 0; s < spaces; ++s) {
    absl::StatusOr<uint32_t> size = engine->GetSpaceSize(branch, s, lsn);
    EXPECT_TRUE(size.ok()) << size.status();
    state.sizes[s] = size.value_or(0);
    for (uint32_t p = 0; p < pages; ++p) {
      absl::StatusOr<std::string> page = engine->GetPage(branch, {s, p}, lsn);
      EXPECT_TRUE(page.ok() || absl::IsNotFound(page.status()))
          << page.status();
      state.pages[{s, p}] = page.ok() ? *page : "-";
    }
  }
  return state;
}

}  // namespace pitr::testing
