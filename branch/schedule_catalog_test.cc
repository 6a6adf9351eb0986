// ScheduleCatalog alone, over an in-memory CatalogStore: what it refuses,
// and that every change is one commit that a reopened catalog reads back.
#include "branch/schedule_catalog.h"

#include "gtest/gtest.h"

namespace pitr {
namespace {

SnapshotSchedule Hourly(const std::string& name) {
  SnapshotSchedule s;
  s.name = name;
  s.branch = kMainBranchId;
  s.every = absl::Hours(1);
  s.keep_last = 24;
  return s;
}

std::unique_ptr<ScheduleCatalog> OpenOn(CatalogStore* store) {
  absl::StatusOr<std::unique_ptr<ScheduleCatalog>> catalog =
      ScheduleCatalog::Open(store);
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? std::move(*catalog) : nullptr;
}

TEST(ScheduleCatalogTest, RefusesBadSchedulesChangingNothing) {
  MemoryCatalogStore store;
  std::unique_ptr<ScheduleCatalog> schedules = OpenOn(&store);
  SnapshotSchedule bad_name = Hourly("-x");
  SnapshotSchedule too_often = Hourly("fast");
  too_often.every = absl::Milliseconds(500);
  SnapshotSchedule forever = Hourly("forever");
  forever.keep_last.reset();
  for (const SnapshotSchedule& s : {bad_name, too_often, forever}) {
    absl::Status status = schedules->Create(s);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_NE(status.message().find(s.name), std::string::npos) << status;
  }
  EXPECT_NE(schedules->Create(too_often).message().find("at least 1s"),
            std::string::npos);
  EXPECT_TRUE(schedules->List().empty());
  EXPECT_EQ(store.commits(), 0);
}

TEST(ScheduleCatalogTest, ChangesAreDurableOneCommitEach) {
  MemoryCatalogStore store;
  std::unique_ptr<ScheduleCatalog> schedules = OpenOn(&store);
  ASSERT_TRUE(schedules->Create(Hourly("b")).ok());
  ASSERT_TRUE(schedules->Create(Hourly("a")).ok());
  EXPECT_EQ(schedules->Create(Hourly("a")).code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(schedules->MarkRun("b", 1234).ok());
  EXPECT_EQ(schedules->MarkRun("zz", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.commits(), 3);

  std::unique_ptr<ScheduleCatalog> reopened = OpenOn(&store);
  std::vector<SnapshotSchedule> listed = reopened->List();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "a");  // by name
  EXPECT_EQ(listed[0].last_taken_us, 0);
  EXPECT_EQ(listed[1].name, "b");
  EXPECT_EQ(listed[1].last_taken_us, 1234);
  EXPECT_EQ(listed[1].every, absl::Hours(1));
  EXPECT_EQ(listed[1].keep_last, 24u);

  ASSERT_TRUE(reopened->Delete("a").ok());
  EXPECT_EQ(reopened->Delete("a").code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(OpenOn(&store)->List().size(), 1u);
}

TEST(ScheduleCatalogTest, AFailedCommitChangesNothing) {
  MemoryCatalogStore store;
  std::unique_ptr<ScheduleCatalog> schedules = OpenOn(&store);
  ASSERT_TRUE(schedules->Create(Hourly("a")).ok());
  store.FailNextCommit(absl::UnavailableError("disk gone"));
  EXPECT_EQ(schedules->Create(Hourly("b")).code(),
            absl::StatusCode::kUnavailable);
  store.FailNextCommit(absl::UnavailableError("disk gone"));
  EXPECT_FALSE(schedules->MarkRun("a", 99).ok());
  store.FailNextCommit(absl::UnavailableError("disk gone"));
  EXPECT_FALSE(schedules->Delete("a").ok());
  std::vector<SnapshotSchedule> listed = schedules->List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].last_taken_us, 0);
  EXPECT_EQ(OpenOn(&store)->List().size(), 1u);
}

}  // namespace
}  // namespace pitr
