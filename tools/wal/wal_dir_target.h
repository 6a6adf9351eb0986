// WalDirTarget: a Target that writes a bare WAL directory with the wal
// library (what `pitr-wal generate --out_dir` makes), plus its
// timelines.txt (timeline_tree.h). Branch i (in creation order, main
// being 1) writes timeline i, and the tree records its parent and point,
// so the directory replays like a store's WAL.
#ifndef PITR_TOOLS_WAL_WAL_DIR_TARGET_H_
#define PITR_TOOLS_WAL_WAL_DIR_TARGET_H_

#include <memory>
#include <string>

#include "tools/wal/target.h"
#include "tools/wal/timeline_tree.h"

namespace pitr::waltool {

class WalDirTarget : public Target {
 public:
  // Creates the log in `dir`, which must not hold one yet
  // (ALREADY_EXISTS). page_size goes into timelines.txt.
  static absl::StatusOr<std::unique_ptr<WalDirTarget>> Create(
      const std::string& dir, uint32_t page_size);

  absl::StatusOr<Lsn> EndLsn() override;
  absl::Status CreateBranch(const std::string& name, const std::string& parent,
                            Lsn point) override;
  absl::StatusOr<AppendResult> Append(const std::string& branch,
                                      const CommittedBatch& batch) override;
  // Closes the log and writes timelines.txt.
  absl::Status Close() override;

 private:
  WalDirTarget(std::string dir, std::unique_ptr<Wal> wal, TimelineTree tree);
  absl::StatusOr<TimelineId> TimelineOf(const std::string& name) const;

  const std::string dir_;
  std::unique_ptr<Wal> wal_;
  TimelineTree tree_;
};

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_WAL_DIR_TARGET_H_
