// Replay and generate into a real pitrd process (tests/e2e/pitrd_process.h)
// through the gRPC API give the same store as the workload applied to an
// engine directly: after the run pitrd is stopped and its data directory
// opened as an engine to compare with.
#include "absl/strings/str_cat.h"
#include "clients/common/client.h"
#include "gtest/gtest.h"
#include "spdlog/spdlog.h"
#include "tests/e2e/pitrd_process.h"
#include "tools/wal/engine_target.h"
#include "tools/wal/replayer.h"
#include "tools/wal/server_target.h"
#include "tools/wal/test_util.h"
#include "tools/wal/wal_source.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::waltool {
namespace {

// The generator's commit times are in 2023 (a synthetic clock): with
// pitrd's default retention of 7 days, reopening the store would put them
// all below the GC horizon. 100 years keeps the whole history readable.
constexpr absl::Duration kRetention = absl::Hours(24 * 365 * 100);

class ServerReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    workload_ = testing::SmallWorkload(21, 30);
    reference_ =
        testing::OpenFreshEngine("server_reference", workload_.page_size);
    EngineTarget target(reference_.get());
    ASSERT_TRUE(Generate(workload_, &target).ok());

    e2e::PitrdOptions options;
    options.data_dir = pitr::testing::NewTestDir("server_target");
    options.flags = {
        absl::StrCat("--page_size=", workload_.page_size),
        absl::StrCat("--default_retention=", absl::FormatDuration(kRetention)),
        "--gc_period=inf", "--size_interval=0"};
    auto pitrd = e2e::PitrdProcess::Start(options);
    ASSERT_TRUE(pitrd.ok()) << pitrd.status();
    pitrd_ = *std::move(pitrd);
    clients::ClientOptions client_options;
    client_options.server = pitrd_->address();
    auto client = clients::Client::Connect(client_options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  // Stops pitrd (cleanly) and opens its store.
  std::unique_ptr<Engine> StopAndOpenStore() {
    client_.reset();
    absl::StatusOr<int> exit_code = pitrd_->Stop();
    EXPECT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(exit_code.value_or(-1), 0);
    EngineOptions options;
    options.dir = pitrd_->data_dir();
    options.page_size = workload_.page_size;
    options.gc_period = absl::InfiniteDuration();
    options.default_retention.window = kRetention;
    auto engine = Engine::Open(options);
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *std::move(engine) : nullptr;
  }

  GenerateOptions workload_;
  std::unique_ptr<Engine> reference_;
  std::unique_ptr<e2e::PitrdProcess> pitrd_;
  std::unique_ptr<clients::Client> client_;
};

TEST_F(ServerReplayTest, ReplayedWalReadsTheSame) {
  std::string dir = testing::GenerateWalDir("server_source", workload_);
  auto source = WalSource::Open({dir, false});
  ASSERT_TRUE(source.ok()) << source.status();
  auto tree = LoadTimelineTree(dir);
  ASSERT_TRUE(tree.ok());
  ServerTarget target(client_.get());
  auto summary = Replay((*source)->wal(), *tree, {}, &target);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->batches, workload_.batches);
  EXPECT_EQ(summary->branches_created, workload_.branches);
  for (const auto& [from, to] : summary->lsn_map) EXPECT_EQ(from, to);
  std::unique_ptr<Engine> store = StopAndOpenStore();
  ASSERT_NE(store, nullptr);
  testing::ExpectSameHistory(*reference_, *store, workload_,
                             testing::CommitLsns(dir));
}

TEST_F(ServerReplayTest, GeneratedWorkloadReadsTheSame) {
  ServerTarget target(client_.get());
  auto summary = Generate(workload_, &target);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->end_lsn, reference_->latest_lsn());
  std::vector<Lsn> lsns;
  for (const CommittedBatch& b :
       pitr::testing::ReadAll(&reference_->wal(), 0)) {
    lsns.push_back(b.commit_lsn);
  }
  std::unique_ptr<Engine> store = StopAndOpenStore();
  ASSERT_NE(store, nullptr);
  testing::ExpectSameHistory(*reference_, *store, workload_, lsns);
}

}  // namespace
}  // namespace pitr::waltool
