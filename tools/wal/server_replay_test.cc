// Replay and generate into an in-process pitrd through the gRPC API give
// the same store as the workload applied to an engine directly.
#include "clients/common/client.h"
#include "gtest/gtest.h"
#include "server/server.h"
#include "spdlog/spdlog.h"
#include "tools/wal/engine_target.h"
#include "tools/wal/replayer.h"
#include "tools/wal/server_target.h"
#include "tools/wal/test_util.h"
#include "tools/wal/wal_source.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::waltool {
namespace {

class ServerReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    workload_ = testing::SmallWorkload(21, 30);
    reference_ =
        testing::OpenFreshEngine("server_reference", workload_.page_size);
    EngineTarget target(reference_.get());
    ASSERT_TRUE(Generate(workload_, &target).ok());

    ServerOptions options;
    options.engine.dir = pitr::testing::NewTestDir("server_target");
    options.engine.page_size = workload_.page_size;
    options.engine.gc_period = absl::InfiniteDuration();
    options.listen_address = "127.0.0.1:0";
    options.size_interval = absl::ZeroDuration();
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    clients::ClientOptions client_options;
    client_options.server = absl::StrCat("127.0.0.1:", server_->port());
    auto client = clients::Client::Connect(client_options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
    }
  }

  GenerateOptions workload_;
  std::unique_ptr<Engine> reference_;
  std::unique_ptr<Server> server_;
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
  testing::ExpectSameHistory(*reference_, server_->engine(), workload_,
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
  testing::ExpectSameHistory(*reference_, server_->engine(), workload_, lsns);
}

}  // namespace
}  // namespace pitr::waltool
