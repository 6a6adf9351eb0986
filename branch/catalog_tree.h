// CatalogTree: the catalog's branches and timelines in memory, and the
// lookups over them: a branch by id or name with its parent and branch point
// filled in, the subtree below a branch, a timeline's ancestry (cached:
// timelines never change) and the read path it gives at an LSN.
//
// Internal to branch/. Not thread-safe: Catalog holds it under its lock.
#ifndef PITR_BRANCH_CATALOG_TREE_H_
#define PITR_BRANCH_CATALOG_TREE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "branch/catalog_types.h"

namespace pitr {

struct CatalogTree {
  // A timeline and its ancestors, newest first, each with the branch point
  // on it of the step before.
  using Ancestry = std::vector<std::pair<TimelineId, Lsn>>;

  // The stored branch with its derived fields (parent, branch point).
  Branch Describe(const Branch& stored) const;
  // NOT_FOUND naming the id if there is no such branch.
  absl::StatusOr<const Branch*> Find(BranchId id) const;
  const Branch* FindByName(absl::string_view name) const;  // or nullptr
  // Every branch below `id`, deepest first, then `id`.
  std::vector<BranchId> Subtree(BranchId id) const;
  std::shared_ptr<const Ancestry> AncestryOf(TimelineId timeline) const;
  // The read path of `ancestry` at `lsn` (Catalog::ReadPath).
  static std::vector<ReadStep> PathFrom(const Ancestry& ancestry, Lsn lsn);
  // "<name>_old_<UTC time>", with "_2", "_3"... if taken.
  std::string UniqueBackupName(const std::string& name, int64_t now_us) const;

  std::map<BranchId, Branch> branches;
  std::map<std::string, BranchId> names;  // index of branches
  std::map<TimelineId, Timeline> timelines;
  std::map<TimelineId, BranchId> owners;  // the branch writing each timeline
  mutable std::map<TimelineId, std::shared_ptr<const Ancestry>> ancestries;
};

}  // namespace pitr

#endif  // PITR_BRANCH_CATALOG_TREE_H_
