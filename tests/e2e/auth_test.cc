// Bearer tokens and TLS through the real server: pitrd with --token_file
// refuses calls without a known token, lets read tokens read but not
// write (and a refused write changes nothing), and lets admin tokens do
// everything; with --tls_cert/--tls_key it speaks only TLS.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/mutex.h"  // PITR_TSAN
#include "base/testing/test_files.h"
#include "clients/common/channel_credentials.h"
#include "google/protobuf/empty.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"
#include "tests/e2e/store_view.h"

namespace pitr::e2e {
namespace {

using ::pitr::testing::MakeSelfSignedCertificate;
using ::pitr::testing::TestPath;

using grpc::StatusCode;

constexpr char kAdminToken[] = "admin-token-0123456789abcdef";
constexpr char kReadToken[] = "read-token-0123456789abcdef";

// A call made as the holder of a token.
struct NamedCall {
  std::string name;
  std::function<grpc::Status(PitrClient&, const std::string& token)> call;
};

class AuthTest : public PitrdFixture {
 protected:
  void SetUp() override {
    const std::string tokens = TestPath("tokens");
    std::ofstream(tokens) << "# test tokens\nadmin " << kAdminToken << "\nread "
                          << kReadToken << "\n";
    StartPitrd({"--token_file=" + tokens, "--gc_period=inf"});

    v1::AppendResponse appended;
    ASSERT_TRUE(Append(*client_, "main", {Image(1, 0, Page("a"))}, &appended,
                       kAdminToken)
                    .ok());
    lsn_ = appended.commit_lsn();
    v1::CreateBranchRequest branch;
    branch.set_name("dev");
    ASSERT_TRUE(Call(client_->branches.get(),
                     &v1::BranchService::Stub::CreateBranch, branch,
                     kAdminToken)
                    .ok());
    v1::CreateSnapshotRequest snapshot;
    snapshot.set_name("snap");
    ASSERT_TRUE(Call(client_->snapshots.get(),
                     &v1::SnapshotService::Stub::CreateSnapshot, snapshot,
                     kAdminToken)
                    .ok());
    v1::ResolveSpaceRequest space;
    space.set_name("known.db");
    space.set_create(true);
    ASSERT_TRUE(Call(client_->pages.get(), &v1::PageService::Stub::ResolveSpace,
                     space, kAdminToken)
                    .ok());
  }

  std::string Page(absl::string_view marker) const {
    return MarkedPage(8192, marker);
  }

  std::string View() {
    StoreViewOptions options;
    options.keys = {Key(1, 0), Key(2, 0)};
    options.old_points = {AtLsn(lsn_)};
    options.token = kReadToken;
    return StoreView(*client_, options);
  }

  // Calls that only read, each of which succeeds for a reader.
  std::vector<NamedCall> Reads() const;
  // Calls that write, in an order in which each succeeds for an admin.
  std::vector<NamedCall> Writes() const;

  uint64_t lsn_ = 0;
};

std::vector<NamedCall> AuthTest::Reads() const {
  using B = v1::BranchService::Stub;
  using P = v1::PageService::Stub;
  using S = v1::SnapshotService::Stub;
  using R = v1::RetentionService::Stub;
  v1::GetBranchRequest get_branch;
  get_branch.set_name("dev");
  v1::GetPageRequest get_page;
  *get_page.mutable_key() = Key(1, 0);
  v1::GetPagesRequest get_pages;
  *get_pages.add_keys() = Key(1, 0);
  v1::GetSpaceSizeRequest space_size;
  space_size.set_space(1);
  v1::GetSnapshotRequest get_snapshot;
  get_snapshot.set_name("snap");
  v1::ResolveSpaceRequest known_space;
  known_space.set_name("known.db");
  v1::GetChangesRequest changes;
  changes.set_branch("dev");
  changes.set_space(1);
  v1::CreateLeaseRequest lease;
  lease.set_lsn(lsn_);
  *lease.mutable_ttl() = Seconds(60);
  return {
      {"GetBranch",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.branches.get(), &B::GetBranch, get_branch, t);
       }},
      {"ListBranches",
       [](PitrClient& c, const std::string& t) {
         return Call(c.branches.get(), &B::ListBranches,
                     v1::ListBranchesRequest(), t);
       }},
      {"ReadWal",
       [](PitrClient& c, const std::string& t) {
         return ReadWal(c, v1::ReadWalRequest(), nullptr, t);
       }},
      {"GetPage",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &P::GetPage, get_page, t);
       }},
      {"GetPages",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &P::GetPages, get_pages, t);
       }},
      {"StreamPages",
       [=](PitrClient& c, const std::string& t) {
         return StreamPages(c, {get_pages}, t);
       }},
      {"GetSpaceSize",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &P::GetSpaceSize, space_size, t);
       }},
      {"DiffPages",
       [](PitrClient& c, const std::string& t) {
         return DiffPages(c, v1::DiffPagesRequest(), nullptr, t);
       }},
      {"GetStoreInfo",
       [](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &P::GetStoreInfo, v1::GetStoreInfoRequest(),
                     t);
       }},
      {"ResolveSpace (existing)",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &P::ResolveSpace, known_space, t);
       }},
      {"ListSpaces",
       [](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &P::ListSpaces, v1::ListSpacesRequest(), t);
       }},
      {"GetChanges",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &P::GetChanges, changes, t);
       }},
      {"GetSnapshot",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.snapshots.get(), &S::GetSnapshot, get_snapshot, t);
       }},
      {"ListSnapshots",
       [](PitrClient& c, const std::string& t) {
         return Call(c.snapshots.get(), &S::ListSnapshots,
                     v1::ListSnapshotsRequest(), t);
       }},
      {"ListSchedules",
       [](PitrClient& c, const std::string& t) {
         return Call(c.snapshots.get(), &S::ListSchedules,
                     v1::ListSchedulesRequest(), t);
       }},
      {"GetRetention",
       [](PitrClient& c, const std::string& t) {
         return Call(c.retention.get(), &R::GetRetention,
                     v1::GetRetentionRequest(), t);
       }},
      {"GetDefaultRetention",
       [](PitrClient& c, const std::string& t) {
         return Call(c.retention.get(), &R::GetDefaultRetention,
                     google::protobuf::Empty(), t);
       }},
      {"GetHistoryBounds",
       [](PitrClient& c, const std::string& t) {
         return Call(c.retention.get(), &R::GetHistoryBounds,
                     v1::GetHistoryBoundsRequest(), t);
       }},
      {"CreateLease",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.retention.get(), &R::CreateLease, lease, t);
       }},
  };
}

std::vector<NamedCall> AuthTest::Writes() const {
  using B = v1::BranchService::Stub;
  using S = v1::SnapshotService::Stub;
  using R = v1::RetentionService::Stub;
  v1::CreateBranchRequest create_branch;
  create_branch.set_name("feature");
  v1::RestoreBranchRequest restore;
  restore.set_name("dev");
  *restore.mutable_point() = AtLsn(lsn_);
  v1::DeleteBranchRequest delete_branch;
  delete_branch.set_name("feature");
  v1::UpdateRetentionRequest retention;
  retention.set_branch("dev");
  *retention.mutable_retention()->mutable_window() = Seconds(3600);
  v1::Retention default_retention;
  *default_retention.mutable_window() = Seconds(7200);
  v1::CreateSnapshotRequest create_snapshot;
  create_snapshot.set_name("snap2");
  v1::DeleteSnapshotRequest delete_snapshot;
  delete_snapshot.set_name("snap2");
  v1::CreateScheduleRequest create_schedule;
  create_schedule.mutable_schedule()->set_name("daily");
  *create_schedule.mutable_schedule()->mutable_every() = Seconds(86400);
  create_schedule.mutable_schedule()->set_keep_last(1);
  v1::DeleteScheduleRequest delete_schedule;
  delete_schedule.set_name("daily");
  v1::AppendRequest append;
  append.set_branch("dev");
  *append.add_records() = Image(2, 0, Page("b"));
  v1::ResolveSpaceRequest new_space;
  new_space.set_name("new.db");
  new_space.set_create(true);
  return {
      {"ResolveSpace (create)",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.pages.get(), &v1::PageService::Stub::ResolveSpace,
                     new_space, t);
       }},
      {"Append",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.wal.get(), &v1::WalService::Stub::Append, append, t);
       }},
      {"AppendStream",
       [=](PitrClient& c, const std::string& t) {
         return AppendStream(c, {append}, t);
       }},
      {"CreateBranch",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.branches.get(), &B::CreateBranch, create_branch, t);
       }},
      {"RestoreBranch",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.branches.get(), &B::RestoreBranch, restore, t);
       }},
      {"DeleteBranch",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.branches.get(), &B::DeleteBranch, delete_branch, t);
       }},
      {"UpdateRetention",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.retention.get(), &R::UpdateRetention, retention, t);
       }},
      {"UpdateDefaultRetention",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.retention.get(), &R::UpdateDefaultRetention,
                     default_retention, t);
       }},
      {"RunGc",
       [](PitrClient& c, const std::string& t) {
         return Call(c.retention.get(), &R::RunGc, v1::RunGcRequest(), t);
       }},
      {"CreateSnapshot",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.snapshots.get(), &S::CreateSnapshot, create_snapshot, t);
       }},
      {"DeleteSnapshot",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.snapshots.get(), &S::DeleteSnapshot, delete_snapshot, t);
       }},
      {"CreateSchedule",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.snapshots.get(), &S::CreateSchedule, create_schedule, t);
       }},
      {"DeleteSchedule",
       [=](PitrClient& c, const std::string& t) {
         return Call(c.snapshots.get(), &S::DeleteSchedule, delete_schedule, t);
       }},
  };
}

TEST_F(AuthTest, NoTokenIsUnauthenticated) {
  for (const auto& calls : {Reads(), Writes()}) {
    for (const NamedCall& c : calls) {
      const grpc::Status status = c.call(*client_, "");
      EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED)
          << c.name << ": " << Describe(status);
    }
  }
}

TEST_F(AuthTest, UnknownOrMalformedTokenIsUnauthenticated) {
  const std::string before = View();
  for (const NamedCall& c : Writes()) {
    const grpc::Status status = c.call(*client_, "not-a-token-0123456789");
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED)
        << c.name << ": " << Describe(status);
    EXPECT_FALSE(absl::StrContains(status.error_message(), kAdminToken));
  }
  // Not "Bearer <token>".
  auto context = CallContext();
  context->AddMetadata("authorization", std::string("Basic ") + kAdminToken);
  v1::StoreInfo info;
  const grpc::Status status = client_->pages->GetStoreInfo(
      context.get(), v1::GetStoreInfoRequest(), &info);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED)
      << Describe(status);
  EXPECT_EQ(View(), before);
}

TEST_F(AuthTest, ReadTokenReads) {
  for (const NamedCall& c : Reads()) {
    const grpc::Status status = c.call(*client_, kReadToken);
    EXPECT_TRUE(status.ok()) << c.name << ": " << Describe(status);
  }
}

TEST_F(AuthTest, ReadTokenCannotWriteAndAdminCan) {
  for (const NamedCall& c : Writes()) {
    const std::string before = View();
    const grpc::Status refused = c.call(*client_, kReadToken);
    EXPECT_EQ(refused.error_code(), StatusCode::PERMISSION_DENIED)
        << c.name << ": " << Describe(refused);
    EXPECT_TRUE(absl::StrContains(refused.error_message(), "admin"))
        << c.name << ": " << Describe(refused);
    EXPECT_EQ(View(), before) << c.name << " changed the store";
    const grpc::Status allowed = c.call(*client_, kAdminToken);
    EXPECT_TRUE(allowed.ok()) << c.name << ": " << Describe(allowed);
    if (c.name == "CreateSchedule") {
      // Its first snapshot is taken at once, in the background: wait, so
      // the next call's "before" is not taken under it.
      ASSERT_TRUE(
          WaitForScheduleRun(*client_, "daily", absl::Seconds(30), kReadToken));
    }
  }
}

TEST_F(AuthTest, AdminTokenReads) {
  for (const NamedCall& c : Reads()) {
    const grpc::Status status = c.call(*client_, kAdminToken);
    EXPECT_TRUE(status.ok()) << c.name << ": " << Describe(status);
  }
}

TEST(TlsTest, ServesTlsOnly) {
#ifdef PITR_TSAN
  GTEST_SKIP() << "gRPC's TLS is uninstrumented; run without --config=tsan";
#endif
  if (!MakeSelfSignedCertificate(TestPath("server_cert.pem"),
                                 TestPath("server_key.pem"))) {
    GTEST_SKIP() << "openssl could not make a certificate";
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> trusting =
      clients::ChannelCredentialsFor(TestPath("server_cert.pem"));
  ASSERT_TRUE(trusting.ok()) << trusting.status();
  PitrdOptions options;
  options.flags = {"--tls_cert=" + TestPath("server_cert.pem"),
                   "--tls_key=" + TestPath("server_key.pem")};
  options.credentials = *trusting;
  options.tls_server_name = "localhost";
  absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
      PitrdProcess::Start(options);
  ASSERT_TRUE(pitrd.ok()) << pitrd.status();

  PitrClient tls((*pitrd)->NewChannel());
  v1::AppendResponse appended;
  const grpc::Status status =
      Append(tls, "main", {Delta(1, 0, 0, "over TLS")}, &appended);
  EXPECT_TRUE(status.ok()) << Describe(status);

  PitrClient plaintext(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*pitrd)->port()),
                          grpc::InsecureChannelCredentials()));
  auto context = CallContext("", absl::Seconds(1));
  v1::StoreInfo info;
  EXPECT_FALSE(
      plaintext.pages
          ->GetStoreInfo(context.get(), v1::GetStoreInfoRequest(), &info)
          .ok());

  absl::StatusOr<int> exit_code = (*pitrd)->Stop();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
}

}  // namespace
}  // namespace pitr::e2e
