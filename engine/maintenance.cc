// The engine's background work: materialising images where delta chains
// grew long, and flushing the in-memory layer when it is old or the WAL
// behind it is large, then trimming the WAL.
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace sk = store_keys;

void Engine::EnqueueImage(const ImageTask& task) {
  MutexLock l(&mu_);
  if (pending_images_.size() >= options_.max_pending_images) {
    ++stats_.images_dropped;
    return;
  }
  pending_images_.push_back(task);
  work_available_.Signal();
}

absl::Status Engine::MaterializeImage(const ImageTask& task) {
  {
    // GC may already have removed versions this image would be built from;
    // no read needs an image there any more.
    if (history_.MayBeCollected(task.timeline, task.at.commit_lsn)) {
      return absl::OkStatus();
    }
  }
  PITR_ASSIGN_OR_RETURN(
      std::vector<ReadStep> path,
      catalog_->TimelinePath(task.timeline, task.at.commit_lsn));
  PITR_ASSIGN_OR_RETURN(std::vector<PageStore::Step> steps,
                        ReadSteps(task.key, path, task.at));
  PITR_ASSIGN_OR_RETURN(PageRead read,
                        store_->ReadPage(task.key, steps, page_size_));
  if (!read.page) return absl::OkStatus();
  rocksdb::WriteBatch write;
  write.Put(sk::VersionKey(task.timeline, task.key, task.at,
                           sk::VersionKeyKind::kMaterialized),
            sk::ImageValue(*read.page));
  PITR_RETURN_IF_ERROR(store_->Write(&write));
  MutexLock l(&mu_);
  ++stats_.images_materialized;
  return absl::OkStatus();
}

absl::Status Engine::MaterializePendingImages() {
  while (true) {
    ImageTask task;
    {
      MutexLock l(&mu_);
      if (pending_images_.empty()) return absl::OkStatus();
      task = pending_images_.front();
      pending_images_.pop_front();
    }
    PITR_RETURN_IF_ERROR(MaterializeImage(task));
  }
}

bool Engine::FlushDue() const {
  MutexLock l(&mu_);
  if (!dirty_since_) return false;
  return absl::Now() - *dirty_since_ >= options_.flush_age ||
         latest_lsn() - stats_.flushed_lsn >= options_.flush_wal_bytes;
}

bool Engine::GcDue() {
  MutexLock l(&mu_);
  if (options_.gc_period == absl::InfiniteDuration()) return false;
  if (!last_gc_) last_gc_ = absl::Now();  // the first run is a period away
  return absl::Now() - *last_gc_ >= options_.gc_period;
}

absl::Status Engine::Flush() {
  MutexLock flush(&flush_mu_);
  // Everything applied up to `lsn` is in the memtables now; the flush makes
  // it (and possibly more) durable, so the WAL below `lsn` is not needed.
  const Lsn lsn = latest_lsn();
  {
    MutexLock l(&mu_);
    dirty_since_.reset();
  }
  PITR_RETURN_IF_ERROR(store_->Flush());
  PITR_RETURN_IF_ERROR(wal_->Trim(lsn));
  MutexLock l(&mu_);
  ++stats_.flushes;
  stats_.flushed_lsn = lsn;
  return absl::OkStatus();
}

void Engine::MaintenanceLoop() {
  while (true) {
    {
      MutexLock l(&mu_);
      if (pending_images_.empty() && !stopping_) {
        work_available_.WaitWithDeadline(
            &mu_, absl::Now() + options_.maintenance_interval);
      }
      if (stopping_) return;
    }
    absl::Status status = RunSnapshotSchedules(absl::Now()).status();
    if (status.ok()) status = MaterializePendingImages();
    if (status.ok() && FlushDue()) status = Flush();
    if (status.ok() && GcDue()) status = RunGc().status();
    if (!status.ok()) {
      spdlog::error("pitr background work: {}", status.ToString());
      MutexLock l(&mu_);
      work_available_.WaitWithDeadline(&mu_, absl::Now() + absl::Seconds(1));
    }
  }
}

}  // namespace pitr
