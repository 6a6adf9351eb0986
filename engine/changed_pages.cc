#include "engine/changed_pages.h"

#include <algorithm>
#include <map>
#include <utility>

#include "base/status_macros.h"

namespace pitr {
namespace {

// Per timeline, the commit LSNs (after, up_to] whose changes one path sees
// and the other does not.
std::map<TimelineId, std::pair<Lsn, Lsn>> DiffRanges(
    const std::vector<ReadStep>& a, const std::vector<ReadStep>& b) {
  std::map<TimelineId, Lsn> caps_a, caps_b;
  for (const ReadStep& step : a) caps_a[step.timeline] = step.up_to;
  for (const ReadStep& step : b) caps_b[step.timeline] = step.up_to;
  std::map<TimelineId, std::pair<Lsn, Lsn>> ranges;
  for (const auto& [timeline, cap] : caps_a) {
    auto other = caps_b.find(timeline);
    if (other == caps_b.end()) {
      ranges[timeline] = {0, cap};
    } else if (other->second != cap) {
      ranges[timeline] = {std::min(cap, other->second),
                          std::max(cap, other->second)};
    }
  }
  for (const auto& [timeline, cap] : caps_b) {
    if (caps_a.count(timeline) == 0) ranges[timeline] = {0, cap};
  }
  return ranges;
}

}  // namespace

absl::StatusOr<std::set<PageKey>> CandidatePages(
    const PageStore& store, const std::vector<ReadStep>& a,
    const std::vector<ReadStep>& b) {
  std::set<PageKey> pages;
  for (const auto& [timeline, range] : DiffRanges(a, b)) {
    const auto [after, up_to] = range;
    PITR_RETURN_IF_ERROR(store.ForEachChange(
        timeline, after, up_to, [&pages](PageKey key) { pages.insert(key); }));
    PITR_ASSIGN_OR_RETURN(auto cuts, store.Truncations(timeline, after, up_to));
    for (const auto& [space, count] : cuts) {
      PITR_ASSIGN_OR_RETURN(uint32_t size_a, store.SpaceSize(space, a));
      PITR_ASSIGN_OR_RETURN(uint32_t size_b, store.SpaceSize(space, b));
      for (uint32_t page = count; page < std::max(size_a, size_b); ++page) {
        pages.insert({space, page});
      }
    }
  }
  return pages;
}

}  // namespace pitr
