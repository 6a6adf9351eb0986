// TimelineTree: the timelines a WAL's records belong to, with the parent
// and branch point of each and the branch name to give it. The WAL holds
// only timeline ids; branch creations live in the store's catalog, so a
// replay needs this tree to create, in the target, a branch for every
// timeline at the right point before that timeline's first batch.
//
// Its file form, "timelines.txt" beside the segment files (the WAL ignores
// other names in its directory), is written by `pitr-wal generate` and may
// be written by hand for any WAL:
//
//   # pitr-wal timelines v1
//   page_size 8192
//   timeline 1 parent 0 point 0/0 name main
//   timeline 2 parent 1 point 0/1F4 name gen-1
//
// One timeline a line, parents before children; timeline 1 is always
// "main" (root). Blank lines and '#' comments are skipped.
#ifndef PITR_TOOLS_WAL_TIMELINE_TREE_H_
#define PITR_TOOLS_WAL_TIMELINE_TREE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/ids.h"
#include "base/lsn.h"

namespace pitr::waltool {

inline constexpr char kTimelineFileName[] = "timelines.txt";

struct TimelineInfo {
  TimelineId id;
  TimelineId parent;  // kNoTimeline: root (only main)
  Lsn branch_point = 0;
  std::string name;
};

class TimelineTree {
 public:
  // A tree with main alone, and no page size.
  TimelineTree();

  // INVALID_ARGUMENT naming the line for a malformed file, a child before
  // its parent, or a duplicate id or name.
  static absl::StatusOr<TimelineTree> Parse(absl::string_view text);
  std::string Serialize() const;

  // Adds a child timeline; same errors as Parse.
  absl::Status Add(TimelineInfo timeline);
  // nullptr if unknown.
  const TimelineInfo* Find(TimelineId id) const;
  // Every timeline, main first, parents before children.
  const std::vector<TimelineInfo>& timelines() const { return timelines_; }

  // The page size of the store the WAL was written for; 0 if unknown.
  uint32_t page_size() const { return page_size_; }
  void set_page_size(uint32_t page_size) { page_size_ = page_size; }

 private:
  std::vector<TimelineInfo> timelines_;
  uint32_t page_size_ = 0;
};

// The tree of the WAL in wal_dir: its timelines.txt if there is one,
// otherwise main alone. Errors are the file's (reading or parsing).
absl::StatusOr<TimelineTree> LoadTimelineTree(const std::string& wal_dir);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_TIMELINE_TREE_H_
