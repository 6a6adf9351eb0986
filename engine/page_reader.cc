#include "engine/page_reader.h"

#include "base/status_macros.h"
#include "rocksdb/write_batch.h"

namespace pitr {

namespace sk = store_keys;

PageReader::PageReader(PageStore* store, const Applier* applier,
                       HotPages* hot_pages, uint32_t page_size)
    : store_(store),
      applier_(applier),
      hot_pages_(hot_pages),
      page_size_(page_size) {}

absl::StatusOr<std::vector<PageStore::Step>> PageReader::Steps(
    PageKey key, const std::vector<ReadStep>& path,
    sk::Position first_as_of) const {
  std::vector<PageStore::Step> steps(path.size());
  // Truncations are rare: most reads never look one up.
  const bool any_truncations = applier_->AnyTruncations();
  for (size_t i = 0; i < path.size(); ++i) {
    PageStore::Step& step = steps[i];
    step.timeline = path[i].timeline;
    step.as_of = i == 0 ? first_as_of : sk::AsOf(path[i].up_to);
    if (any_truncations &&
        applier_->MayHaveTruncations(step.timeline, key.space)) {
      PITR_ASSIGN_OR_RETURN(
          step.truncated_at,
          store_->LastTruncationOf(step.timeline, key, step.as_of));
      if (step.truncated_at) {  // older steps are hidden
        steps.resize(i + 1);
        break;
      }
    }
  }
  return steps;
}

absl::StatusOr<PageRead> PageReader::Read(PageKey key,
                                          const std::vector<ReadStep>& path,
                                          Lsn lsn) {
  // The path is fixed by its first timeline (a branch's own, which
  // batches write): the hot pages are kept by that timeline.
  const TimelineId head = path.empty() ? kNoTimeline : path.front().timeline;
  if (head != kNoTimeline) {
    if (std::optional<std::string> page = hot_pages_->Find(head, key, lsn)) {
      ++pages_read_;
      PageRead read;
      read.page = std::move(page);
      return read;
    }
  }
  PITR_ASSIGN_OR_RETURN(std::vector<PageStore::Step> steps,
                        Steps(key, path, sk::AsOf(lsn)));
  PITR_ASSIGN_OR_RETURN(PageRead read,
                        store_->ReadPage(key, steps, page_size_));
  if (head != kNoTimeline && read.page) {
    hot_pages_->Insert(head, key, lsn, *read.page);
  }
  ++pages_read_;
  deltas_applied_ += read.deltas_applied;
  uint64_t longest = longest_chain_read_.load();
  while (static_cast<uint64_t>(read.deltas_applied) > longest &&
         !longest_chain_read_.compare_exchange_weak(longest,
                                                    read.deltas_applied)) {
  }
  return read;
}

absl::StatusOr<bool> PageReader::Materialize(
    const ImageTask& task, const std::vector<ReadStep>& path) {
  PITR_ASSIGN_OR_RETURN(std::vector<PageStore::Step> steps,
                        Steps(task.key, path, task.at));
  PITR_ASSIGN_OR_RETURN(PageRead read,
                        store_->ReadPage(task.key, steps, page_size_));
  if (!read.page) return false;
  rocksdb::WriteBatch write;
  write.Put(sk::VersionKey(task.timeline, task.key, task.at,
                           sk::VersionKeyKind::kMaterialized),
            sk::ImageValue(*read.page));
  PITR_RETURN_IF_ERROR(store_->Write(&write));
  return true;
}

ReadStats PageReader::stats() const {
  return ReadStats{pages_read_.load(), deltas_applied_.load(),
                   longest_chain_read_.load(), hot_pages_->hits()};
}

}  // namespace pitr
