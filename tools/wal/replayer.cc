#include "tools/wal/replayer.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace pitr::waltool {
namespace {

class Replayer {
 public:
  Replayer(const TimelineTree& tree, Target* target, ReplaySummary* summary)
      : tree_(tree), target_(target), summary_(summary) {
    created_.insert(kMainTimeline);
  }

  // Creates the branches of every timeline whose point is at or before
  // `position` (a source batch boundary the replay has reached).
  absl::Status CreateBranchesUpTo(Lsn position) {
    for (const TimelineInfo& t : tree_.timelines()) {
      if (created_.count(t.id) || t.branch_point > position ||
          !created_.count(t.parent)) {
        continue;
      }
      PITR_RETURN_IF_ERROR(target_->CreateBranch(
          t.name, tree_.Find(t.parent)->name, MapLsn(t.branch_point)));
      created_.insert(t.id);
      ++summary_->branches_created;
    }
    return absl::OkStatus();
  }

  absl::Status Apply(const CommittedBatch& batch) {
    PITR_RETURN_IF_ERROR(CreateBranchesUpTo(batch.start_lsn));
    const TimelineInfo* t = tree_.Find(batch.timeline);
    if (t == nullptr || !created_.count(t->id)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the batch at lsn ", FormatLsn(batch.start_lsn), " writes timeline ",
          batch.timeline.value(), ", which ",
          t == nullptr ? "the timeline tree does not know (no "
                       : "has a branch point after the batch (check ",
          kTimelineFileName, " in the WAL directory)"));
    }
    PITR_ASSIGN_OR_RETURN(AppendResult r, target_->Append(t->name, batch));
    summary_->lsn_map[batch.commit_lsn] = r.commit_lsn;
    ++summary_->batches;
    summary_->records += batch.records.size();
    summary_->source_end = batch.commit_lsn;
    return absl::OkStatus();
  }

 private:
  Lsn MapLsn(Lsn source) const {
    auto it = summary_->lsn_map.upper_bound(source);
    return it == summary_->lsn_map.begin() ? summary_->lsn_map.begin()->second
                                           : std::prev(it)->second;
  }

  const TimelineTree& tree_;
  Target* const target_;
  ReplaySummary* const summary_;
  std::set<TimelineId> created_;
};

}  // namespace

absl::StatusOr<ReplaySummary> Replay(Wal& source, const TimelineTree& tree,
                                     const ReplayOptions& options,
                                     Target* target) {
  ReplaySummary summary;
  summary.source_start = options.from.value_or(source.oldest_lsn());
  summary.source_end = summary.source_start;
  PITR_ASSIGN_OR_RETURN(Lsn target_start, target->EndLsn());
  summary.lsn_map[summary.source_start] = target_start;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader,
                        source.NewReader(summary.source_start));
  Replayer replayer(tree, target, &summary);
  CommittedBatch batch;
  while (true) {
    PITR_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more || (options.until && batch.commit_lsn > *options.until)) break;
    PITR_RETURN_IF_ERROR(replayer.Apply(batch));
    if (options.progress) options.progress(batch.commit_lsn);
  }
  PITR_RETURN_IF_ERROR(replayer.CreateBranchesUpTo(summary.source_end));
  return summary;
}

}  // namespace pitr::waltool
