#include "engine/gc_progress.h"

#include <utility>

#include "absl/time/clock.h"

namespace pitr {

const char* GcPhaseName(GcProgress::Phase phase) {
  switch (phase) {
    case GcProgress::Phase::kFlush:
      return "flush";
    case GcProgress::Phase::kPlan:
      return "plan";
    case GcProgress::Phase::kDelete:
      return "delete";
    case GcProgress::Phase::kCompact:
      return "compact";
  }
  return "?";
}

GcProgressReporter::GcProgressReporter(GcProgressFn fn, absl::Duration interval)
    : fn_(std::move(fn)), interval_(interval) {}

void GcProgressReporter::StartPhase(GcProgress::Phase phase,
                                    uint64_t versions_estimate) {
  progress_.phase = phase;
  if (versions_estimate > 0) progress_.versions_estimate = versions_estimate;
  Report();
}

void GcProgressReporter::Examined() {
  ++progress_.versions_examined;
  if (fn_ == nullptr || progress_.versions_examined % kClockEvery != 0) return;
  if (absl::Now() - last_report_ >= interval_) Report();
}

void GcProgressReporter::Report() {
  if (fn_ == nullptr) return;
  last_report_ = absl::Now();
  fn_(progress_);
}

}  // namespace pitr
