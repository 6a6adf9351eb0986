// Golden output of `pitr-wal dump` for a tiny WAL: the worked example of
// docs/wal-format.md section 10 and a second batch on a branch.
#include "tools/wal/record_text.h"

#include "gtest/gtest.h"
#include "spdlog/spdlog.h"
#include "tools/wal/wal_source.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::waltool {
namespace {

class RecordTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    dir_ = pitr::testing::NewTestDir("record_text");
    WalOptions options;
    options.dir = dir_;
    auto wal = Wal::Open(options);
    ASSERT_TRUE(wal.ok());
    WalBatch first(TimelineId(1));
    ASSERT_TRUE(first.PutPageDelta({7, 3}, 16, "abcd").ok());
    first.SetTimestamp(1700000000000000);
    ASSERT_TRUE((*wal)->Append(first).ok());
    WalBatch second(TimelineId(2));
    ASSERT_TRUE(second.PutPageImage({1, 2}, "hello").ok());
    second.PutSpaceTruncate(1, 4);
    second.SetTimestamp(1700000000250000);
    ASSERT_TRUE((*wal)->Append(second).ok());
    ASSERT_TRUE((*wal)->Close().ok());
    ASSERT_TRUE(tree_.Add({TimelineId(2), kMainTimeline, 0x3E, "dev"}).ok());
  }

  std::string DumpAll(bool json) {
    auto source = WalSource::Open({dir_, false});
    EXPECT_TRUE(source.ok()) << source.status();
    std::string out;
    for (const CommittedBatch& batch :
         pitr::testing::ReadAll(&(*source)->wal(), 0)) {
      out += FormatBatch(batch, tree_, json);
    }
    return out;
  }

  std::string dir_;
  TimelineTree tree_;
};

TEST_F(RecordTextTest, Text) {
  EXPECT_EQ(DumpAll(false),
            "0/0 delta timeline=1 branch=main space=7 page=3 offset=16 size=4 "
            "time=2023-11-14T22:13:20.000000Z\n"
            "0/21 commit timeline=1 branch=main records=1 batch_bytes=62 "
            "time=2023-11-14T22:13:20.000000Z\n"
            "0/3E image timeline=2 branch=dev space=1 page=2 size=5 "
            "time=2023-11-14T22:13:20.250000Z\n"
            "0/5C truncate timeline=2 branch=dev space=1 page_count=4 "
            "time=2023-11-14T22:13:20.250000Z\n"
            "0/75 commit timeline=2 branch=dev records=2 batch_bytes=84 "
            "time=2023-11-14T22:13:20.250000Z\n");
}

TEST_F(RecordTextTest, JsonLines) {
  EXPECT_EQ(
      DumpAll(true),
      R"({"lsn":"0/0","type":"delta","timeline":1,"branch":"main","space":7,"page":3,"offset":16,"size":4,"time":"2023-11-14T22:13:20.000000Z"}
{"lsn":"0/21","type":"commit","timeline":1,"branch":"main","records":1,"batch_bytes":62,"time":"2023-11-14T22:13:20.000000Z"}
{"lsn":"0/3E","type":"image","timeline":2,"branch":"dev","space":1,"page":2,"size":5,"time":"2023-11-14T22:13:20.250000Z"}
{"lsn":"0/5C","type":"truncate","timeline":2,"branch":"dev","space":1,"page_count":4,"time":"2023-11-14T22:13:20.250000Z"}
{"lsn":"0/75","type":"commit","timeline":2,"branch":"dev","records":2,"batch_bytes":84,"time":"2023-11-14T22:13:20.250000Z"}
)");
}

TEST_F(RecordTextTest, TimelineWithoutANameHasNoBranchField) {
  TimelineTree main_only;
  auto source = WalSource::Open({dir_, false});
  ASSERT_TRUE(source.ok());
  auto batches = pitr::testing::ReadAll(&(*source)->wal(), 0);
  EXPECT_EQ(FormatBatch(batches[1], main_only, false).substr(0, 30),
            "0/3E image timeline=2 space=1 ");
}

}  // namespace
}  // namespace pitr::waltool
