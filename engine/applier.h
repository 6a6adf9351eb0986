// Applier turns durable WAL batches into page store writes: one atomic
// RocksDB write per group of batches holding their page versions, the
// change keys that list them by timeline, the space size and truncation
// events they cause, and the new applied LSN (so the flushed layers always
// say which WAL prefix they contain).
//
// It also counts, per page, the deltas since the page's last image and
// reports a page whose chain reaches the threshold, so the engine can
// materialise an image there and keep reads bounded at every LSN. And it
// keeps each timeline's head, the commit LSN of its last batch (stored with
// the batches: store_keys::HeadKey), which is where a branch stands.
//
// Thread-safety: Apply is called by one thread at a time (the WAL's group
// leader, or recovery before the engine accepts appends).
// MayHaveTruncations, HeadOf and ForgetHeads may be called from any thread.
#ifndef PITR_ENGINE_APPLIER_H_
#define PITR_ENGINE_APPLIER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "base/mutex.h"
#include "engine/hot_pages.h"
#include "engine/page_store.h"
#include "engine/store_keys.h"
#include "wal/record.h"

namespace pitr {

// A page whose delta chain reached the threshold at `at`.
struct ImageTask {
  TimelineId timeline;
  PageKey key;
  store_keys::Position at;
};

// One batch to apply: its timeline, commit LSN and records.
struct BatchToApply {
  TimelineId timeline;
  Lsn commit_lsn;
  std::vector<WalRecordView> records;
};

class Applier {
 public:
  // Where a timeline's history comes from: it and its ancestors (newest
  // first), as of `lsn` (Catalog::TimelinePath).
  using Ancestry =
      std::function<absl::StatusOr<std::vector<ReadStep>>(TimelineId, Lsn)>;

  // `store` and `hot_pages` (whose pages it invalidates as it writes them)
  // must outlive the applier. `on_long_chain` is called (from Apply) for
  // each page whose chain reaches image_after_deltas.
  Applier(PageStore* store, HotPages* hot_pages, Ancestry ancestry,
          uint32_t image_after_deltas,
          std::function<void(const ImageTask&)> on_long_chain);

  // Loads what the applier must know about existing data.
  absl::Status Load();

  // Writes the batches (in LSN order) and the applied LSN atomically, then
  // invalidates the hot pages they wrote. The caller makes them visible
  // (latest_lsn) only after it returns.
  absl::Status Apply(const std::vector<BatchToApply>& batches);

  // The commit LSN of the last batch applied on `timeline`; nullopt if none
  // was (or GC forgot the timeline: ForgetHeads).
  std::optional<Lsn> HeadOf(TimelineId timeline) const;
  void ForgetHeads(const std::vector<TimelineId>& timelines);

  // False if no change ever truncated this space: reads can skip looking.
  bool MayHaveTruncations(TimelineId timeline, uint32_t space) const;
  // False if no change ever truncated any space (no lock taken).
  bool AnyTruncations() const { return any_truncations_.load(); }

 private:
  // The size of a space now, from the cache or the store.
  absl::StatusOr<uint32_t> CurrentSize(TimelineId timeline, uint32_t space);
  // The page's deltas since its last image now, from the cache or counted
  // from the store (after a restart, or when the cache was trimmed), so the
  // count is exact whatever the process forgot.
  absl::StatusOr<uint32_t*> DeltasSinceImage(TimelineId timeline, PageKey key);

  PageStore* const store_;
  HotPages* const hot_pages_;
  const Ancestry ancestry_;
  const uint32_t image_after_deltas_;
  const std::function<void(const ImageTask&)> on_long_chain_;
  // Touched only by Apply's thread.
  std::map<std::pair<TimelineId, uint32_t>, uint32_t> sizes_;
  std::map<std::pair<TimelineId, PageKey>, uint32_t> deltas_since_image_;

  mutable Mutex mu_;
  std::set<std::pair<TimelineId, uint32_t>> truncated_ ABSL_GUARDED_BY(mu_);
  std::map<TimelineId, Lsn> heads_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> any_truncations_{false};
};

}  // namespace pitr

#endif  // PITR_ENGINE_APPLIER_H_
