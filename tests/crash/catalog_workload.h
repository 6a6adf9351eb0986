// What catalog_crash_test and the child it kills (catalog_crash_child.cc)
// share: the engine options and the messages of the pipe between them.
#ifndef PITR_TESTS_CRASH_CATALOG_WORKLOAD_H_
#define PITR_TESTS_CRASH_CATALOG_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "engine/engine.h"

namespace pitr::crash {

inline constexpr uint32_t kCatalogPageSize = 512;
inline constexpr uint32_t kCatalogPages = 6;  // pages 0..5 of space 1

// Small layers and frequent flushes, so catalog changes race with them;
// GC only when the child asks.
inline EngineOptions CatalogCrashOptions(const std::string& dir) {
  EngineOptions options;
  options.dir = dir;
  options.page_size = kCatalogPageSize;
  options.wal_segment_size = 16 << 10;
  options.memtable_bytes = 128 << 10;
  options.flush_age = absl::Milliseconds(20);
  options.image_after_deltas = 4;
  options.maintenance_interval = absl::Milliseconds(3);
  options.gc_period = absl::InfiniteDuration();
  options.default_retention = Retention{};
  return options;
}

// Catalog changes the child completed (a, b: branch ids).
enum CatalogMsgType : uint64_t {
  kCatalogOpened = 1,
  kCreated = 2,      // a: the new branch
  kRestored = 3,     // a: the restored branch, b: its backup
  kDeleting = 4,     // a: a branch about to be deleted (it may go, or not)
  kSnapshotted = 5,  // a: the branch
};
struct CatalogMsg {
  uint64_t type = 0;
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t unused = 0;
};

}  // namespace pitr::crash

#endif  // PITR_TESTS_CRASH_CATALOG_WORKLOAD_H_
