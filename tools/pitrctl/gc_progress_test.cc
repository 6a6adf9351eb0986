#include "tools/pitrctl/gc_progress.h"

#include "gtest/gtest.h"

namespace pitr::ctl {
namespace {

TEST(GcProgressLineTest, PhaseVersionsAndTime) {
  v1::GcProgress p;
  p.set_phase(v1::GcProgress::PLAN);
  EXPECT_EQ(GcProgressLine(p, absl::Milliseconds(250)), "GC plan:  0.2s");
  p.set_phase(v1::GcProgress::DELETE);
  p.set_versions_examined(1200);
  EXPECT_EQ(GcProgressLine(p, absl::Seconds(3)),
            "GC delete: 1200 versions examined  3.0s");
  p.set_versions_estimate(3400);
  EXPECT_EQ(GcProgressLine(p, absl::Seconds(12)),
            "GC delete: 1200 of about 3400 versions examined (35%)  12.0s");
}

TEST(GcProgressLineTest, ARoughEstimateStopsAt99Percent) {
  v1::GcProgress p;
  p.set_phase(v1::GcProgress::DELETE);
  p.set_versions_examined(5000);
  p.set_versions_estimate(4000);
  EXPECT_EQ(GcProgressLine(p, absl::Seconds(1)),
            "GC delete: 5000 of about 4000 versions examined (99%)  1.0s");
}

}  // namespace
}  // namespace pitr::ctl
