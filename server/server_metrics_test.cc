// ServerMetrics: the branch size families are empty until a measurement,
// then carry its figures; the background thread measures on its own and
// stops promptly; the archive's figures follow an outage of the store.
#include "server/server_metrics.h"

#include <cstdlib>

#include "base/testing/test_files.h"
#include "remote/open_remote_storage.h"
#include "remote/testing/outage_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kPage = 512;

// The value of the sample `series` (name and labels) in `text`, or -1 if
// there is none. (Values are rendered in the shortest form that reads back
// exactly, so 2560 may be "2.56e+03".)
double Sample(const std::string& text, const std::string& series) {
  const std::string start = "\n" + series + " ";
  const size_t at = text.find(start);
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + start.size(), nullptr);
}

class ServerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.dir = ::pitr::testing::NewTestDir("server_metrics");
    options.page_size = kPage;
    auto engine = Engine::Open(options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }
  void Write(BranchId branch, PageKey key) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE(batch->PutPageImage(key, std::string(kPage, 'x')).ok());
    ASSERT_TRUE(engine_->Append(branch, *batch).ok());
  }

  Metrics registry_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ServerMetricsTest, SizesAppearAfterARefresh) {
  absl::StatusOr<std::unique_ptr<ServerMetrics>> metrics =
      ServerMetrics::Create(&registry_, engine_.get(),
                            absl::InfiniteDuration());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(registry_.RenderText(), Not(HasSubstr("pitr_branch_logical_bytes{")));
  EXPECT_EQ(Sample(registry_.RenderText(),
                   "pitr_branch_sizes_measured_timestamp_seconds"),
            0);

  Write(kMainBranch, {1, 0});
  Write(kMainBranch, {1, 3});  // the space has 4 pages
  absl::StatusOr<Branch> dev = engine_->CreateBranch("dev", kMainBranch, {});
  ASSERT_TRUE(dev.ok());
  Write(dev->id, {2, 0});
  absl::StatusOr<Branch> gone = engine_->CreateBranch("gone", kMainBranch, {});
  ASSERT_TRUE(gone.ok());
  Write(gone->id, {1, 1});
  ASSERT_TRUE(engine_->DeleteBranch(gone->id, false).ok());
  ASSERT_TRUE((*metrics)->RefreshSizes().ok());

  // docs/storage-format.md: an image is a 30-byte key and 1 + 512 bytes of
  // value (543) with a 21-byte change key and 8 bytes (29), a size event a
  // 25-byte key and 4 bytes (29), a timeline's head 9 + 8 bytes (17).
  const std::string text = registry_.RenderText();
  EXPECT_EQ(Sample(text, "pitr_branch_logical_bytes{branch=\"main\"}"),
            4 * kPage);
  EXPECT_EQ(Sample(text, "pitr_branch_logical_bytes{branch=\"dev\"}"),
            5 * kPage);
  EXPECT_EQ(Sample(text, "pitr_branch_physical_bytes{branch=\"main\"}"),
            2 * (543 + 29 + 29) + 17);
  EXPECT_EQ(Sample(text, "pitr_branch_physical_bytes{branch=\"dev\"}"),
            543 + 29 + 29 + 17);
  EXPECT_THAT(text, Not(HasSubstr("branch=\"gone\"")));
  // Its image and head, and no size event: page 1 was inside main's 4
  // pages.
  EXPECT_EQ(Sample(text, "pitr_unowned_physical_bytes"), 543 + 29 + 17);
  EXPECT_NEAR(Sample(text, "pitr_branch_sizes_measured_timestamp_seconds"),
              absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()), 60);
}

TEST_F(ServerMetricsTest, TheThreadMeasuresAndStops) {
  Write(kMainBranch, {1, 0});
  absl::StatusOr<std::unique_ptr<ServerMetrics>> metrics =
      ServerMetrics::Create(&registry_, engine_.get(), absl::Hours(1));
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const std::string series = "pitr_branch_logical_bytes{branch=\"main\"}";
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (Sample(registry_.RenderText(), series) != kPage &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Sample(registry_.RenderText(), series), kPage);
  // Stop does not wait for the hour to pass.
  const absl::Time start = absl::Now();
  (*metrics)->Stop();
  (*metrics)->Stop();  // idempotent
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // The families keep the last measurement.
  EXPECT_EQ(Sample(registry_.RenderText(), series), kPage);
}

TEST(ServerArchiveMetricsTest, LagGrowsDuringAnOutageAndFallsToZeroAfter) {
  absl::StatusOr<std::unique_ptr<remote::RemoteStorage>> storage =
      remote::OpenRemoteStorage(
          "file://" + ::pitr::testing::NewTestDir("server_metrics_bucket"));
  ASSERT_TRUE(storage.ok()) << storage.status();
  remote::testing::OutageStorage outage(storage->get());
  EngineOptions options;
  options.dir = ::pitr::testing::NewTestDir("server_metrics_archive");
  options.page_size = kPage;
  options.remote = &outage;
  options.archive_delay = absl::Milliseconds(20);
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  Metrics registry;
  absl::StatusOr<std::unique_ptr<ServerMetrics>> metrics =
      ServerMetrics::Create(&registry, engine->get(), absl::InfiniteDuration());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(Sample(registry.RenderText(), "pitr_archive_generation"), 1);

  outage.down = true;
  absl::StatusOr<WalBatch> batch = (*engine)->NewBatch(kMainBranch);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(batch->PutPageImage({1, 0}, std::string(kPage, 'x')).ok());
  ASSERT_TRUE((*engine)->Append(kMainBranch, *batch).ok());
  absl::SleepFor(absl::Milliseconds(1100));
  std::string text = registry.RenderText();
  EXPECT_GT(Sample(text, "pitr_archive_lag_bytes"), 0);
  EXPECT_GE(Sample(text, "pitr_archive_lag_seconds"), 1);
  EXPECT_GT(Sample(text, "pitr_archive_upload_failures_total"), 0);
  EXPECT_EQ(Sample(text, "pitr_archive_fenced"), 0);

  outage.down = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (Sample(registry.RenderText(), "pitr_archive_lag_bytes") != 0 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  text = registry.RenderText();
  EXPECT_EQ(Sample(text, "pitr_archive_lag_bytes"), 0);
  EXPECT_EQ(Sample(text, "pitr_archive_lag_seconds"), 0);
  EXPECT_GT(Sample(text, "pitr_archive_objects_uploaded_total"), 0);
  EXPECT_GT(Sample(text, "pitr_archive_bytes_uploaded_total"), 0);
  metrics->reset();
  ASSERT_TRUE((*engine)->Close().ok());
}

}  // namespace
}  // namespace pitr
