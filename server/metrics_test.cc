#include "server/metrics.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace pitr {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, FiguresAreReadAtEachRender) {
  Metrics metrics;
  std::atomic<int> value{7};
  ASSERT_TRUE(metrics
                  .AddFigure("pitr_things", "Things now.",
                             prometheus::MetricType::Gauge,
                             [&value] { return value.load(); })
                  .ok());
  ASSERT_TRUE(metrics
                  .AddFigure("pitr_events_total", "Events so far.",
                             prometheus::MetricType::Counter, [] { return 3; })
                  .ok());
  std::string text = metrics.RenderText();
  EXPECT_THAT(text, HasSubstr("# HELP pitr_things Things now.\n"
                              "# TYPE pitr_things gauge\npitr_things 7\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE pitr_events_total counter\n"
                              "pitr_events_total 3\n"));
  value = 9;
  EXPECT_THAT(metrics.RenderText(), HasSubstr("\npitr_things 9\n"));
}

TEST(MetricsTest, FamilyFiguresLabelEachSample) {
  Metrics metrics;
  ASSERT_TRUE(
      metrics
          .AddFamilyFigure(
              "pitr_branch_bytes", "Bytes per branch.",
              prometheus::MetricType::Gauge, "branch",
              [] {
                return Metrics::LabeledValues{{"main", 10}, {"dev \"x\"", 20}};
              })
          .ok());
  const std::string text = metrics.RenderText();
  EXPECT_THAT(text, HasSubstr("pitr_branch_bytes{branch=\"main\"} 10\n"));
  // Label values are escaped.
  EXPECT_THAT(text,
              HasSubstr("pitr_branch_bytes{branch=\"dev \\\"x\\\"\"} 20\n"));
}

TEST(MetricsTest, RegistryMetricsRenderWithFiguresSortedByName) {
  Metrics metrics;
  auto& calls = prometheus::BuildCounter()
                    .Name("pitr_b_total")
                    .Help("B.")
                    .Register(metrics.registry());
  calls.Add({{"method", "GetPage"}}).Increment(2);
  auto& latency = prometheus::BuildHistogram()
                      .Name("pitr_c_seconds")
                      .Help("C.")
                      .Register(metrics.registry());
  latency.Add({}, LatencyBuckets()).Observe(0.003);
  ASSERT_TRUE(metrics
                  .AddFigure("pitr_a", "A.", prometheus::MetricType::Gauge,
                             [] { return 1; })
                  .ok());
  const std::string text = metrics.RenderText();
  EXPECT_THAT(text, HasSubstr("pitr_b_total{method=\"GetPage\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("pitr_c_seconds_bucket{le=\"0.0025\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("pitr_c_seconds_bucket{le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pitr_c_seconds_count 1\n"));
  const size_t a = text.find("# HELP pitr_a ");
  const size_t b = text.find("# HELP pitr_b_total ");
  const size_t c = text.find("# HELP pitr_c_seconds ");
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST(MetricsTest, BadNamesAndDuplicatesAreRefused) {
  Metrics metrics;
  auto one = [] { return 1.0; };
  EXPECT_EQ(metrics.AddFigure("9lives", "x", prometheus::MetricType::Gauge, one)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      metrics.AddFigure("pitr_x", "x", prometheus::MetricType::Histogram, one)
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      metrics
          .AddFamilyFigure("pitr_y", "y", prometheus::MetricType::Gauge,
                           "bad-label", [] { return Metrics::LabeledValues{}; })
          .code(),
      absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      metrics.AddFigure("pitr_z", "z", prometheus::MetricType::Gauge, one)
          .ok());
  EXPECT_EQ(metrics.AddFigure("pitr_z", "z", prometheus::MetricType::Gauge, one)
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(metrics.RenderText(), Not(HasSubstr("9lives")));
}

}  // namespace
}  // namespace pitr
