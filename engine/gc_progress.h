// GcProgress: what a GC run is doing, told while it runs (the `progress`
// callback of GarbageCollector::Run), and GcProgressReporter, which tells
// it at a bounded rate: at the start of each phase, and while versions are
// examined at most once an interval.
//
// Thread-safety: a reporter belongs to one run (one thread); the callback
// runs on that thread, so a slow callback slows the run.
#ifndef PITR_ENGINE_GC_PROGRESS_H_
#define PITR_ENGINE_GC_PROGRESS_H_

#include <cstdint>
#include <functional>

#include "absl/time/time.h"

namespace pitr {

struct GcProgress {
  enum class Phase {
    kFlush,    // writing the memtables out, so the sizes compare
    kPlan,     // computing floors and horizons
    kDelete,   // walking every version, deleting what no read needs
    kCompact,  // (Run(compact=true)) giving the space back
  };
  Phase phase = Phase::kFlush;
  uint64_t versions_examined = 0;
  // About how many versions the walk examines in all (the page store's
  // estimate of its keys); 0 before the walk.
  uint64_t versions_estimate = 0;
};

// "flush", "plan", "delete", "compact".
const char* GcPhaseName(GcProgress::Phase phase);

using GcProgressFn = std::function<void(const GcProgress&)>;

class GcProgressReporter {
 public:
  // Tells `fn` (null: nobody) the progress, between phases at most once
  // every `interval`.
  GcProgressReporter(GcProgressFn fn, absl::Duration interval);
  GcProgressReporter(const GcProgressReporter&) = delete;
  GcProgressReporter& operator=(const GcProgressReporter&) = delete;

  // Always reported.
  void StartPhase(GcProgress::Phase phase, uint64_t versions_estimate = 0);
  // One more version examined; reported once `interval` has passed since
  // the last report (the clock is read every kClockEvery versions).
  void Examined();

  const GcProgress& progress() const { return progress_; }

  static constexpr uint64_t kClockEvery = 1024;

 private:
  void Report();

  const GcProgressFn fn_;
  const absl::Duration interval_;
  GcProgress progress_;
  absl::Time last_report_ = absl::InfinitePast();
};

}  // namespace pitr

#endif  // PITR_ENGINE_GC_PROGRESS_H_
