// I/O faults under the real pitrd, injected by fault_shim.so (LD_PRELOAD,
// fault_control.h) into its WAL files (<data>/wal/) and its RocksDB page
// store (<data>/pages/): failing fsyncs, ENOSPC, short writes and read
// errors. In every case: the failing call ends with a status whose message
// says what failed, nothing acknowledged is lost (checked after a restart
// without faults, server_workload.h's model), no half batch is visible, and
// reads of what was persisted keep working or fail clearly, never with
// wrong data.
//
// Each test prints what it injected; the binary prints the totals (over
// every repetition with --gtest_repeat=N).
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "proto/branch_service.grpc.pb.h"
#include "proto/page_service.grpc.pb.h"
#include "proto/retention_service.grpc.pb.h"
#include "tests/crash/server_workload.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/fault/fault_injector.h"

namespace pitr::fault {
namespace {

using crash::PendingBatch;
using crash::ServerWriter;
using crash::VerifyCounters;
using e2e::CallContext;
using e2e::Describe;
using e2e::PitrClient;
using e2e::PitrdOptions;
using e2e::PitrdProcess;

FaultInjector* g_injector = nullptr;
uint64_t g_acked = 0;
VerifyCounters g_counters;

// Makes the control file and exports the shim before any test (and any
// gRPC thread) runs; prints the totals at the end.
class ShimEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    // Once (--gtest_repeat sets environments up again): the environment is
    // changed only before any other thread runs.
    if (injector_ != nullptr) return;
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string dir = tmp != nullptr ? tmp : "/tmp";
    auto injector = FaultInjector::Create(
        absl::StrCat(dir, "/fault_control.", getpid()));
    ASSERT_TRUE(injector.ok()) << injector.status();
    injector_ = std::move(*injector);
    const absl::Status exported = injector_->ExportToChildren();
    ASSERT_TRUE(exported.ok()) << exported;
    g_injector = injector_.get();
  }
  void TearDown() override {
    if (injector_ == nullptr) return;
    std::cout << "server_fault_test summary: faults injected: sync "
              << injector_->total_injected(kSync) << ", write "
              << injector_->total_injected(kWrite) << " (of which "
              << injector_->total_short_writes() << " short writes), read "
              << injector_->total_injected(kRead)
              << "; batches acknowledged " << g_acked
              << ", batches checked at their LSN "
              << g_counters.batches_checked << ", pages compared "
              << g_counters.pages_compared << std::endl;
  }

 private:
  std::unique_ptr<FaultInjector> injector_;
};

class ServerFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(g_injector, nullptr);
    g_injector->DisarmAll();
    for (int op = 0; op < kOpCount; ++op) {
      injected_before_[op] = g_injector->total_injected(static_cast<Op>(op));
    }
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/pitrd-XXXXXX");
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    ASSERT_TRUE(g_injector->SetDataDir(dir).ok());
    PitrdOptions options;
    options.data_dir = dir;
    options.flags = {absl::StrCat("--page_size=", crash::kServerPageSize),
                     "--gc_period=inf", "--shutdown_grace=5s"};
    auto started = PitrdProcess::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    pitrd_ = std::move(*started);
    Connect();
  }

  void TearDown() override {
    g_injector->DisarmAll();
    if (writer_ != nullptr) g_acked += writer_->acknowledged();
    const char* test =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto injected = [&](Op op) {
      return g_injector->total_injected(op) - injected_before_[op];
    };
    std::cout << test << ": faults injected: sync " << injected(kSync)
              << ", write " << injected(kWrite) << ", read " << injected(kRead)
              << std::endl;
  }

  void Connect() { client_ = std::make_unique<PitrClient>(pitrd_->NewChannel()); }

  // Appends `n` batches, each acknowledged.
  void AppendOk(int n) {
    for (int i = 0; i < n; ++i) {
      PendingBatch batch = writer_->Next();
      v1::AppendResponse response;
      const grpc::Status status = writer_->Send(*client_, batch, &response);
      ASSERT_TRUE(status.ok()) << Describe(status);
      writer_->Acknowledged(batch, response.commit_lsn());
    }
  }

  // One batch that must fail; returns its status and the batch.
  grpc::Status AppendFails(PendingBatch* batch) {
    *batch = writer_->Next();
    v1::AppendResponse response;
    const grpc::Status status =
        writer_->Send(*client_, *batch, &response, absl::Seconds(20));
    if (status.ok()) writer_->Acknowledged(*batch, response.commit_lsn());
    return status;
  }

  // Every acknowledged batch at its LSN, and every page at the latest.
  void VerifyAll() {
    absl::Status s = writer_->VerifyLatest(*client_, &g_counters);
    ASSERT_TRUE(s.ok()) << s;
    s = writer_->VerifyBatches(*client_, 0, &g_counters);
    ASSERT_TRUE(s.ok()) << s;
  }

  // SIGKILL, disarm every fault, restart, and check everything.
  void CrashRestartAndVerify(const std::vector<PendingBatch>& unacknowledged) {
    pitrd_->Kill();
    g_injector->DisarmAll();
    const absl::Status restarted = pitrd_->Restart();
    ASSERT_TRUE(restarted.ok()) << restarted;
    Connect();
    for (const PendingBatch& batch : unacknowledged) {
      const absl::Status s = writer_->Recover(*client_, batch, &g_counters);
      ASSERT_TRUE(s.ok()) << s;
    }
    VerifyAll();
    // And the store takes appends again.
    AppendOk(10);
    VerifyAll();
  }

  void PageStoreEnospc(const std::string& files);

  grpc::Status RunGcWithCompaction(std::string* message = nullptr) {
    v1::RunGcRequest request;
    request.set_compact(true);
    v1::GcReport report;
    auto context = CallContext("", absl::Seconds(60));
    grpc::Status status =
        client_->retention->RunGc(context.get(), request, &report);
    if (message != nullptr) *message = status.error_message();
    return status;
  }

  // A failure the server reports as its own (not a bad request).
  static void ExpectServerError(const grpc::Status& status,
                                const std::string& must_mention) {
    EXPECT_FALSE(status.ok());
    EXPECT_TRUE(status.error_code() == grpc::StatusCode::INTERNAL ||
                status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                status.error_code() == grpc::StatusCode::DATA_LOSS ||
                status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
                status.error_code() == grpc::StatusCode::UNKNOWN)
        << Describe(status);
    EXPECT_TRUE(absl::StrContains(status.error_message(), must_mention))
        << "the message should mention \"" << must_mention
        << "\": " << Describe(status);
  }

  int64_t injected_before_[kOpCount] = {};
  std::unique_ptr<PitrdProcess> pitrd_;
  std::unique_ptr<PitrClient> client_;
  std::unique_ptr<ServerWriter> writer_ =
      std::make_unique<ServerWriter>("main", 7, 42);
};

// The shim is loaded and sees pitrd's WAL and page-store files.
TEST_F(ServerFaultTest, ShimWatchesWalAndPageStore) {
  const int64_t wal_writes = g_injector->ops(kWrite, kWal);
  AppendOk(5);
  EXPECT_GT(g_injector->ops(kWrite, kWal), wal_writes);
  EXPECT_GT(g_injector->ops(kSync, kWal), 0);
  ASSERT_TRUE(RunGcWithCompaction().ok());
  EXPECT_GT(g_injector->ops(kWrite, kPages), 0);
}

// A failed fdatasync of the WAL: the append fails naming it, the WAL is
// poisoned (later appends fail too; the failed fsync is not retried into a
// success), reads keep working, and after a restart nothing acknowledged
// is lost.
TEST_F(ServerFaultTest, WalFsyncFailurePoisonsAndLosesNothing) {
  AppendOk(30);
  FaultSpec spec;
  spec.error = EIO;
  spec.scope = kWal;
  spec.limit = 1;
  g_injector->Arm(kSync, spec);
  PendingBatch failed;
  const grpc::Status status = AppendFails(&failed);
  ExpectServerError(status, "fdatasync");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL)
      << Describe(status);
  EXPECT_EQ(g_injector->injected(kSync), 1);
  std::cout << "fsync failure: " << Describe(status) << std::endl;

  // The fault is gone, but the log's state is unknown: still refused.
  g_injector->Disarm(kSync);
  PendingBatch after;
  const grpc::Status later = AppendFails(&after);
  ExpectServerError(later, "poisoned");
  EXPECT_EQ(later.error_code(), grpc::StatusCode::INTERNAL) << Describe(later);
  // Not visible, not half visible; the acknowledged batches read back.
  VerifyAll();
  EXPECT_TRUE(absl::StrContains(pitrd_->Log(), "fdatasync"));
  CrashRestartAndVerify({failed, after});
}

// ENOSPC on the WAL: appends fail cleanly and name it, reads keep
// working; after space comes back and a restart, everything acknowledged
// is there and appends work.
TEST_F(ServerFaultTest, WalEnospcFailsAppendsCleanly) {
  AppendOk(30);
  FaultSpec spec;
  spec.error = ENOSPC;
  spec.scope = kWal;
  g_injector->Arm(kWrite, spec);
  std::vector<PendingBatch> failed(3);
  for (PendingBatch& batch : failed) {
    const grpc::Status status = AppendFails(&batch);
    ExpectServerError(status, "No space left on device");
    if (&batch == &failed[0]) std::cout << "ENOSPC: " << Describe(status) << std::endl;
  }
  EXPECT_GE(g_injector->injected(kWrite), 1);
  VerifyAll();
  CrashRestartAndVerify(failed);
}

// Short writes on every file (WAL and RocksDB): retried, so every append
// and a flush with compaction succeed, and everything reads back, before
// and after a crash.
TEST_F(ServerFaultTest, ShortWritesAreRetried) {
  FaultSpec spec;
  spec.short_io = true;
  spec.probability_ppm = 500000;
  g_injector->Arm(kWrite, spec);
  AppendOk(200);
  const grpc::Status gc = RunGcWithCompaction();
  EXPECT_TRUE(gc.ok()) << Describe(gc);
  AppendOk(50);
  EXPECT_GT(g_injector->injected(kWrite), 50);
  VerifyAll();
  CrashRestartAndVerify({});
}

// ENOSPC under the page store while it flushes and compacts, on `files`
// (a path substring; empty: every file of pages/): the call that flushed
// fails and says so, the server logs it, appends and reads go on (the WAL
// still holds everything), and after a restart without the fault nothing
// acknowledged is lost.
void ServerFaultTest::PageStoreEnospc(const std::string& files) {
  AppendOk(100);
  FaultSpec spec;
  spec.error = ENOSPC;
  spec.scope = kPages;
  spec.path_contains = files;
  g_injector->Arm(kWrite, spec);
  const grpc::Status gc = RunGcWithCompaction();
  ExpectServerError(gc, "No space left on device");
  std::cout << "page store ENOSPC: " << Describe(gc) << std::endl;
  EXPECT_GE(g_injector->injected(kWrite), 1);
  // The WAL is fine: appends may go on (or be refused clearly), reads too.
  std::vector<PendingBatch> unacknowledged;
  for (int i = 0; i < 20; ++i) {
    PendingBatch batch;
    const grpc::Status status = AppendFails(&batch);
    if (!status.ok()) {
      ExpectServerError(status, "");
      unacknowledged.push_back(batch);
    }
  }
  VerifyAll();
  EXPECT_TRUE(absl::StrContains(pitrd_->Log(), "No space left on device"));
  CrashRestartAndVerify(unacknowledged);
}

// The page store's data files: SSTs, blob files and RocksDB's own log
// ("/0": 000012.sst, 000013.blob, 000009.log).
TEST_F(ServerFaultTest, PageStoreEnospcDuringFlush) { PageStoreEnospc("/0"); }

// Every file of pages/ full. RocksDB's info log once lived there too, and a
// failed LOG write aborted Debian's librocksdb 7.8 (built with assertions:
// `sync_without_flush_called_`); it now goes to spdlog
// (engine/rocksdb_logger.h), so a full disk fails calls, not the server.
TEST_F(ServerFaultTest, PageStoreEnospcOnEveryFile) {
  PageStoreEnospc("");
}

// A failing fsync under the page store: the flush (and the catalog write
// of a new branch) fails naming the sync, nothing acknowledged is lost
// after a restart, and the branch is there or not, never half made.
TEST_F(ServerFaultTest, PageStoreFsyncFailure) {
  AppendOk(100);
  FaultSpec spec;
  spec.error = EIO;
  spec.scope = kPages;
  g_injector->Arm(kSync, spec);
  const grpc::Status gc = RunGcWithCompaction();
  ExpectServerError(gc, "sync");
  std::cout << "page store fsync failure: " << Describe(gc) << std::endl;
  v1::CreateBranchRequest request;
  request.set_name("during-fault");
  request.set_parent("main");
  v1::Branch branch;
  auto context = CallContext();
  const grpc::Status created =
      client_->branches->CreateBranch(context.get(), request, &branch);
  std::cout << "CreateBranch under a failing page-store fsync: "
            << Describe(created) << std::endl;
  EXPECT_GE(g_injector->injected(kSync), 1);
  std::vector<PendingBatch> unacknowledged;
  for (int i = 0; i < 10; ++i) {
    PendingBatch batch;
    if (!AppendFails(&batch).ok()) unacknowledged.push_back(batch);
  }
  VerifyAll();
  CrashRestartAndVerify(unacknowledged);
  v1::GetBranchRequest get;
  get.set_name("during-fault");
  auto get_context = CallContext();
  const grpc::Status found =
      client_->branches->GetBranch(get_context.get(), get, &branch);
  if (created.ok()) {
    EXPECT_TRUE(found.ok()) << "an acknowledged branch is lost: "
                            << Describe(found);
  }
}

// Read errors under the page store: reads fail with a status that says
// so, never with wrong data; once the disk reads again, every page does.
TEST_F(ServerFaultTest, PageStoreReadErrorsFailReadsClearly) {
  AppendOk(200);
  // Flush everything to the page store and restart with a cold cache.
  absl::StatusOr<int> stopped = pitrd_->Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  ASSERT_TRUE(pitrd_->Restart().ok());
  Connect();
  FaultSpec spec;
  spec.error = EIO;
  spec.scope = kPages;
  g_injector->Arm(kRead, spec);
  // Each page either reads exactly or fails clearly.
  int failed = 0;
  for (uint32_t page = 0; page < crash::kPagesPerWriter; ++page) {
    v1::GetPageRequest request;
    request.mutable_key()->set_space(writer_->space());
    request.mutable_key()->set_page(page);
    v1::Page got;
    auto context = CallContext();
    const grpc::Status status =
        client_->pages->GetPage(context.get(), request, &got);
    if (status.ok()) continue;  // the comparison below checks its data
    ++failed;
    ExpectServerError(status, "Input/output error");
    if (failed == 1) std::cout << "read error: " << Describe(status) << std::endl;
  }
  std::cout << failed << " of " << crash::kPagesPerWriter
            << " page reads failed under EIO" << std::endl;
  EXPECT_GT(failed, 0) << "no read reached the disk";
  EXPECT_GE(g_injector->injected(kRead), 1);
  // Whatever did read is right.
  g_injector->Disarm(kRead);
  VerifyAll();
}

// Read errors on the WAL during recovery: pitrd must not start, rather
// than take the unreadable log for a torn tail and serve without
// acknowledged batches; without the fault it recovers them all.
TEST_F(ServerFaultTest, WalReadErrorAtRecoveryLosesNothing) {
  AppendOk(50);
  pitrd_->Kill();
  FaultSpec spec;
  spec.error = EIO;
  spec.scope = kWal;
  g_injector->Arm(kRead, spec);
  const absl::Status restarted = pitrd_->Restart();
  std::cout << "recovery under WAL read errors: " << restarted.message().substr(0, 60)
            << std::endl;
  EXPECT_GE(g_injector->injected(kRead), 1);
  if (restarted.ok()) {
    Connect();
    ADD_FAILURE() << "pitrd started while every WAL read failed";
    VerifyAll();
  }
  pitrd_->Kill();
  g_injector->DisarmAll();
  ASSERT_TRUE(pitrd_->Restart().ok());
  Connect();
  VerifyAll();
}

// When the store cannot be opened (here a read error on
// wal/commit_timestamps.idx), pitrd logs "pitrd: cannot start: <error>"
// and exits 1 (it once died of SIGSEGV, tearing down a half-made server).
TEST_F(ServerFaultTest, WalReadErrorAtRecoveryIsReportedCleanly) {
  AppendOk(5);
  pitrd_->Kill();
  FaultSpec spec;
  spec.error = EIO;
  spec.scope = kWal;
  g_injector->Arm(kRead, spec);
  const absl::Status restarted = pitrd_->Restart();
  ASSERT_FALSE(restarted.ok());
  EXPECT_TRUE(absl::StrContains(restarted.message(), "exited with code 1 "))
      << restarted;
  EXPECT_TRUE(absl::StrContains(restarted.message(), "cannot start"))
      << restarted;
  EXPECT_TRUE(absl::StrContains(restarted.message(), "Input/output error"))
      << restarted;
}

}  // namespace
}  // namespace pitr::fault

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new pitr::fault::ShimEnvironment);
  return RUN_ALL_TESTS();
}
