#include "tools/wal/wal_dir_target.h"

#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace pitr::waltool {

WalDirTarget::WalDirTarget(std::string dir, std::unique_ptr<Wal> wal,
                           TimelineTree tree)
    : dir_(std::move(dir)), wal_(std::move(wal)), tree_(std::move(tree)) {}

absl::StatusOr<std::unique_ptr<WalDirTarget>> WalDirTarget::Create(
    const std::string& dir, uint32_t page_size) {
  PITR_RETURN_IF_ERROR(RequireEmptyDir(dir, "the generated WAL"));
  WalOptions options;
  options.dir = dir;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal, Wal::Open(options));
  TimelineTree tree;
  tree.set_page_size(page_size);
  return std::unique_ptr<WalDirTarget>(
      new WalDirTarget(dir, std::move(wal), std::move(tree)));
}

absl::StatusOr<TimelineId> WalDirTarget::TimelineOf(
    const std::string& name) const {
  for (const TimelineInfo& t : tree_.timelines()) {
    if (t.name == name) return t.id;
  }
  return absl::NotFoundError(absl::StrCat("no branch \"", name, "\""));
}

absl::StatusOr<Lsn> WalDirTarget::EndLsn() { return wal_->end_lsn(); }

absl::Status WalDirTarget::CreateBranch(const std::string& name,
                                        const std::string& parent, Lsn point) {
  PITR_ASSIGN_OR_RETURN(TimelineId parent_id, TimelineOf(parent));
  if (point > wal_->end_lsn()) {
    return absl::OutOfRangeError(absl::StrCat("branch point ", FormatLsn(point),
                                              " is past the end ",
                                              FormatLsn(wal_->end_lsn())));
  }
  return tree_.Add(
      {TimelineId(tree_.timelines().size() + 1), parent_id, point, name});
}

absl::StatusOr<AppendResult> WalDirTarget::Append(const std::string& branch,
                                                  const CommittedBatch& batch) {
  PITR_ASSIGN_OR_RETURN(TimelineId timeline, TimelineOf(branch));
  WalBatch wal_batch(timeline);
  PITR_RETURN_IF_ERROR(AddCommittedRecords(batch, &wal_batch));
  return wal_->Append(wal_batch);
}

absl::Status WalDirTarget::Close() {
  PITR_RETURN_IF_ERROR(wal_->Close());
  const std::string path = JoinPath(dir_, kTimelineFileName);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << tree_.Serialize();
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace pitr::waltool
