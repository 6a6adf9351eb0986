#include "engine/maintenance.h"

#include <algorithm>

#include <utility>

#include "base/status_macros.h"
#include "spdlog/spdlog.h"

namespace pitr {

Maintenance::Maintenance(MaintenanceOptions options, PageStore* store, Wal* wal,
                         MaintenanceWork work, Lsn flushed_lsn)
    : options_(options), store_(store), wal_(wal), work_(std::move(work)) {
  stats_.flushed_lsn = flushed_lsn;
}

Maintenance::~Maintenance() { Stop(); }

void Maintenance::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Maintenance::Stop() {
  {
    MutexLock l(&mu_);
    stopping_ = true;
    work_available_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void Maintenance::EnqueueImage(const ImageTask& task) {
  MutexLock l(&mu_);
  if (pending_images_.size() >= options_.max_pending_images) {
    ++stats_.images_dropped;
    return;
  }
  pending_images_.push_back(task);
  work_available_.Signal();
}

absl::Status Maintenance::MaterializePendingImages() {
  while (true) {
    ImageTask task;
    {
      MutexLock l(&mu_);
      while (pending_images_.empty() && images_in_flight_ > 0) {
        images_done_.Wait(&mu_);
      }
      if (pending_images_.empty()) return absl::OkStatus();
      task = pending_images_.front();
      pending_images_.pop_front();
      ++images_in_flight_;
    }
    absl::StatusOr<bool> written = work_.materialize(task);
    {
      MutexLock l(&mu_);
      if (written.ok() && *written) ++stats_.images_materialized;
      if (--images_in_flight_ == 0) images_done_.SignalAll();
    }
    PITR_RETURN_IF_ERROR(written.status());
  }
}

void Maintenance::MarkDirty() {
  MutexLock l(&mu_);
  if (!dirty_since_) dirty_since_ = absl::Now();
}

absl::Status Maintenance::Flush() {
  MutexLock flush(&flush_mu_);
  // Everything applied up to `lsn` is in the memtables now; the flush makes
  // it (and possibly more) durable, so the WAL below `lsn` is not needed.
  const Lsn lsn = work_.latest_lsn();
  {
    MutexLock l(&mu_);
    dirty_since_.reset();
  }
  PITR_RETURN_IF_ERROR(store_->Flush());
  const Lsn trim_to =
      work_.wal_needed_from ? std::min(lsn, work_.wal_needed_from()) : lsn;
  PITR_RETURN_IF_ERROR(wal_->Trim(trim_to));
  MutexLock l(&mu_);
  ++stats_.flushes;
  stats_.flushed_lsn = lsn;
  return absl::OkStatus();
}

void Maintenance::GcRan(absl::Time when) {
  MutexLock l(&mu_);
  last_gc_ = when;
}

MaintenanceStats Maintenance::stats() const {
  MutexLock l(&mu_);
  return stats_;
}

bool Maintenance::FlushDue() const {
  const Lsn latest = work_.latest_lsn();
  MutexLock l(&mu_);
  if (!dirty_since_) return false;
  return absl::Now() - *dirty_since_ >= options_.flush_age ||
         latest - stats_.flushed_lsn >= options_.flush_wal_bytes;
}

bool Maintenance::GcDue() {
  MutexLock l(&mu_);
  if (options_.gc_period == absl::InfiniteDuration()) return false;
  if (!last_gc_) last_gc_ = absl::Now();  // the first run is a period away
  return absl::Now() - *last_gc_ >= options_.gc_period;
}

void Maintenance::Loop() {
  while (true) {
    {
      MutexLock l(&mu_);
      if (pending_images_.empty() && !stopping_) {
        work_available_.WaitWithDeadline(&mu_, absl::Now() + options_.interval);
      }
      if (stopping_) return;
    }
    absl::Status status = work_.run_snapshot_schedules(absl::Now());
    if (status.ok()) status = MaterializePendingImages();
    if (status.ok() && FlushDue()) status = Flush();
    if (status.ok() && GcDue()) status = work_.run_gc();
    if (!status.ok()) {
      spdlog::error("pitr background work: {}", status.ToString());
      MutexLock l(&mu_);
      work_available_.WaitWithDeadline(&mu_, absl::Now() + absl::Seconds(1));
    }
  }
}

}  // namespace pitr
