// PageReader: the read path. Reads one page as of an LSN along a read path
// (the timelines a branch reads, newest first, each up to its branch
// point: Catalog::ReadPath), looking up the truncations that hide older
// versions, and counts what reads cost. Also builds the images that
// maintenance materialises, which are reads of the same kind.
//
// It checks nothing about the LSN: the caller has resolved it against the
// branch's history (EngineCore::ResolveLsn) and holds HistoryGuard::mu()
// shared, so GC cannot delete what the read needs while it runs.
//
// Thread-safety: every method may be called from any thread; the counters
// are atomics.
#ifndef PITR_ENGINE_PAGE_READER_H_
#define PITR_ENGINE_PAGE_READER_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "branch/catalog.h"
#include "engine/applier.h"
#include "engine/hot_pages.h"
#include "engine/page_store.h"

namespace pitr {

// What reads have cost since the engine opened.
struct ReadStats {
  uint64_t pages_read = 0;
  uint64_t deltas_applied = 0;       // sum over reads
  uint64_t longest_chain_read = 0;   // most deltas one read applied
  uint64_t hot_page_hits = 0;        // reads the hot pages answered
};

class PageReader {
 public:
  // `store`, `applier` and `hot_pages` must outlive the reader.
  PageReader(PageStore* store, const Applier* applier, HotPages* hot_pages,
             uint32_t page_size);
  PageReader(const PageReader&) = delete;
  PageReader& operator=(const PageReader&) = delete;

  // The page `key` as of `lsn` along `path`: from the hot pages if they
  // know it, else from the store (and then remembered there).
  absl::StatusOr<PageRead> Read(PageKey key, const std::vector<ReadStep>& path,
                                Lsn lsn);
  // Writes the image `task` asks for, read along `path` (the task's
  // timeline's path at its LSN); false if the page does not exist there.
  absl::StatusOr<bool> Materialize(const ImageTask& task,
                                   const std::vector<ReadStep>& path);

  ReadStats stats() const;

 private:
  // The steps of a read of `key` along `path`, each with the truncation
  // that hides older versions, if any.
  absl::StatusOr<std::vector<PageStore::Step>> Steps(
      PageKey key, const std::vector<ReadStep>& path,
      store_keys::Position first_as_of) const;

  PageStore* const store_;
  const Applier* const applier_;
  HotPages* const hot_pages_;
  const uint32_t page_size_;
  std::atomic<uint64_t> pages_read_{0};
  std::atomic<uint64_t> deltas_applied_{0};
  std::atomic<uint64_t> longest_chain_read_{0};
};

}  // namespace pitr

#endif  // PITR_ENGINE_PAGE_READER_H_
