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
  std::multimap<BranchId, BranchId> children;
  for (const auto& [child_id, child] : branches) {
    const BranchId parent = Describe(child).parent;
    if (parent != 0 && parent != child_id)
      children.emplace(parent, child_id);
  }
  std::vector<BranchId> out;
  // Depth first, deepest first: a branch comes after all of its children.
  std::vector<std::pair<BranchId, bool>> stack = {{id, false}};
  while (!stack.empty()) {
    auto [branch, expanded] = stack.back();
    stack.pop_back();
    if (expanded) {
      out.push_back(branch);
      continue;
    }
    stack.push_back({branch, true});
    auto range = children.equal_range(branch);
    for (auto it = range.first; it != range.second; ++it) {
      stack.push_back({it->second, false});
    }
  }
  return out;
}

}  // namespace pitr
