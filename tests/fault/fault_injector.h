// FaultInjector: the test's side of fault_shim.so (fault_control.h). It
// makes the shared control file, points pitrd children at the shim, and
// arms, disarms and counts faults while they run.
//
//   auto injector = FaultInjector::Create(dir + "/faults");
//   (*injector)->ExportToChildren();   // once, before any other thread
//   (*injector)->SetDataDir(data_dir);  // before starting pitrd on it
//   FaultSpec spec;
//   spec.error = EIO;
//   spec.scope = fault::kWal;
//   spec.limit = 1;
//   (*injector)->Arm(fault::kSync, spec);  // the next WAL fdatasync fails
//
// Thread-safety: any thread may arm and read counts; ExportToChildren
// changes the process environment and must run before other threads start.
#ifndef PITR_TESTS_FAULT_FAULT_INJECTOR_H_
#define PITR_TESTS_FAULT_FAULT_INJECTOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/fault/fault_control.h"

namespace pitr::fault {

// One rule (see fault_control.h for the meaning of each field).
struct FaultSpec {
  int error = 0;            // errno
  bool short_io = false;    // writes only: write half instead of failing
  int32_t scope = kWal | kPages;
  int64_t skip = 0;
  int64_t limit = -1;             // -1: every seen op after skip
  int32_t probability_ppm = 0;    // 0: always
  std::string path_contains;      // only files whose path contains it
};

// The path of fault_shim.so: in the test's runfiles, or $PITR_FAULT_SHIM.
std::string ShimPath();

class FaultInjector {
 public:
  // Creates (or truncates) the control file at `path` and maps it.
  static absl::StatusOr<std::unique_ptr<FaultInjector>> Create(
      const std::string& path);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;
  ~FaultInjector();

  // Sets LD_PRELOAD (the shim) and PITR_FAULT_CONTROL in this process's
  // environment, so every child exec'd from now on loads the shim.
  absl::Status ExportToChildren() const;
  // The data directory whose wal/ and pages/ the shim watches; takes
  // effect for files opened from now on. Made absolute and canonical.
  absl::Status SetDataDir(const std::string& dir);

  void Arm(Op op, const FaultSpec& spec);
  void Disarm(Op op);
  void DisarmAll();

  // Faults injected by the rule of `op` since it was last armed.
  int64_t injected(Op op) const;
  // Since the control file was made.
  int64_t total_injected(Op op) const;
  int64_t total_short_writes() const;
  // Operations of kind `op` seen on watched files (armed or not).
  int64_t ops(Op op, Scope scope) const;

 private:
  FaultInjector(std::string path, Control* control)
      : path_(std::move(path)), control_(control) {}

  std::string path_;
  Control* control_;
};

}  // namespace pitr::fault

#endif  // PITR_TESTS_FAULT_FAULT_INJECTOR_H_
