// ServerTarget: a Target that writes to a running pitrd through its API:
// batches with WalService.Append (one call per batch, commit_time set to
// the batch's timestamp, so times are preserved and each batch's commit
// LSN is known), branches with BranchService.CreateBranch at an LSN.
#ifndef PITR_TOOLS_WAL_SERVER_TARGET_H_
#define PITR_TOOLS_WAL_SERVER_TARGET_H_

#include "clients/common/client.h"
#include "tools/wal/target.h"

namespace pitr::waltool {

class ServerTarget : public Target {
 public:
  // Calls through *client (not owned; must outlive this).
  explicit ServerTarget(clients::Client* client) : client_(client) {}

  // The store's latest LSN: the end of the server's log.
  absl::StatusOr<Lsn> EndLsn() override;
  absl::Status CreateBranch(const std::string& name, const std::string& parent,
                            Lsn point) override;
  absl::StatusOr<AppendResult> Append(const std::string& branch,
                                      const CommittedBatch& batch) override;
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  clients::Client* const client_;
};

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_SERVER_TARGET_H_
