#include "branch/catalog_tree.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace pitr {

Branch CatalogTree::Describe(const Branch& stored) const {
  Branch out = stored;
  const Timeline& t = timelines.at(stored.timeline);
  auto owner = owners.find(t.parent);
  out.parent =
      t.parent != kNoTimeline && owner != owners.end() ? owner->second : 0;
  out.branch_point = t.branch_point;
  out.parent_timeline = t.parent;
  return out;
}

absl::StatusOr<const Branch*> CatalogTree::Find(BranchId id) const {
  auto it = branches.find(id);
  if (it == branches.end()) {
    return absl::NotFoundError(absl::StrCat("branch #", id, " does not exist"));
  }
  return &it->second;
}

const Branch* CatalogTree::FindByName(absl::string_view name) const {
  auto it = names.find(std::string(name));
  return it == names.end() ? nullptr : &branches.at(it->second);
}

std::shared_ptr<const CatalogTree::Ancestry> CatalogTree::AncestryOf(
    TimelineId timeline) const {
  auto cached = ancestries.find(timeline);
  if (cached != ancestries.end()) return cached->second;
  auto ancestry = std::make_shared<Ancestry>();
  Lsn cap = ~Lsn{0};
  for (TimelineId t = timeline; t != kNoTimeline;) {
    ancestry->emplace_back(t, cap);
    const Timeline& info = timelines.at(t);
    cap = info.branch_point;
    t = info.parent;
  }
  ancestries[timeline] = ancestry;
  return ancestry;
}

std::vector<ReadStep> CatalogTree::PathFrom(const Ancestry& ancestry, Lsn lsn) {
  std::vector<ReadStep> path;
  path.reserve(ancestry.size());
  Lsn up_to = lsn;
  for (const auto& [timeline, cap] : ancestry) {
    up_to = std::min(up_to, cap);
    path.push_back({timeline, up_to});
  }
  return path;
}

std::string CatalogTree::UniqueBackupName(const std::string& name,
                                      int64_t now_us) const {
  const std::string base = absl::StrCat(
      name, "_old_",
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::FromUnixMicros(now_us),
                       absl::UTCTimeZone()));
  std::string candidate = base;
  for (int n = 2; FindByName(candidate) != nullptr; ++n) {
    candidate = absl::StrCat(base, "_", n);
  }
  return candidate;
}

std::vector<BranchId> CatalogTree::Subtree(BranchId id) const {
  // Below a branch is every branch whose timeline descends from its
  // timeline, through unnamed ancestors (deleted branches') too.
  std::multimap<TimelineId, TimelineId> children;
  for (const auto& [tid, timeline] : timelines) {
    if (timeline.parent != kNoTimeline) children.emplace(timeline.parent, tid);
  }
  std::vector<BranchId> out;
  // Depth first, deepest first: a branch comes after all of its children.
  std::vector<std::pair<TimelineId, bool>> stack = {
      {branches.at(id).timeline, false}};
  while (!stack.empty()) {
    auto [timeline, expanded] = stack.back();
    stack.pop_back();
    if (expanded) {
      auto owner = owners.find(timeline);
      if (owner != owners.end()) out.push_back(owner->second);
      continue;
    }
    stack.push_back({timeline, true});
    auto range = children.equal_range(timeline);
    for (auto it = range.first; it != range.second; ++it) {
      stack.push_back({it->second, false});
    }
  }
  return out;
}

}  // namespace pitr
