// Bad input through the real server: every call, each kind of invalid
// argument, the gRPC code it must get, words its message must contain, and
// the store exactly as it was afterwards (invariant 6 of docs/design.md).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/lsn.h"
#include "google/protobuf/empty.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"
#include "tests/e2e/store_view.h"

namespace pitr::e2e {
namespace {

using grpc::StatusCode;

// A call with bad input, what it must return, and what its message must
// mention.
struct Case {
  std::string name;
  std::function<grpc::Status(PitrClient&)> call;
  StatusCode code;
  std::vector<std::string> mentions;
};

constexpr char kUnknown[] = "no_such_branch";
// Long before any commit of the store.
const absl::Time kLongAgo = absl::FromUnixSeconds(946684800);  // 2000-01-01

// The lines only in `before` ("-") and only in `after` ("+").
std::string LineDiff(const std::string& before, const std::string& after) {
  const std::vector<std::string> old_lines = absl::StrSplit(before, '\n');
  const std::vector<std::string> new_lines = absl::StrSplit(after, '\n');
  std::string diff;
  for (const std::string& line : old_lines) {
    if (!absl::c_linear_search(new_lines, line)) diff += "- " + line + "\n";
  }
  for (const std::string& line : new_lines) {
    if (!absl::c_linear_search(old_lines, line)) diff += "+ " + line + "\n";
  }
  return diff;
}

class BadInputTest : public PitrdFixture {
 protected:
  void SetUp() override {
    StartPitrd({"--gc_period=inf"});
    MakeStore();
  }

  // main: three batches; child (from main at the second) with a batch of
  // its own and a child "grandchild"; "with_snap", which has a snapshot;
  // snapshot "snap" of main; schedule "hourly"; child keeps 48h.
  void MakeStore() {
    v1::StoreInfo info;
    auto context = CallContext();
    ASSERT_TRUE(
        client_->pages
            ->GetStoreInfo(context.get(), v1::GetStoreInfoRequest(), &info)
            .ok());
    page_size_ = info.page_size();
    first_lsn_ =
        AppendOk("main", {Image(1, 0, Page("a")), Image(1, 1, Page("b"))});
    second_lsn_ = AppendOk("main", {Delta(1, 0, 8, "delta")});
    latest_lsn_ = AppendOk("main", {Image(2, 0, Page("c"))});
    Ok(CreateBranch("child", "main", AtLsn(second_lsn_)));
    latest_lsn_ = AppendOk("child", {Image(1, 1, Page("d"))});
    Ok(CreateBranch("grandchild", "child", v1::PointInTime()));
    Ok(CreateBranch("with_snap", "main", v1::PointInTime()));
    Ok(CreateSnapshot("snap", "main", AtLsn(second_lsn_)));
    Ok(CreateSnapshot("snap_of_with_snap", "with_snap", v1::PointInTime()));
    v1::CreateScheduleRequest schedule;
    schedule.mutable_schedule()->set_name("hourly");
    schedule.mutable_schedule()->set_branch("main");
    *schedule.mutable_schedule()->mutable_every() = Seconds(3600);
    schedule.mutable_schedule()->set_keep_last(3);
    Ok(Call(client_->snapshots.get(),
            &v1::SnapshotService::Stub::CreateSchedule, schedule));
    // Its first snapshot comes at once; after it the store stays still.
    ASSERT_TRUE(WaitForScheduleRun(*client_, "hourly"));
    v1::UpdateRetentionRequest retention;
    retention.set_branch("child");
    *retention.mutable_retention()->mutable_window() = Seconds(48 * 3600);
    Ok(Call(client_->retention.get(),
            &v1::RetentionService::Stub::UpdateRetention, retention));
    v1::CreateLeaseRequest lease;
    lease.set_lsn(first_lsn_);
    *lease.mutable_ttl() = Seconds(600);
    v1::Lease made;
    auto lease_context = CallContext();
    Ok(client_->retention->CreateLease(lease_context.get(), lease, &made));
    lease_id_ = made.id();
  }

  std::string Page(absl::string_view marker) const {
    return MarkedPage(page_size_, marker);
  }

  uint64_t AppendOk(const std::string& branch,
                    std::vector<v1::WalRecord> records) {
    v1::AppendResponse response;
    Ok(Append(*client_, branch, std::move(records), &response));
    return response.commit_lsn();
  }

  static void Ok(const grpc::Status& status) {
    ASSERT_TRUE(status.ok()) << Describe(status);
  }

  grpc::Status CreateBranch(const std::string& name, const std::string& parent,
                            const v1::PointInTime& point) {
    v1::CreateBranchRequest request;
    request.set_name(name);
    request.set_parent(parent);
    *request.mutable_point() = point;
    return Call(client_->branches.get(), &v1::BranchService::Stub::CreateBranch,
                request);
  }

  grpc::Status CreateSnapshot(const std::string& name,
                              const std::string& branch,
                              const v1::PointInTime& point) {
    v1::CreateSnapshotRequest request;
    request.set_name(name);
    request.set_branch(branch);
    *request.mutable_point() = point;
    return Call(client_->snapshots.get(),
                &v1::SnapshotService::Stub::CreateSnapshot, request);
  }

  std::string View() {
    StoreViewOptions options;
    options.keys = {Key(1, 0), Key(1, 1), Key(2, 0), Key(3, 0)};
    options.old_points = {AtLsn(first_lsn_), AtLsn(second_lsn_)};
    return StoreView(*client_, options);
  }

  // Runs each case; checks its code, its message and that the store is
  // unchanged.
  void Run(const std::vector<Case>& cases) {
    const std::string before = View();
    ASSERT_FALSE(absl::StrContains(before, kViewError)) << before;
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      const grpc::Status status = c.call(*client_);
      EXPECT_EQ(status.error_code(), c.code)
          << c.name << ": got " << Describe(status);
      for (const std::string& word : c.mentions) {
        EXPECT_TRUE(absl::StrContains(status.error_message(), word))
            << c.name << ": the message does not mention \"" << word
            << "\": " << Describe(status);
      }
      const std::string after = View();
      EXPECT_EQ(after, before) << c.name << " changed the store:\n"
                               << LineDiff(before, after);
    }
  }

  // Points a read, branch or snapshot may not use.
  uint64_t PastLatest() const { return latest_lsn_ + 1000; }
  std::string PastLatestText() const { return FormatLsn(PastLatest()); }

  uint32_t page_size_ = 0;
  uint64_t first_lsn_ = 0;
  uint64_t second_lsn_ = 0;
  uint64_t latest_lsn_ = 0;
  uint64_t lease_id_ = 0;
};

v1::PointInTime BadTimestamp() {
  v1::PointInTime point;
  point.mutable_timestamp()->set_seconds(1);
  point.mutable_timestamp()->set_nanos(-1);
  return point;
}

TEST_F(BadInputTest, BranchService) {
  using Stub = v1::BranchService::Stub;
  auto create = [](std::string name, std::string parent,
                   v1::PointInTime point) {
    return [=](PitrClient& c) {
      v1::CreateBranchRequest request;
      request.set_name(name);
      request.set_parent(parent);
      *request.mutable_point() = point;
      return Call(c.branches.get(), &Stub::CreateBranch, request);
    };
  };
  auto remove = [](std::string name, bool cascade) {
    return [=](PitrClient& c) {
      v1::DeleteBranchRequest request;
      request.set_name(name);
      request.set_cascade(cascade);
      return Call(c.branches.get(), &Stub::DeleteBranch, request);
    };
  };
  auto restore = [](std::string name, std::string source,
                    v1::PointInTime point) {
    return [=](PitrClient& c) {
      v1::RestoreBranchRequest request;
      request.set_name(name);
      request.set_source(source);
      *request.mutable_point() = point;
      return Call(c.branches.get(), &Stub::RestoreBranch, request);
    };
  };
  auto list = [](int32_t page_size, std::string token) {
    return [=](PitrClient& c) {
      v1::ListBranchesRequest request;
      request.set_page_size(page_size);
      request.set_page_token(token);
      return Call(c.branches.get(), &Stub::ListBranches, request);
    };
  };
  const std::string too_long(129, 'x');
  Run({
      {"create: unknown parent",
       create("b1", kUnknown, {}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"create: empty name",
       create("", "main", {}),
       StatusCode::INVALID_ARGUMENT,
       {}},
      {"create: space in name",
       create("bad name", "main", {}),
       StatusCode::INVALID_ARGUMENT,
       {"bad name"}},
      {"create: slash in name",
       create("a/b", "main", {}),
       StatusCode::INVALID_ARGUMENT,
       {"a/b"}},
      {"create: leading dash",
       create("-b", "main", {}),
       StatusCode::INVALID_ARGUMENT,
       {"-b"}},
      {"create: leading dot",
       create(".b", "main", {}),
       StatusCode::INVALID_ARGUMENT,
       {".b"}},
      {"create: 129 characters",
       create(too_long, "main", {}),
       StatusCode::INVALID_ARGUMENT,
       {"128"}},
      {"create: lsn past latest",
       create("b1", "main", AtLsn(PastLatest())),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"create: before the first commit",
       create("b1", "main", AtTime(kLongAgo)),
       StatusCode::OUT_OF_RANGE,
       {}},
      {"create: invalid timestamp",
       create("b1", "main", BadTimestamp()),
       StatusCode::INVALID_ARGUMENT,
       {"nanos"}},
      {"create: same name at another point",
       create("child", "main", AtLsn(first_lsn_)),
       StatusCode::ALREADY_EXISTS,
       {"child"}},
      {"create: unknown snapshot",
       create("b1", "", AtSnapshot("no_such_snap")),
       StatusCode::NOT_FOUND,
       {"no_such_snap"}},
      {"create: snapshot of another parent",
       create("b1", "child", AtSnapshot("snap")),
       StatusCode::INVALID_ARGUMENT,
       {"snap", "child"}},
      {"get: unknown",
       [](PitrClient& c) {
         v1::GetBranchRequest request;
         request.set_name(kUnknown);
         return Call(c.branches.get(), &Stub::GetBranch, request);
       },
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"list: bad page_token",
       list(0, "abc"),
       StatusCode::INVALID_ARGUMENT,
       {"abc"}},
      {"list: negative page_size",
       list(-1, ""),
       StatusCode::INVALID_ARGUMENT,
       {"-1"}},
      {"delete: unknown",
       remove(kUnknown, false),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"delete: main",
       remove("main", false),
       StatusCode::FAILED_PRECONDITION,
       {"main"}},
      {"delete: main with cascade",
       remove("main", true),
       StatusCode::FAILED_PRECONDITION,
       {"main"}},
      {"delete: has snapshots",
       remove("with_snap", false),
       StatusCode::FAILED_PRECONDITION,
       {"with_snap"}},
      {"restore: unknown branch",
       restore(kUnknown, "main", AtLsn(first_lsn_)),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"restore: unknown source",
       restore("main", kUnknown, AtLsn(first_lsn_)),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"restore: no point",
       restore("main", "", {}),
       StatusCode::INVALID_ARGUMENT,
       {"point"}},
      {"restore: lsn past latest",
       restore("main", "", AtLsn(PastLatest())),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"restore: before the first commit",
       restore("main", "", AtTime(kLongAgo)),
       StatusCode::OUT_OF_RANGE,
       {}},
      {"restore: unknown snapshot",
       restore("main", "", AtSnapshot("no_such_snap")),
       StatusCode::NOT_FOUND,
       {"no_such_snap"}},
  });
}

TEST_F(BadInputTest, WalService) {
  auto append = [](std::string branch, std::vector<v1::WalRecord> records) {
    return [=](PitrClient& c) {
      v1::AppendResponse response;
      return Append(c, branch, records, &response);
    };
  };
  auto append_at = [](google::protobuf::Timestamp time, v1::WalRecord record) {
    return [=](PitrClient& c) {
      v1::AppendRequest request;
      *request.add_records() = record;
      *request.mutable_commit_time() = time;
      return Call(c.wal.get(), &v1::WalService::Stub::Append, request);
    };
  };
  auto stream = [](std::string branch, std::vector<v1::WalRecord> records) {
    return [=](PitrClient& c) {
      v1::AppendRequest request;
      request.set_branch(branch);
      for (const v1::WalRecord& r : records) *request.add_records() = r;
      return AppendStream(c, {request});
    };
  };
  auto read = [](uint64_t start, uint64_t end) {
    return [=](PitrClient& c) {
      v1::ReadWalRequest request;
      request.set_start_lsn(start);
      request.set_end_lsn(end);
      return ReadWal(c, request, nullptr);
    };
  };
  auto append_expecting = [](uint64_t lsn, uint64_t timeline,
                             v1::WalRecord record) {
    return [=](PitrClient& c) {
      v1::AppendRequest request;
      *request.add_records() = record;
      request.mutable_expected_position()->set_lsn(lsn);
      request.mutable_expected_position()->set_timeline_id(timeline);
      return Call(c.wal.get(), &v1::WalService::Stub::Append, request);
    };
  };
  const v1::WalRecord good = Image(5, 0, Page("new"));
  const std::vector<v1::WalRecord> too_many(1025, good);
  google::protobuf::Timestamp earlier;
  earlier.set_seconds(absl::ToUnixSeconds(kLongAgo));
  google::protobuf::Timestamp far_future;  // 9999-01-01T00:00:00Z
  far_future.set_seconds(253370764800);
  google::protobuf::Timestamp invalid;
  invalid.set_seconds(absl::ToUnixSeconds(absl::Now()));
  invalid.set_nanos(2000000000);
  const std::string short_image(100, 'x');
  Run({
      {"append: expected position passed",
       append_expecting(1, 1, good),
       StatusCode::ABORTED,
       {"has moved since lsn 0/1", "nothing was written"}},
      {"append: expected position on another timeline",
       append_expecting(PastLatest(), 99, good),
       StatusCode::ABORTED,
       {"timeline 99"}},
      {"append: unknown branch",
       append(kUnknown, {good}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"append: image of the wrong size",
       append("main", {Image(5, 0, short_image)}),
       StatusCode::INVALID_ARGUMENT,
       {"100"}},
      {"append: delta past the page end",
       append("main", {Delta(5, 0, page_size_ - 2, "four")}),
       StatusCode::INVALID_ARGUMENT,
       {absl::StrCat(page_size_ - 2)}},
      {"append: delta offset overflowing",
       append("main", {Delta(5, 0, 4294967295u, "x")}),
       StatusCode::INVALID_ARGUMENT,
       {"4294967295"}},
      {"append: empty batch",
       append("main", {}),
       StatusCode::INVALID_ARGUMENT,
       {}},
      {"append: record with no change",
       append("main", {good, v1::WalRecord()}),
       StatusCode::INVALID_ARGUMENT,
       {"record 1"}},
      {"append: second record bad",
       append("main", {good, Image(5, 1, "x")}),
       StatusCode::INVALID_ARGUMENT,
       {"record 1"}},
      {"append: image of page 4294967295",
       append("main", {Image(5, 4294967295u, Page("x"))}),
       StatusCode::INVALID_ARGUMENT,
       {"4294967295"}},
      {"append: delta of page 4294967295",
       append("main", {Delta(5, 4294967295u, 0, "x")}),
       StatusCode::INVALID_ARGUMENT,
       {"4294967295"}},
      {"append: 1025 records",
       append("main", too_many),
       StatusCode::INVALID_ARGUMENT,
       {"1025"}},
      {"append: commit_time earlier than the last",
       append_at(earlier, good),
       StatusCode::OUT_OF_RANGE,
       {}},
      {"append: commit_time in year 9999",
       append_at(far_future, good),
       StatusCode::OUT_OF_RANGE,
       {"9999-01-01T00:00:00", "ahead of the server's clock", "at most 1m"}},
      {"append: invalid commit_time",
       append_at(invalid, good),
       StatusCode::INVALID_ARGUMENT,
       {"commit_time"}},
      {"append stream: unknown branch",
       stream(kUnknown, {good}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"append stream: empty batch",
       stream("main", {}),
       StatusCode::INVALID_ARGUMENT,
       {}},
      {"read wal: not a batch boundary",
       read(first_lsn_ + 1, 0),
       StatusCode::INVALID_ARGUMENT,
       {FormatLsn(first_lsn_ + 1)}},
      {"read wal: end before start",
       read(second_lsn_, first_lsn_),
       StatusCode::INVALID_ARGUMENT,
       {FormatLsn(first_lsn_)}},
      {"read wal: past the end",
       read(PastLatest(), 0),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
  });
}

TEST_F(BadInputTest, PageService) {
  using Stub = v1::PageService::Stub;
  auto get = [](std::string branch, v1::PageKey key, v1::PointInTime point) {
    return [=](PitrClient& c) {
      v1::GetPageRequest request;
      request.set_branch(branch);
      *request.mutable_key() = key;
      *request.mutable_point() = point;
      return Call(c.pages.get(), &Stub::GetPage, request);
    };
  };
  auto pages_request = [](std::string branch, int keys, v1::PointInTime point) {
    v1::GetPagesRequest request;
    request.set_branch(branch);
    for (int i = 0; i < keys; ++i) *request.add_keys() = Key(1, i);
    *request.mutable_point() = point;
    return request;
  };
  auto get_pages = [=](std::string branch, int keys, v1::PointInTime point) {
    const v1::GetPagesRequest request = pages_request(branch, keys, point);
    return [=](PitrClient& c) {
      return Call(c.pages.get(), &Stub::GetPages, request);
    };
  };
  auto stream_pages = [=](std::string branch, int keys) {
    const v1::GetPagesRequest request = pages_request(branch, keys, {});
    return [=](PitrClient& c) { return StreamPages(c, {request}); };
  };
  auto space_size = [](std::string branch, v1::PointInTime point) {
    return [=](PitrClient& c) {
      v1::GetSpaceSizeRequest request;
      request.set_branch(branch);
      request.set_space(1);
      *request.mutable_point() = point;
      return Call(c.pages.get(), &Stub::GetSpaceSize, request);
    };
  };
  auto resolve = [](std::string name, bool create) {
    return [=](PitrClient& c) {
      v1::ResolveSpaceRequest request;
      request.set_name(name);
      request.set_create(create);
      return Call(c.pages.get(), &Stub::ResolveSpace, request);
    };
  };
  auto changes = [](std::string branch) {
    return [=](PitrClient& c) {
      v1::GetChangesRequest request;
      request.set_branch(branch);
      request.set_space(1);
      return Call(c.pages.get(), &Stub::GetChanges, request);
    };
  };
  auto diff = [](std::string from, v1::PointInTime from_point, std::string to,
                 v1::PointInTime to_point) {
    return [=](PitrClient& c) {
      v1::DiffPagesRequest request;
      request.set_from_branch(from);
      *request.mutable_from_point() = from_point;
      request.set_to_branch(to);
      *request.mutable_to_point() = to_point;
      return DiffPages(c, request, nullptr);
    };
  };
  Run({
      {"diff: unknown first branch",
       diff(kUnknown, {}, "main", {}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"diff: unknown second branch",
       diff("main", {}, kUnknown, {}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"diff: past the latest",
       diff("main", AtLsn(PastLatest()), "child", {}),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"get page: unknown branch",
       get(kUnknown, Key(1, 0), {}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"get page: lsn past latest",
       get("main", Key(1, 0), AtLsn(PastLatest())),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"get page: before the first commit",
       get("main", Key(1, 0), AtTime(kLongAgo)),
       StatusCode::OUT_OF_RANGE,
       {}},
      {"get page: invalid timestamp",
       get("main", Key(1, 0), BadTimestamp()),
       StatusCode::INVALID_ARGUMENT,
       {"nanos"}},
      {"get page: page 4294967295",
       get("main", Key(1, 4294967295u), {}),
       StatusCode::INVALID_ARGUMENT,
       {"4294967295"}},
      {"get page: unknown snapshot",
       get("main", Key(1, 0), AtSnapshot("no_such_snap")),
       StatusCode::NOT_FOUND,
       {"no_such_snap"}},
      {"get page: snapshot of another branch",
       get("child", Key(1, 0), AtSnapshot("snap")),
       StatusCode::FAILED_PRECONDITION,
       {"snap", "child"}},
      {"get pages: unknown branch",
       get_pages(kUnknown, 1, {}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"get pages: 1025 keys",
       get_pages("main", 1025, {}),
       StatusCode::INVALID_ARGUMENT,
       {"1025"}},
      {"get pages: lsn past latest",
       get_pages("main", 1, AtLsn(PastLatest())),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"stream pages: unknown branch",
       stream_pages(kUnknown, 1),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"stream pages: 1025 keys",
       stream_pages("main", 1025),
       StatusCode::INVALID_ARGUMENT,
       {"1025"}},
      {"space size: unknown branch",
       space_size(kUnknown, {}),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"space size: lsn past latest",
       space_size("main", AtLsn(PastLatest())),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"resolve space: unknown without create",
       resolve("no_such.db", false),
       StatusCode::NOT_FOUND,
       {"no_such.db"}},
      {"resolve space: bad name",
       resolve("../escape", true),
       StatusCode::INVALID_ARGUMENT,
       {"../escape", "invalid space name"}},
      {"get changes: unknown branch",
       changes(kUnknown),
       StatusCode::NOT_FOUND,
       {kUnknown}},
  });
}

TEST_F(BadInputTest, SnapshotService) {
  using Stub = v1::SnapshotService::Stub;
  auto create = [](std::string name, std::string branch, v1::PointInTime point,
                   int64_t keep_for) {
    return [=](PitrClient& c) {
      v1::CreateSnapshotRequest request;
      request.set_name(name);
      request.set_branch(branch);
      *request.mutable_point() = point;
      if (keep_for != 0) *request.mutable_keep_for() = Seconds(keep_for);
      return Call(c.snapshots.get(), &Stub::CreateSnapshot, request);
    };
  };
  auto schedule = [](std::string name, std::string branch, int64_t every,
                     int keep_last, int64_t keep_for) {
    return [=](PitrClient& c) {
      v1::CreateScheduleRequest request;
      v1::SnapshotSchedule* s = request.mutable_schedule();
      s->set_name(name);
      s->set_branch(branch);
      *s->mutable_every() = Seconds(every);
      if (keep_last >= 0) s->set_keep_last(keep_last);
      if (keep_for != 0) *s->mutable_keep_for() = Seconds(keep_for);
      return Call(c.snapshots.get(), &Stub::CreateSchedule, request);
    };
  };
  auto list = [](std::string branch, int32_t page_size, std::string token) {
    return [=](PitrClient& c) {
      v1::ListSnapshotsRequest request;
      request.set_branch(branch);
      request.set_page_size(page_size);
      request.set_page_token(token);
      return Call(c.snapshots.get(), &Stub::ListSnapshots, request);
    };
  };
  Run({
      {"create: unknown branch",
       create("s1", kUnknown, {}, 0),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"create: bad name",
       create("bad name", "main", {}, 0),
       StatusCode::INVALID_ARGUMENT,
       {"bad name"}},
      {"create: empty name",
       create("", "main", {}, 0),
       StatusCode::INVALID_ARGUMENT,
       {}},
      {"create: taken name",
       create("snap", "main", AtLsn(first_lsn_), 0),
       StatusCode::ALREADY_EXISTS,
       {"snap"}},
      {"create: lsn past latest",
       create("s1", "main", AtLsn(PastLatest()), 0),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"create: before the first commit",
       create("s1", "main", AtTime(kLongAgo), 0),
       StatusCode::OUT_OF_RANGE,
       {}},
      {"create: snapshot point",
       create("s1", "main", AtSnapshot("snap"), 0),
       StatusCode::INVALID_ARGUMENT,
       {"snapshot"}},
      {"create: negative keep_for",
       create("s1", "main", {}, -5),
       StatusCode::INVALID_ARGUMENT,
       {"keep_for", "-5"}},
      {"get: unknown",
       [](PitrClient& c) {
         v1::GetSnapshotRequest request;
         request.set_name("no_such_snap");
         return Call(c.snapshots.get(), &Stub::GetSnapshot, request);
       },
       StatusCode::NOT_FOUND,
       {"no_such_snap"}},
      {"delete: unknown",
       [](PitrClient& c) {
         v1::DeleteSnapshotRequest request;
         request.set_name("no_such_snap");
         return Call(c.snapshots.get(), &Stub::DeleteSnapshot, request);
       },
       StatusCode::NOT_FOUND,
       {"no_such_snap"}},
      {"list: unknown branch",
       list(kUnknown, 0, ""),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"list: bad page_token",
       list("", 0, "xyz"),
       StatusCode::INVALID_ARGUMENT,
       {"xyz"}},
      {"list: negative page_size",
       list("", -3, ""),
       StatusCode::INVALID_ARGUMENT,
       {"-3"}},
      {"schedule: unknown branch",
       schedule("s1", kUnknown, 60, 2, 0),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"schedule: bad name",
       schedule("bad/name", "main", 60, 2, 0),
       StatusCode::INVALID_ARGUMENT,
       {"bad/name"}},
      {"schedule: taken name",
       schedule("hourly", "main", 60, 2, 0),
       StatusCode::ALREADY_EXISTS,
       {"hourly"}},
      {"schedule: negative every",
       schedule("s1", "main", -60, 2, 0),
       StatusCode::INVALID_ARGUMENT,
       {"every", "-60"}},
      {"schedule: every 0",
       schedule("s1", "main", 0, 2, 0),
       StatusCode::INVALID_ARGUMENT,
       {"every"}},
      {"schedule: negative keep_for",
       schedule("s1", "main", 60, -1, -7),
       StatusCode::INVALID_ARGUMENT,
       {"keep_for", "-7"}},
      {"schedule: neither keep_last nor keep_for",
       schedule("s1", "main", 60, -1, 0),
       StatusCode::INVALID_ARGUMENT,
       {"keep"}},
      {"delete schedule: unknown",
       [](PitrClient& c) {
         v1::DeleteScheduleRequest request;
         request.set_name("no_such_schedule");
         return Call(c.snapshots.get(), &Stub::DeleteSchedule, request);
       },
       StatusCode::NOT_FOUND,
       {"no_such_schedule"}},
  });
}

TEST_F(BadInputTest, RetentionService) {
  using Stub = v1::RetentionService::Stub;
  auto named = [](auto method, auto request_type, std::string branch) {
    return [=](PitrClient& c) {
      decltype(request_type) request;
      request.set_branch(branch);
      return Call(c.retention.get(), method, request);
    };
  };
  auto update = [](std::string branch, int64_t window) {
    return [=](PitrClient& c) {
      v1::UpdateRetentionRequest request;
      request.set_branch(branch);
      *request.mutable_retention()->mutable_window() = Seconds(window);
      return Call(c.retention.get(), &Stub::UpdateRetention, request);
    };
  };
  auto update_default = [](std::optional<int64_t> window) {
    return [=](PitrClient& c) {
      v1::Retention request;
      if (window) *request.mutable_window() = Seconds(*window);
      request.set_lsn_distance(1 << 20);
      return Call(c.retention.get(), &Stub::UpdateDefaultRetention, request);
    };
  };
  auto lease = [](std::string branch, uint64_t lsn, int64_t ttl) {
    return [=](PitrClient& c) {
      v1::CreateLeaseRequest request;
      request.set_branch(branch);
      request.set_lsn(lsn);
      *request.mutable_ttl() = Seconds(ttl);
      return Call(c.retention.get(), &Stub::CreateLease, request);
    };
  };
  auto renew = [](uint64_t id, int64_t ttl) {
    return [=](PitrClient& c) {
      v1::RenewLeaseRequest request;
      request.set_id(id);
      *request.mutable_ttl() = Seconds(ttl);
      return Call(c.retention.get(), &Stub::RenewLease, request);
    };
  };
  Run({
      {"get: unknown branch",
       named(&Stub::GetRetention, v1::GetRetentionRequest(), kUnknown),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"history bounds: unknown branch",
       named(&Stub::GetHistoryBounds, v1::GetHistoryBoundsRequest(), kUnknown),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"update: unknown branch",
       update(kUnknown, 60),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"update: negative window",
       update("main", -60),
       StatusCode::INVALID_ARGUMENT,
       {"window", "-60"}},
      {"update default: negative window",
       update_default(-60),
       StatusCode::INVALID_ARGUMENT,
       {"window", "-60"}},
      {"update default: no window",
       update_default(std::nullopt),
       StatusCode::INVALID_ARGUMENT,
       {"window"}},
      {"lease: unknown branch",
       lease(kUnknown, first_lsn_, 60),
       StatusCode::NOT_FOUND,
       {kUnknown}},
      {"lease: ttl 0",
       lease("main", first_lsn_, 0),
       StatusCode::INVALID_ARGUMENT,
       {"ttl"}},
      {"lease: ttl 25h",
       lease("main", first_lsn_, 25 * 3600),
       StatusCode::INVALID_ARGUMENT,
       {"ttl", "25h"}},
      {"lease: negative ttl",
       lease("main", first_lsn_, -1),
       StatusCode::INVALID_ARGUMENT,
       {"ttl"}},
      {"lease: lsn past latest",
       lease("main", PastLatest(), 60),
       StatusCode::OUT_OF_RANGE,
       {PastLatestText()}},
      {"renew: unknown lease",
       renew(lease_id_ + 1000, 60),
       StatusCode::NOT_FOUND,
       {absl::StrCat(lease_id_ + 1000)}},
      {"renew: ttl 25h",
       renew(lease_id_, 25 * 3600),
       StatusCode::INVALID_ARGUMENT,
       {"25h"}},
      {"release: unknown lease",
       [&](PitrClient& c) {
         v1::ReleaseLeaseRequest request;
         request.set_id(lease_id_ + 1000);
         return Call(c.retention.get(), &Stub::ReleaseLease, request);
       },
       StatusCode::NOT_FOUND,
       {absl::StrCat(lease_id_ + 1000)}},
  });
}

}  // namespace
}  // namespace pitr::e2e
