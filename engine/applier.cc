#include "engine/applier.h"

#include <algorithm>
#include <limits>

#include "base/status_macros.h"
#include "rocksdb/write_batch.h"

namespace pitr {

namespace sk = store_keys;

Applier::Applier(PageStore* store, HotPages* hot_pages, Ancestry ancestry,
                 uint32_t image_after_deltas,
                 std::function<void(const ImageTask&)> on_long_chain)
    : store_(store),
      hot_pages_(hot_pages),
      ancestry_(std::move(ancestry)),
      image_after_deltas_(image_after_deltas),
      on_long_chain_(std::move(on_long_chain)) {}

absl::Status Applier::Load() {
  PITR_ASSIGN_OR_RETURN(auto spaces, store_->TruncatedSpaces());
  using Heads = std::map<TimelineId, Lsn>;
  PITR_ASSIGN_OR_RETURN(Heads heads, store_->TimelineHeads());
  MutexLock l(&mu_);
  heads_ = std::move(heads);
  truncated_.insert(spaces.begin(), spaces.end());
  if (!truncated_.empty()) any_truncations_ = true;
  return absl::OkStatus();
}

std::optional<Lsn> Applier::HeadOf(TimelineId timeline) const {
  MutexLock l(&mu_);
  auto it = heads_.find(timeline);
  if (it == heads_.end()) return std::nullopt;
  return it->second;
}

void Applier::ForgetHeads(const std::vector<TimelineId>& timelines) {
  MutexLock l(&mu_);
  for (TimelineId t : timelines) heads_.erase(t);
}

bool Applier::MayHaveTruncations(TimelineId timeline, uint32_t space) const {
  MutexLock l(&mu_);
  return truncated_.count({timeline, space}) > 0;
}

absl::StatusOr<uint32_t> Applier::CurrentSize(TimelineId timeline,
                                              uint32_t space) {
  auto it = sizes_.find({timeline, space});
  if (it != sizes_.end()) return it->second;
  // A new timeline starts with its parent's spaces as of the branch point.
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        ancestry_(timeline, std::numeric_limits<Lsn>::max()));
  PITR_ASSIGN_OR_RETURN(uint32_t size, store_->SpaceSize(space, path));
  sizes_[{timeline, space}] = size;
  return size;
}

absl::StatusOr<uint32_t*> Applier::DeltasSinceImage(TimelineId timeline,
                                                    PageKey key) {
  auto it = deltas_since_image_.find({timeline, key});
  if (it != deltas_since_image_.end()) return &it->second;
  // Bounded memory: forget every count at once; they are recounted.
  constexpr size_t kMaxTrackedPages = 1 << 20;
  if (deltas_since_image_.size() >= kMaxTrackedPages)
    deltas_since_image_.clear();
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        ancestry_(timeline, std::numeric_limits<Lsn>::max()));
  PITR_ASSIGN_OR_RETURN(uint32_t count,
                        store_->ChainLength(key, path, image_after_deltas_));
  return &(deltas_since_image_[{timeline, key}] = count);
}

absl::Status Applier::Apply(const std::vector<BatchToApply>& batches) {
  if (batches.empty()) return absl::OkStatus();
  rocksdb::WriteBatch write;
  std::vector<ImageTask> long_chains;
  std::vector<std::pair<TimelineId, uint32_t>> new_truncations;
  std::map<TimelineId, Lsn> new_heads;
  for (const BatchToApply& batch : batches) {
    new_heads[batch.timeline] = batch.commit_lsn;
    for (uint32_t seq = 0; seq < batch.records.size(); ++seq) {
      const WalRecordView& record = batch.records[seq];
      const sk::Position at{batch.commit_lsn, seq};
      const uint32_t space = record.key.space;
      PITR_ASSIGN_OR_RETURN(uint32_t size, CurrentSize(batch.timeline, space));
      if (record.kind == RecordKind::kSpaceTruncate) {
        write.Put(sk::TruncationKey(batch.timeline, space, at),
                  sk::EncodeU32(record.page_count));
        new_truncations.emplace_back(batch.timeline, space);
        if (record.page_count < size) {
          sizes_[{batch.timeline, space}] = record.page_count;
          write.Put(sk::SizeKey(batch.timeline, space, at),
                    sk::EncodeU32(record.page_count));
        }
        continue;
      }
      if (record.key.page >= size) {
        sizes_[{batch.timeline, space}] = record.key.page + 1;
        write.Put(sk::SizeKey(batch.timeline, space, at),
                  sk::EncodeU32(record.key.page + 1));
      }
      const bool image = record.kind == RecordKind::kPageImage;
      const std::string key = sk::VersionKey(
          batch.timeline, record.key, at,
          image ? sk::VersionKeyKind::kImage : sk::VersionKeyKind::kDelta);
      write.Put(sk::ChangeKey(batch.timeline, at), sk::EncodePageKey(record.key));
      if (image) {
        write.Put(key, sk::ImageValue(record.data));
        deltas_since_image_[{batch.timeline, record.key}] = 0;
      } else {
        write.Put(key, sk::DeltaValue(record.offset, record.data));
        PITR_ASSIGN_OR_RETURN(uint32_t * counted,
                              DeltasSinceImage(batch.timeline, record.key));
        uint32_t& run = *counted;
        if (++run >= image_after_deltas_) {
          long_chains.push_back({batch.timeline, record.key, at});
          run = 0;
        }
      }
    }
  }
  for (const auto& [timeline, lsn] : new_heads) {
    write.Put(sk::HeadKey(timeline), sk::EncodeU64(lsn));
  }
  write.Put(sk::MetaKey(sk::kMetaAppliedLsn),
            sk::EncodeU64(batches.back().commit_lsn));
  PITR_RETURN_IF_ERROR(store_->Write(&write));
  for (const BatchToApply& batch : batches) {
    for (const WalRecordView& record : batch.records) {
      if (record.kind == RecordKind::kSpaceTruncate) {
        hot_pages_->InvalidateAll(batch.commit_lsn);
      } else {
        hot_pages_->Invalidate(batch.timeline, record.key, batch.commit_lsn);
      }
    }
  }
  {
    MutexLock l(&mu_);
    truncated_.insert(new_truncations.begin(), new_truncations.end());
    for (const auto& [timeline, lsn] : new_heads) heads_[timeline] = lsn;
    if (!truncated_.empty()) any_truncations_ = true;
  }
  for (const ImageTask& task : long_chains) on_long_chain_(task);
  return absl::OkStatus();
}

}  // namespace pitr
