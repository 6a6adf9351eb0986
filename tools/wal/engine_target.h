// EngineTarget: a Target that writes into a page store through Engine
// (the fresh data directory of `pitr-wal replay --to_dir`, and the
// reference store of the tests).
#ifndef PITR_TOOLS_WAL_ENGINE_TARGET_H_
#define PITR_TOOLS_WAL_ENGINE_TARGET_H_

#include <map>
#include <string>

#include "engine/engine.h"
#include "tools/wal/target.h"

namespace pitr::waltool {

class EngineTarget : public Target {
 public:
  // Writes to *engine (not owned; must outlive this). Close does not close
  // the engine.
  explicit EngineTarget(Engine* engine) : engine_(engine) {}

  absl::StatusOr<Lsn> EndLsn() override;
  absl::Status CreateBranch(const std::string& name, const std::string& parent,
                            Lsn point) override;
  absl::StatusOr<AppendResult> Append(const std::string& branch,
                                      const CommittedBatch& batch) override;
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  absl::StatusOr<BranchId> IdOf(const std::string& name);

  Engine* const engine_;
  std::map<std::string, BranchId> ids_;
};

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_ENGINE_TARGET_H_
