#include "engine/gc_progress.h"

#include <vector>

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(GcProgressReporterTest, EveryPhaseIsToldAndTheWalkAtMostOnceAnInterval) {
  std::vector<GcProgress> seen;
  GcProgressReporter reporter(
      [&seen](const GcProgress& p) { seen.push_back(p); }, absl::Hours(1));
  reporter.StartPhase(GcProgress::Phase::kPlan);
  reporter.StartPhase(GcProgress::Phase::kDelete, 5000);
  for (int i = 0; i < 5000; ++i) reporter.Examined();
  // An hour has not passed: only the phases.
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].phase, GcProgress::Phase::kDelete);
  EXPECT_EQ(seen[1].versions_estimate, 5000u);
  EXPECT_EQ(reporter.progress().versions_examined, 5000u);
  reporter.StartPhase(GcProgress::Phase::kCompact);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].versions_examined, 5000u);
  EXPECT_EQ(seen[2].versions_estimate, 5000u) << "kept";
  EXPECT_STREQ(GcPhaseName(seen[2].phase), "compact");
}

TEST(GcProgressReporterTest, WithoutAnIntervalTheWalkIsToldEveryClockRead) {
  std::vector<uint64_t> examined;
  GcProgressReporter reporter(
      [&](const GcProgress& p) { examined.push_back(p.versions_examined); },
      absl::ZeroDuration());
  for (uint64_t i = 0; i < 3 * GcProgressReporter::kClockEvery + 5; ++i) {
    reporter.Examined();
  }
  const uint64_t every = GcProgressReporter::kClockEvery;
  EXPECT_EQ(examined, (std::vector<uint64_t>{every, 2 * every, 3 * every}));
}

TEST(GcProgressReporterTest, NoCallbackReportsNothing) {
  GcProgressReporter reporter(nullptr, absl::ZeroDuration());
  reporter.StartPhase(GcProgress::Phase::kFlush);
  for (uint64_t i = 0; i < 2 * GcProgressReporter::kClockEvery; ++i) {
    reporter.Examined();
  }
  EXPECT_EQ(reporter.progress().versions_examined,
            2 * GcProgressReporter::kClockEvery);
}

}  // namespace
}  // namespace pitr
