// SpaceCatalog: the named spaces of a store, kept durably beside the branch
// catalog (same CatalogStore, records "cy…", docs/storage-format.md). A
// named space is what a client such as the SQLite extension calls a
// database: its name resolves to the same space id on every branch, since
// every branch holds every space. Ids are handed out from kFirstNamedSpace
// up, in order, and never twice (no space is ever removed from here), so
// they never meet the small ids clients number spaces with themselves.
//
// Thread-safety: every method may be called from any thread; mu_ guards the
// spaces in memory and is held across each commit.
#ifndef PITR_BRANCH_SPACE_CATALOG_H_
#define PITR_BRANCH_SPACE_CATALOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/mutex.h"
#include "branch/catalog_store.h"

namespace pitr {

struct NamedSpace {
  std::string name;
  uint32_t id = 0;
  int64_t created_us = 0;
  friend bool operator==(const NamedSpace& a, const NamedSpace& b) {
    return a.name == b.name && a.id == b.id && a.created_us == b.created_us;
  }
};

class SpaceCatalog {
 public:
  // The id of the first named space: 2^31.
  static constexpr uint32_t kFirstNamedSpace = 0x80000000u;

  // Loads the spaces from `store`, which must outlive the catalog.
  static absl::StatusOr<std::unique_ptr<SpaceCatalog>> Open(
      CatalogStore* store);

  SpaceCatalog(const SpaceCatalog&) = delete;
  SpaceCatalog& operator=(const SpaceCatalog&) = delete;

  // A space name: 1 to 255 characters from A-Z a-z 0-9 _ . - / , not
  // starting with '-', '.' or '/'. INVALID_ARGUMENT naming the rule
  // otherwise.
  static absl::Status CheckName(absl::string_view name);

  // The space `name`; with `create`, made (one commit) if it does not exist
  // yet, else NOT_FOUND. RESOURCE_EXHAUSTED once every id is taken.
  absl::StatusOr<NamedSpace> Resolve(absl::string_view name, bool create,
                                     int64_t now_us);
  std::vector<NamedSpace> List() const;  // by name
  // Reads the spaces again from the store, replacing these (Catalog::
  // Reload).
  absl::Status Reload();

 private:
  explicit SpaceCatalog(CatalogStore* store) : store_(store) {}

  CatalogStore* const store_;
  mutable Mutex mu_;
  std::map<std::string, NamedSpace> spaces_ ABSL_GUARDED_BY(mu_);
  uint32_t next_id_ ABSL_GUARDED_BY(mu_) = kFirstNamedSpace;
};

}  // namespace pitr

#endif  // PITR_BRANCH_SPACE_CATALOG_H_
