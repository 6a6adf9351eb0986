// Generations (fencing) against both backends: who may claim the next one,
// what is refused and why, and that two pitrds claiming at once cannot both
// win.
#include "remote/generation.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "base/testing/test_files.h"
#include "remote/testing/test_storage.h"

namespace pitr::remote {
namespace {

using testing::Backend;
using ::testing::HasSubstr;

// A data directory's record of its last claim, in memory.
struct Directory {
  std::optional<LocalClaim> last;
  absl::Status record_status;  // what recording answers

  absl::StatusOr<Generation> Claim(RemoteStorage* storage, Lsn start_lsn = 0,
                                   const std::string& holder = NewHolder()) {
    return ClaimGeneration(storage, last, start_lsn, holder,
                           [this](const LocalClaim& claim) {
                             if (record_status.ok()) last = claim;
                             return record_status;
                           });
  }
};

class GenerationTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_ = testing::OpenTestStorage(GetParam(), "generation");
    ASSERT_NE(storage_, nullptr);
  }
  void TearDown() override {
    if (storage_ != nullptr) testing::DeleteAllObjects(storage_.get());
  }

  std::unique_ptr<RemoteStorage> storage_;
};

TEST_P(GenerationTest, EachStartClaimsTheNextAndTheBucketRemembersThem) {
  Directory dir;
  absl::StatusOr<Generation> first = dir.Claim(storage_.get(), 0, "host-a:1:x");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->number, 1u);
  EXPECT_EQ(dir.last->number, 1u);
  absl::StatusOr<Generation> second =
      dir.Claim(storage_.get(), 4242, "host-a:2:y");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->number, 2u);

  absl::StatusOr<std::vector<Generation>> listed =
      ListGenerations(storage_.get());
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].number, 1u);
  EXPECT_EQ((*listed)[1].number, 2u);
  EXPECT_EQ((*listed)[1].start_lsn, 4242u);
  EXPECT_EQ((*listed)[1].holder, "host-a:2:y");
  EXPECT_EQ((*listed)[1].created_us, second->created_us);
  EXPECT_TRUE(CheckStillNewest(storage_.get(), 2).ok());
}

TEST_P(GenerationTest, AClaimRecordedButNotMadeIsMadeAtTheNextStart) {
  Directory dir;
  ASSERT_TRUE(dir.Claim(storage_.get()).ok());
  // Recorded, then the process died before the put: the bucket still says 1.
  dir.last = LocalClaim{2, "host:9:z"};
  absl::StatusOr<Generation> again = dir.Claim(storage_.get());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->number, 2u);
  // A claim that cannot be recorded is not made.
  dir.record_status = absl::UnavailableError("disk full");
  EXPECT_EQ(dir.Claim(storage_.get()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ListGenerations(storage_.get())->size(), 2u);
}

TEST_P(GenerationTest, AStoreThatNeverWroteThereIsRefused) {
  Directory owner;
  ASSERT_TRUE(owner.Claim(storage_.get(), 0, "owner:7:a").ok());
  Directory stranger;
  absl::StatusOr<Generation> refused = stranger.Claim(storage_.get());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("owner:7:a"));
  EXPECT_THAT(refused.status().message(), HasSubstr("prefix of its own"));
  EXPECT_FALSE(stranger.last.has_value());
  EXPECT_EQ(ListGenerations(storage_.get())->size(), 1u);
}

TEST_P(GenerationTest, AReplacedStoreIsFencedAndRefused) {
  Directory old;
  ASSERT_TRUE(old.Claim(storage_.get(), 0, "old:1:a").ok());
  // A copy of the directory (same record) started elsewhere first.
  Directory copy = old;
  ASSERT_TRUE(copy.Claim(storage_.get()).ok());
  absl::StatusOr<Generation> back = old.Claim(storage_.get());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(back.status().message(), HasSubstr("was replaced"));

  absl::StatusOr<Generation> taken =
      TakeOverGeneration(storage_.get(), 100, "restored:2:b");
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->number, 3u);
  absl::Status fenced = CheckStillNewest(storage_.get(), 2);
  EXPECT_EQ(fenced.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(fenced.message(), HasSubstr("replaced by generation 3"));
  EXPECT_THAT(fenced.message(), HasSubstr("restored:2:b"));
  EXPECT_FALSE(copy.Claim(storage_.get()).ok());
  // A directory claiming a newer generation than the bucket has: another
  // bucket, or lost objects.
  Directory ahead{LocalClaim{9, "lost:1:c"}, absl::OkStatus()};
  absl::StatusOr<Generation> refused = ahead.Claim(storage_.get());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("newest there is 3"));
  EXPECT_EQ(ListGenerations(storage_.get())->size(), 3u);
}

TEST_P(GenerationTest, TwoStartsAtOnceCannotBothWin) {
  Directory dir;
  ASSERT_TRUE(dir.Claim(storage_.get()).ok());
  constexpr int kRacers = 4;
  std::vector<Directory> copies(kRacers, dir);
  std::atomic<int> won{0}, refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      absl::StatusOr<Generation> g = copies[i].Claim(storage_.get());
      if (g.ok()) {
        ++won;
      } else if (absl::IsFailedPrecondition(g.status())) {
        ++refused;
      } else {
        ADD_FAILURE() << g.status();
      }
    });
  }
  for (std::thread& t : racers) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kRacers - 1);
  EXPECT_EQ(ListGenerations(storage_.get())->size(), 2u);
}

TEST_P(GenerationTest, AMalformedGenerationObjectIsDataLoss) {
  ASSERT_TRUE(
      storage_->Put("generations/00000000000000000001", "not a generation")
          .ok());
  absl::StatusOr<std::vector<Generation>> listed =
      ListGenerations(storage_.get());
  EXPECT_EQ(listed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(listed.status().message(),
              HasSubstr("generations/00000000000000000001"));
}

TEST(LocalClaimTest, ADirectoryRemembersItsLastClaimDurably) {
  const std::string dir = pitr::testing::NewTestDir("local_claim");
  absl::StatusOr<std::optional<LocalClaim>> none = ReadLocalClaim(dir);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(WriteLocalClaim(dir, {7, "db1:42:00ff"}).ok());
  absl::StatusOr<std::optional<LocalClaim>> read = ReadLocalClaim(dir);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->number, 7u);
  EXPECT_EQ((*read)->holder, "db1:42:00ff");
  EXPECT_EQ(pitr::testing::ReadFileBytes(dir + "/remote_generation"),
            "7 db1:42:00ff\n");
  pitr::testing::WriteFileBytes(dir + "/remote_generation", "seven\n");
  absl::StatusOr<std::optional<LocalClaim>> bad = ReadLocalClaim(dir);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(bad.status().message(), HasSubstr("remote_generation"));
}

INSTANTIATE_TEST_SUITE_P(Backends, GenerationTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace pitr::remote
