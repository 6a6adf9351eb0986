// The names of things every layer passes around: a page (PageKey), a branch
// (BranchId) and a timeline (TimelineId).
//
// A branch is a named line of history that users see; a timeline is the
// sequence of changes a branch writes. A branch writes one timeline at a
// time and gets a new one when it is restored; the WAL and the page store
// only know timelines, the catalog (branch/catalog.h) maps one to the other.
#ifndef PITR_BASE_IDS_H_
#define PITR_BASE_IDS_H_

#include <cstdint>
#include <tuple>

namespace pitr {

using BranchId = uint64_t;
using TimelineId = uint64_t;

// The root branch, and the timeline it writes when a store is created.
inline constexpr BranchId kMainBranchId = 1;
inline constexpr TimelineId kMainTimeline = 1;

// A page of the client's database: page `page` of space (file/relation)
// `space`.
struct PageKey {
  uint32_t space = 0;
  uint32_t page = 0;

  friend bool operator==(const PageKey& a, const PageKey& b) {
    return a.space == b.space && a.page == b.page;
  }
  friend bool operator!=(const PageKey& a, const PageKey& b) {
    return !(a == b);
  }
  friend bool operator<(const PageKey& a, const PageKey& b) {
    return std::tie(a.space, a.page) < std::tie(b.space, b.page);
  }
};

}  // namespace pitr

#endif  // PITR_BASE_IDS_H_
