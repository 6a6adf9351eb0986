#include "server/metrics.h"

#include <cmath>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(MetricsTest, RendersGoldenText) {
  Registry registry;
  absl::StatusOr<Counter*> get_page = registry.AddCounter(
      "pitr_rpcs_total", "RPCs served.",
      {{"method", "GetPage"}, {"code", "OK"}});
  ASSERT_TRUE(get_page.ok()) << get_page.status();
  (*get_page)->Increment(3);
  ASSERT_TRUE(registry
                  .AddCounter("pitr_rpcs_total", "RPCs served.",
                              {{"code", "NOT_FOUND"}, {"method", "GetPage"}})
                  .ok());
  absl::StatusOr<Gauge*> inflight =
      registry.AddGauge("pitr_inflight_rpcs", "RPCs in progress.");
  ASSERT_TRUE(inflight.ok());
  (*inflight)->Set(2);
  (*inflight)->Add(0.5);
  ASSERT_TRUE(registry
                  .AddCallback("pitr_wal_end_lsn", "Last LSN written.",
                               Registry::CallbackType::kCounter,
                               [] { return 1234.0; })
                  .ok());
  ASSERT_TRUE(registry
                  .AddFamilyCallback(
                      "pitr_branch_logical_bytes", "Logical size.",
                      Registry::CallbackType::kGauge, "branch",
                      [] {
                        return Registry::LabeledValues{{"main", 8192},
                                                       {"dev", 1e21}};
                      })
                  .ok());
  absl::StatusOr<Histogram*> latency =
      registry.AddHistogram("pitr_rpc_seconds", "RPC latency.", {0.005, 0.1},
                            {{"method", "GetPage"}});
  ASSERT_TRUE(latency.ok());
  (*latency)->Observe(0.001);
  (*latency)->Observe(0.005);
  (*latency)->Observe(7);

  EXPECT_EQ(registry.Render(),
            "# HELP pitr_branch_logical_bytes Logical size.\n"
            "# TYPE pitr_branch_logical_bytes gauge\n"
            "pitr_branch_logical_bytes{branch=\"main\"} 8192\n"
            "pitr_branch_logical_bytes{branch=\"dev\"} 1e+21\n"
            "# HELP pitr_inflight_rpcs RPCs in progress.\n"
            "# TYPE pitr_inflight_rpcs gauge\n"
            "pitr_inflight_rpcs 2.5\n"
            "# HELP pitr_rpc_seconds RPC latency.\n"
            "# TYPE pitr_rpc_seconds histogram\n"
            "pitr_rpc_seconds_bucket{method=\"GetPage\",le=\"0.005\"} 2\n"
            "pitr_rpc_seconds_bucket{method=\"GetPage\",le=\"0.1\"} 2\n"
            "pitr_rpc_seconds_bucket{method=\"GetPage\",le=\"+Inf\"} 3\n"
            "pitr_rpc_seconds_sum{method=\"GetPage\"} 7.006\n"
            "pitr_rpc_seconds_count{method=\"GetPage\"} 3\n"
            "# HELP pitr_rpcs_total RPCs served.\n"
            "# TYPE pitr_rpcs_total counter\n"
            "pitr_rpcs_total{code=\"NOT_FOUND\",method=\"GetPage\"} 0\n"
            "pitr_rpcs_total{code=\"OK\",method=\"GetPage\"} 3\n"
            "# HELP pitr_wal_end_lsn Last LSN written.\n"
            "# TYPE pitr_wal_end_lsn counter\n"
            "pitr_wal_end_lsn 1234\n");
}

TEST(MetricsTest, SameNameAndLabelsGiveTheSameMetric) {
  Registry registry;
  absl::StatusOr<Counter*> a = registry.AddCounter("c", "h", {{"x", "1"}});
  absl::StatusOr<Counter*> b = registry.AddCounter("c", "h", {{"x", "1"}});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Histogram histogram({1, 2, 4});
  for (double v : {0.5, 1.0, 1.5, 3.0, 3.5, 100.0}) histogram.Observe(v);
  EXPECT_EQ(histogram.CumulativeCounts(),
            (std::vector<uint64_t>{2, 3, 5, 6}));
  EXPECT_DOUBLE_EQ(histogram.Sum(), 109.5);
}

TEST(MetricsTest, NanIsCountedInInf) {
  Histogram histogram({1});
  histogram.Observe(std::nan(""));
  EXPECT_EQ(histogram.CumulativeCounts(), (std::vector<uint64_t>{0, 1}));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  ASSERT_TRUE(registry
                  .AddGauge("g", "back\\slash\nnew \"line\"",
                            {{"path", "C:\\dir\n\"x\""}})
                  .ok());
  EXPECT_EQ(registry.Render(),
            "# HELP g back\\\\slash\\nnew \"line\"\n"
            "# TYPE g gauge\n"
            "g{path=\"C:\\\\dir\\n\\\"x\\\"\"} 0\n");
}

TEST(MetricsTest, FormatsSpecialValues) {
  Registry registry;
  ASSERT_TRUE(registry
                  .AddFamilyCallback("g", "h", Registry::CallbackType::kGauge,
                                     "v",
                                     [] {
                                       return Registry::LabeledValues{
                                           {"inf", HUGE_VAL},
                                           {"ninf", -HUGE_VAL},
                                           {"nan", std::nan("")},
                                           {"tenth", 0.1},
                                           {"bytes", 908066816},
                                           {"huge", 1e300}};
                                     })
                  .ok());
  EXPECT_EQ(registry.Render(),
            "# HELP g h\n# TYPE g gauge\n"
            "g{v=\"inf\"} +Inf\ng{v=\"ninf\"} -Inf\ng{v=\"nan\"} NaN\n"
            "g{v=\"tenth\"} 0.1\ng{v=\"bytes\"} 908066816\n"
            "g{v=\"huge\"} 1e+300\n");
}

TEST(MetricsTest, RejectsBadNames) {
  Registry registry;
  EXPECT_EQ(registry.AddCounter("1abc", "h").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("a-b", "h").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("a", "h", {{"__x", "1"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("a", "h", {{"x", "1"}, {"x", "2"}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      registry.AddHistogram("h", "h", {1}, {{"le", "1"}}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(MetricsTest, RejectsBadBounds) {
  Registry registry;
  EXPECT_EQ(registry.AddHistogram("h", "h", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddHistogram("h", "h", {2, 1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddHistogram("h", "h", {1, HUGE_VAL}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(registry.AddHistogram("h", "h", {1, 2}).ok());
  EXPECT_EQ(
      registry.AddHistogram("h", "h", {1, 3}, {{"x", "y"}}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(MetricsTest, RejectsAFamilyThatDoesNotFit) {
  Registry registry;
  ASSERT_TRUE(registry.AddCounter("m", "help", {{"a", "1"}}).ok());
  EXPECT_EQ(registry.AddGauge("m", "help", {{"a", "2"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("m", "other", {{"a", "2"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddCounter("m", "help", {{"b", "2"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry
                .AddCallback("m", "help", Registry::CallbackType::kCounter,
                             [] { return 1.0; }, {{"a", "1"}})
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(registry
                .AddFamilyCallback("m", "help",
                                   Registry::CallbackType::kCounter, "a",
                                   [] { return Registry::LabeledValues{}; })
                .code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(MetricsTest, ConcurrentUpdatesAndScrapes) {
  Registry registry;
  Counter* counter = *registry.AddCounter("c", "h");
  Gauge* gauge = *registry.AddGauge("g", "h");
  Histogram* histogram = *registry.AddHistogram("l", "h", {0.5});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        counter->Increment();
        gauge->Add(1);
        histogram->Observe(i % 2);
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(registry.Render().empty());
  });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter->Value(), uint64_t{kThreads * kPerThread});
  EXPECT_EQ(gauge->Value(), kThreads * kPerThread);
  EXPECT_EQ(histogram->CumulativeCounts(),
            (std::vector<uint64_t>{kThreads * kPerThread / 2,
                                   kThreads * kPerThread}));
  EXPECT_EQ(histogram->Sum(), kThreads * kPerThread / 2);
}

}  // namespace
}  // namespace pitr
