#include "engine/replication_source.h"

#include <utility>

#include "base/status_macros.h"

namespace pitr {

absl::StatusOr<std::unique_ptr<ReplicationSource>> ReplicationSource::Start(
    Engine* engine, Lsn from) {
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader,
                        engine->wal().NewReader(from));
  auto source = std::unique_ptr<ReplicationSource>(
      new ReplicationSource(engine, std::move(reader)));
  PITR_RETURN_IF_ERROR(source->Refresh());
  // Of the changes at or before `from`, the replica needs only the last.
  std::optional<remote::CatalogImage> last_before;
  while (!source->pending_.empty() && source->pending_.front().lsn <= from) {
    last_before = std::move(source->pending_.front());
    source->pending_.pop_front();
  }
  if (last_before) {
    source->pending_.push_front(std::move(*last_before));
    source->send_at_once_ = true;
  }
  return source;
}

absl::Status ReplicationSource::Refresh() {
  if (engine_->catalog_changes() == changes_seen_) return absl::OkStatus();
  PITR_ASSIGN_OR_RETURN(CatalogChanges changes,
                        engine_->CatalogChangesSince(changes_seen_));
  if (!changes.complete) {
    pending_.clear();
    send_at_once_ = true;
  }
  for (remote::CatalogImage& image : changes.images) {
    pending_.push_back(std::move(image));
  }
  changes_seen_ = changes.through;
  return absl::OkStatus();
}

absl::StatusOr<bool> ReplicationSource::Next(ReplicationEvent* event) {
  if (!holds_batch_) {
    PITR_ASSIGN_OR_RETURN(holds_batch_, reader_->Next(&held_));
    held_starts_segment_ =
        holds_batch_ && held_.start_lsn == reader_->segment_start();
    // A change at or before a batch's start was made before the batch was
    // committed, so it is there now that the batch could be read.
    PITR_RETURN_IF_ERROR(Refresh());
  }
  // Changes go before the first batch after them; at the end of the log,
  // those up to its end.
  const Lsn before = holds_batch_ ? held_.start_lsn : reader_->position();
  if (!pending_.empty() && (send_at_once_ || pending_.front().lsn <= before)) {
    event->kind = ReplicationEvent::Kind::kCatalog;
    event->catalog = std::move(pending_.front());
    pending_.pop_front();
    send_at_once_ = false;
    return true;
  }
  if (!holds_batch_) return false;
  holds_batch_ = false;
  event->kind = ReplicationEvent::Kind::kBatch;
  std::swap(event->batch, held_);
  event->starts_segment = held_starts_segment_;
  return true;
}

absl::Status ReplicationSource::WaitForMore(absl::Time deadline) {
  return reader_->WaitForMore(deadline);
}

}  // namespace pitr
