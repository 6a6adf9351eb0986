#include "server/convert.h"

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(ConvertTest, RetentionKeepsUnsetFieldsUnset) {
  Retention only_distance{std::nullopt, 4096};
  absl::StatusOr<Retention> back = ToRetention(RetentionProto(only_distance));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, only_distance);
  Retention only_window{absl::Hours(3), std::nullopt};
  back = ToRetention(RetentionProto(only_window));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, only_window);
}

TEST(ConvertTest, GcReportCarriesFlushedAndReclaimedBytes) {
  GcReport report;
  report.versions_examined = 10;
  report.versions_removed = 4;
  report.timelines_removed = 1;
  report.bytes_flushed = 300;
  report.store_bytes_before = 1000;
  report.store_bytes_after = 600;
  report.bytes_reclaimed = 400;
  report.took = absl::Milliseconds(1500);
  v1::GcReport proto = GcReportProto(report);
  EXPECT_EQ(proto.versions_examined(), 10u);
  EXPECT_EQ(proto.versions_removed(), 4u);
  EXPECT_EQ(proto.timelines_removed(), 1u);
  EXPECT_EQ(proto.bytes_flushed(), 300u);
  EXPECT_EQ(proto.store_bytes_before(), 1000u);
  EXPECT_EQ(proto.store_bytes_after(), 600u);
  EXPECT_EQ(proto.bytes_reclaimed(), 400u);
  EXPECT_EQ(proto.duration().seconds(), 1);
  EXPECT_EQ(proto.duration().nanos(), 500000000);
}

TEST(ConvertTest, GcProgressPhases) {
  GcProgress progress;
  progress.versions_examined = 7;
  progress.versions_estimate = 9;
  const std::pair<GcProgress::Phase, v1::GcProgress::Phase> phases[] = {
      {GcProgress::Phase::kFlush, v1::GcProgress::FLUSH},
      {GcProgress::Phase::kPlan, v1::GcProgress::PLAN},
      {GcProgress::Phase::kDelete, v1::GcProgress::DELETE},
      {GcProgress::Phase::kCompact, v1::GcProgress::COMPACT}};
  for (const auto& [phase, expected] : phases) {
    progress.phase = phase;
    v1::GcProgress proto = GcProgressProto(progress);
    EXPECT_EQ(proto.phase(), expected) << GcPhaseName(phase);
    EXPECT_EQ(proto.versions_examined(), 7u);
    EXPECT_EQ(proto.versions_estimate(), 9u);
  }
}

}  // namespace
}  // namespace pitr
