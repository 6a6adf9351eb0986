// ScheduleCatalog: the snapshot schedules of a store, kept durably beside the
// branch catalog (same CatalogStore, records "cc…", docs/storage-format.md).
// A schedule names its branch by id; whether that branch exists is the
// caller's to check (a schedule whose branch was deleted idles, it is not
// removed). Taking the snapshots is the engine's (engine/snapshots.h).
//
// Thread-safety: every method may be called from any thread; mu_ guards the
// schedules in memory and is held across each commit.
#ifndef PITR_BRANCH_SCHEDULE_CATALOG_H_
#define PITR_BRANCH_SCHEDULE_CATALOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/mutex.h"
#include "branch/catalog.h"
#include "branch/catalog_store.h"

namespace pitr {

class ScheduleCatalog {
 public:
  // Loads the schedules from `store`, which must outlive the catalog.
  static absl::StatusOr<std::unique_ptr<ScheduleCatalog>> Open(
      CatalogStore* store);

  ScheduleCatalog(const ScheduleCatalog&) = delete;
  ScheduleCatalog& operator=(const ScheduleCatalog&) = delete;

  // INVALID_ARGUMENT unless the name is a valid branch-style name, `every`
  // is at least 1 s, and keep_last or keep_for is set.
  static absl::Status Check(const SnapshotSchedule& schedule);

  // Adds `schedule` (Check first; ALREADY_EXISTS for a name in use).
  absl::Status Create(const SnapshotSchedule& schedule);
  std::vector<SnapshotSchedule> List() const;  // by name
  absl::Status Delete(absl::string_view name);  // NOT_FOUND if unknown
  // Reads the schedules again from the store, replacing these (Catalog::
  // Reload).
  absl::Status Reload();
  // Records that the schedule took a snapshot at `now_us`.
  absl::Status MarkRun(absl::string_view name, int64_t now_us);

 private:
  explicit ScheduleCatalog(CatalogStore* store) : store_(store) {}

  CatalogStore* const store_;
  mutable Mutex mu_;
  std::map<std::string, SnapshotSchedule> schedules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_BRANCH_SCHEDULE_CATALOG_H_
