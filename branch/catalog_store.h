// CatalogStore: where the branch catalog keeps its records. The engine
// implements it on its page store (synced RocksDB writes); tests use
// MemoryCatalogStore. Keeping it an interface lets branch/ stay below
// engine/.
#ifndef PITR_BRANCH_CATALOG_STORE_H_
#define PITR_BRANCH_CATALOG_STORE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/mutex.h"

namespace pitr {

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  // Makes all the puts and deletes durable, atomically: after a crash,
  // either all of them are there or none.
  virtual absl::Status Commit(
      const std::vector<std::pair<std::string, std::string>>& puts,
      const std::vector<std::string>& deletes) = 0;
  // Every (key, value) whose key starts with prefix, in key order.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) const = 0;
};

// An in-memory CatalogStore, for tests. Counts commits and bytes written.
class MemoryCatalogStore : public CatalogStore {
 public:
  absl::Status Commit(
      const std::vector<std::pair<std::string, std::string>>& puts,
      const std::vector<std::string>& deletes) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) const override;

  int commits() const;
  // Key and value bytes of every put and delete committed.
  size_t bytes_written() const;
  // Makes the next Commit fail (once) with `status`, changing nothing.
  void FailNextCommit(absl::Status status);

 private:
  mutable Mutex mu_;
  std::map<std::string, std::string> data_ ABSL_GUARDED_BY(mu_);
  int commits_ ABSL_GUARDED_BY(mu_) = 0;
  size_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status fail_next_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_BRANCH_CATALOG_STORE_H_
