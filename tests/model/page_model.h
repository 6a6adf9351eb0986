// PageModel: the straightforward reference model of the page store that the
// model-based test (engine_model_test.cc) compares the engine with.
//
// It keeps every version of every page: for each PageKey, the list of
// (commit LSN, content or absent) the page went through, one entry per batch
// that touched it, and for each space the list of (commit LSN, size). A read
// as of LSN L is the last version whose commit LSN is <= L, so a read inside
// a batch's byte range sees the state after the previous whole batch.
//
// The semantics it encodes (docs/design.md, "What a read means";
// engine/applier.cc for the space size):
//   - an image replaces the page;
//   - a delta replaces bytes [offset, offset + size) of the page; on a page
//     that does not exist it starts from a zero-filled page;
//   - a truncation of space s to n pages removes every page >= n of s; a
//     later image or delta recreates the page (a delta from zeros);
//   - the size of a space is 0 until a page is written; writing page p >=
//     size makes it p + 1; a truncation to n < size makes it n (a larger n
//     leaves it unchanged).
//
// Records are applied one by one (Image, Delta, Truncate) and Commit ends the
// batch, making its changes one version at the commit LSN. Not thread-safe.
#ifndef PITR_TESTS_MODEL_PAGE_MODEL_H_
#define PITR_TESTS_MODEL_PAGE_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/lsn.h"
#include "wal/record.h"

namespace pitr::model {

class PageModel {
 public:
  explicit PageModel(uint32_t page_size) : page_size_(page_size) {}

  // The records of the batch being built, in order.
  void Image(PageKey key, absl::string_view image);
  void Delta(PageKey key, uint32_t offset, absl::string_view bytes);
  void Truncate(uint32_t space, uint32_t page_count);
  // Sets the size of the space in the open batch, whatever it was: for
  // seeding a model with a state copied from elsewhere (a branch's start).
  void SetSpaceSize(uint32_t space, uint32_t size);
  // Ends the batch: its changes become visible from commit_lsn on.
  // REQUIRES: commit_lsn > latest().
  void Commit(Lsn commit_lsn);

  // The page as of `lsn`; nullopt if it does not exist then.
  std::optional<std::string> PageAt(PageKey key, Lsn lsn) const;
  // The size of the space as of `lsn`.
  uint32_t SpaceSizeAt(uint32_t space, Lsn lsn) const;

  // The commit LSN of the last batch (0 before the first).
  Lsn latest() const { return latest_; }
  uint32_t page_size() const { return page_size_; }
  // How many versions the page has had (a measure of the test's reach).
  size_t VersionCount(PageKey key) const;

 private:
  struct Version {
    Lsn lsn;
    std::optional<std::string> content;
  };

  const uint32_t page_size_;
  Lsn latest_ = 0;
  // The state after every record so far (including the open batch).
  std::map<PageKey, std::string> current_;
  std::map<uint32_t, uint32_t> current_size_;
  // What the open batch touched.
  std::set<PageKey> touched_pages_;
  std::set<uint32_t> touched_spaces_;
  // History, per key and per space, in LSN order.
  std::map<PageKey, std::vector<Version>> history_;
  std::map<uint32_t, std::vector<std::pair<Lsn, uint32_t>>> sizes_;
};

}  // namespace pitr::model

#endif  // PITR_TESTS_MODEL_PAGE_MODEL_H_
