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
#include <functional>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>

namespace pitr {

using BranchId = uint64_t;

// The id of a timeline: a number of its own type, so that a branch id cannot
// be passed where a timeline is meant (or the other way round) without an
// explicit TimelineId(n) or .value(). The two are often equal (main's branch
// id and its first timeline are both 1), which is why a mix-up would
// otherwise compile and pass until the first restore.
class TimelineId {
 public:
  constexpr TimelineId() = default;
  constexpr explicit TimelineId(uint64_t value) : value_(value) {}

  constexpr uint64_t value() const { return value_; }
  // The id allocated after this one (ids are handed out in order).
  constexpr TimelineId Next() const { return TimelineId(value_ + 1); }

  friend constexpr bool operator==(TimelineId a, TimelineId b) {
    return a.value_ == b.value_;
  }
  friend constexpr bool operator!=(TimelineId a, TimelineId b) {
    return a.value_ != b.value_;
  }
  friend constexpr bool operator<(TimelineId a, TimelineId b) {
    return a.value_ < b.value_;
  }
  friend constexpr bool operator>(TimelineId a, TimelineId b) {
    return a.value_ > b.value_;
  }
  friend constexpr bool operator<=(TimelineId a, TimelineId b) {
    return a.value_ <= b.value_;
  }
  friend constexpr bool operator>=(TimelineId a, TimelineId b) {
    return a.value_ >= b.value_;
  }
  template <typename H>
  friend H AbslHashValue(H h, TimelineId id) {
    return H::combine(std::move(h), id.value_);
  }
  // "timeline N", for logs and test failures.
  friend std::ostream& operator<<(std::ostream& out, TimelineId id) {
    return out << "timeline " << id.value_;
  }

 private:
  uint64_t value_ = 0;
};

// The root branch, and the timeline it writes when a store is created.
inline constexpr BranchId kMainBranchId = 1;
inline constexpr TimelineId kMainTimeline{1};
// No timeline: the parent of a root timeline. Ids of real ones start at 1.
inline constexpr TimelineId kNoTimeline{};

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

// "space/page", as messages name a page.
inline std::string FormatPageKey(PageKey key) {
  return std::to_string(key.space) + "/" + std::to_string(key.page);
}

// The page number that names no page (as PostgreSQL's InvalidBlockNumber):
// pages are 0 to kInvalidPageNumber - 1.
inline constexpr uint32_t kInvalidPageNumber = 0xFFFFFFFF;

}  // namespace pitr

template <>
struct std::hash<pitr::TimelineId> {
  size_t operator()(pitr::TimelineId id) const {
    return std::hash<uint64_t>()(id.value());
  }
};

#endif  // PITR_BASE_IDS_H_
