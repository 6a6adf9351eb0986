// Invariants 1 and 2 of docs/design.md through the real server, round after
// round: pitrd (the binary) serves 4 branches (main, b1 from main, b2 from
// b1, b3 from main), one client thread appends marked batches to each
// (server_workload.h), the test takes a snapshot on a random branch, now
// and then makes a branch from a snapshot or runs GC with compaction (a
// flush and a compaction the kill may interrupt), and kills pitrd with
// SIGKILL at a random moment. Every 7th round ends with SIGTERM instead,
// after the writers stop, so pitrd flushes and trims its WAL: later rounds
// read from both the page store and the replayed WAL.
//
// After each restart, on the same data directory:
//  - the batch each writer had in flight is wholly committed or not at all
//    (if committed, the LSN it became visible at is found, and no probe on
//    the way shows half of it);
//  - every page of every writer's space at the latest LSN equals the model;
//  - every batch acknowledged in the round reads exactly at its commit LSN,
//    and one LSN before it reads as the previous batches left it; a random
//    sample of older batches too;
//  - the branch list (names, ids, parents, branch points) and the snapshot
//    list (names, branches, LSNs) are as made; the latest snapshots and
//    branches made from snapshots read as the model did at their LSN.
// Then the next round appends on top.
//
// Rounds: 20 by default (under a minute); --rounds=N or PITR_CRASH_ROUNDS=N
// for more, --seed=N or PITR_CRASH_SEED=N to replay one run:
//   bazel test //tests/crash:server_crash_loop_test --test_arg=--rounds=200
//       --test_timeout=3600 --test_output=streamed
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "proto/branch_service.grpc.pb.h"
#include "proto/retention_service.grpc.pb.h"
#include "proto/snapshot_service.grpc.pb.h"
#include "tests/crash/server_workload.h"
#include "tests/e2e/pitrd_process.h"

namespace pitr::crash {
namespace {

int64_t g_rounds = 20;
uint64_t g_seed = 0;  // 0: from the clock

using e2e::CallContext;
using e2e::Describe;
using e2e::PitrClient;
using e2e::PitrdOptions;
using e2e::PitrdProcess;

struct ExpectedBranch {
  uint64_t id = 0;
  std::string parent;
  uint64_t branch_point_lsn = 0;
  // For a branch made from a snapshot: the writer whose space it shows, as
  // of `model_lsn`.
  int writer = -1;
  uint64_t model_lsn = 0;
};

struct ExpectedSnapshot {
  std::string branch;
  uint64_t lsn = 0;
  int writer = 0;
};

// What one writer thread did in a round.
struct RoundResult {
  std::optional<PendingBatch> in_flight;
  std::string unexpected_error;  // a failure before the kill
};

// Appends until `stop`, or until a call fails.
void WriteUntilStopped(PitrClient* client, ServerWriter* writer,
                       const std::atomic<bool>* stop,
                       const std::atomic<bool>* killed, RoundResult* result) {
  while (!stop->load()) {
    PendingBatch batch = writer->Next();
    v1::AppendResponse response;
    const grpc::Status status = writer->Send(*client, batch, &response);
    if (status.ok()) {
      writer->Acknowledged(batch, response.commit_lsn());
      continue;
    }
    result->in_flight = std::move(batch);
    if (!killed->load()) {
      result->unexpected_error =
          absl::StrCat("Append to ", writer->branch(), " failed before the "
                       "kill: ", Describe(status));
    }
    return;
  }
}

absl::Status ToStatus(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

absl::StatusOr<v1::Branch> CreateBranch(PitrClient& client,
                                        const std::string& name,
                                        const std::string& parent,
                                        const v1::PointInTime* point) {
  v1::CreateBranchRequest request;
  request.set_name(name);
  request.set_parent(parent);
  if (point != nullptr) *request.mutable_point() = *point;
  v1::Branch branch;
  auto context = CallContext();
  const grpc::Status status =
      client.branches->CreateBranch(context.get(), request, &branch);
  if (!status.ok()) return ToStatus(status, "CreateBranch " + name);
  return branch;
}

absl::Status CheckBranches(PitrClient& client,
                           const std::map<std::string, ExpectedBranch>& want) {
  std::map<std::string, v1::Branch> got;
  v1::ListBranchesRequest request;
  request.set_page_size(100);
  do {
    v1::ListBranchesResponse response;
    auto context = CallContext();
    const grpc::Status status =
        client.branches->ListBranches(context.get(), request, &response);
    if (!status.ok()) return ToStatus(status, "ListBranches");
    for (const v1::Branch& branch : response.branches()) {
      got[branch.name()] = branch;
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  if (got.size() != want.size()) {
    std::string names;
    for (const auto& entry : got) absl::StrAppend(&names, " ", entry.first);
    return absl::DataLossError(absl::StrCat("ListBranches lists ", got.size(),
                                            " branches (", names, " ), not ",
                                            want.size()));
  }
  for (const auto& [name, expected] : want) {
    auto it = got.find(name);
    if (it == got.end()) {
      return absl::DataLossError(absl::StrCat("branch ", name, " is missing"));
    }
    const v1::Branch& branch = it->second;
    if (branch.id() != expected.id || branch.parent() != expected.parent ||
        branch.branch_point_lsn() != expected.branch_point_lsn) {
      return absl::DataLossError(absl::StrCat(
          "branch ", name, " reads as ", branch.ShortDebugString(),
          "; made with id ", expected.id, ", parent \"", expected.parent,
          "\", branch point ", expected.branch_point_lsn));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSnapshots(
    PitrClient& client, const std::map<std::string, ExpectedSnapshot>& want) {
  std::map<std::string, v1::Snapshot> got;
  v1::ListSnapshotsRequest request;
  request.set_page_size(100);
  do {
    v1::ListSnapshotsResponse response;
    auto context = CallContext();
    const grpc::Status status =
        client.snapshots->ListSnapshots(context.get(), request, &response);
    if (!status.ok()) return ToStatus(status, "ListSnapshots");
    for (const v1::Snapshot& snapshot : response.snapshots()) {
      got[snapshot.name()] = snapshot;
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  if (got.size() != want.size()) {
    return absl::DataLossError(absl::StrCat(
        "ListSnapshots lists ", got.size(), " snapshots, not ", want.size()));
  }
  for (const auto& [name, expected] : want) {
    auto it = got.find(name);
    if (it == got.end()) {
      return absl::DataLossError(absl::StrCat("snapshot ", name, " is missing"));
    }
    if (it->second.branch() != expected.branch ||
        it->second.lsn() != expected.lsn) {
      return absl::DataLossError(absl::StrCat(
          "snapshot ", name, " reads as ", it->second.ShortDebugString(),
          "; made on ", expected.branch, " at lsn ", expected.lsn));
    }
  }
  return absl::OkStatus();
}

TEST(ServerCrashLoopTest, AcknowledgedBatchesSurviveSigkillRounds) {
  const uint64_t seed =
      g_seed != 0 ? g_seed
                  : static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  std::cout << "server_crash_loop_test: seed " << seed << ", " << g_rounds
            << " rounds (replay with --seed=" << seed << ")" << std::endl;
  std::mt19937_64 rng(seed);

  PitrdOptions options;
  options.flags = {absl::StrCat("--page_size=", kServerPageSize),
                   "--shutdown_grace=5s"};
  absl::StatusOr<std::unique_ptr<PitrdProcess>> started =
      PitrdProcess::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  PitrdProcess& pitrd = **started;

  // The branches and their writers.
  const std::vector<std::pair<std::string, std::string>> tree = {
      {"main", ""}, {"b1", "main"}, {"b2", "b1"}, {"b3", "main"}};
  std::map<std::string, ExpectedBranch> branches;
  std::vector<std::unique_ptr<ServerWriter>> writers;
  {
    PitrClient client(pitrd.NewChannel());
    for (size_t i = 0; i < tree.size(); ++i) {
      const auto& [name, parent] = tree[i];
      ExpectedBranch expected;
      if (parent.empty()) {
        v1::GetBranchRequest request;
        request.set_name(name);
        v1::Branch branch;
        auto context = CallContext();
        const grpc::Status status =
            client.branches->GetBranch(context.get(), request, &branch);
        ASSERT_TRUE(status.ok()) << Describe(status);
        expected.id = branch.id();
        expected.parent = branch.parent();
        expected.branch_point_lsn = branch.branch_point_lsn();
      } else {
        absl::StatusOr<v1::Branch> branch =
            CreateBranch(client, name, parent, nullptr);
        ASSERT_TRUE(branch.ok()) << branch.status();
        expected.id = branch->id();
        expected.parent = parent;
        expected.branch_point_lsn = branch->branch_point_lsn();
      }
      branches[name] = expected;
      writers.push_back(std::make_unique<ServerWriter>(
          name, static_cast<uint32_t>(10 + i), rng()));
    }
  }
  std::map<std::string, ExpectedSnapshot> snapshots;

  VerifyCounters counters;
  int64_t kills = 0, clean_stops = 0, gc_runs = 0;
  const absl::Time began = absl::Now();
  for (int64_t round = 0; round < g_rounds && !HasFailure(); ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round, " (seed ", seed, ")"));
    const bool clean = round % 7 == 6;
    std::vector<size_t> acked_before;
    for (const auto& writer : writers) {
      acked_before.push_back(writer->acknowledged());
    }

    // --- Load, then the kill. ---
    std::atomic<bool> stop{false};
    std::atomic<bool> killed{false};
    std::vector<RoundResult> results(writers.size());
    std::vector<std::unique_ptr<PitrClient>> clients;
    std::vector<std::thread> threads;
    for (size_t w = 0; w < writers.size(); ++w) {
      clients.push_back(std::make_unique<PitrClient>(pitrd.NewChannel()));
      threads.emplace_back(WriteUntilStopped, clients[w].get(),
                           writers[w].get(), &stop, &killed, &results[w]);
    }
    PitrClient control(pitrd.NewChannel());
    std::thread gc;
    std::string gc_error;
    if (round % 4 == 1) {
      ++gc_runs;
      gc = std::thread([&] {
        v1::RunGcRequest request;
        request.set_compact(true);
        v1::GcReport report;
        auto context = CallContext("", absl::Seconds(60));
        const grpc::Status status =
            control.retention->RunGc(context.get(), request, &report);
        if (!status.ok() && !killed.load()) {
          gc_error = "RunGc failed before the kill: " + Describe(status);
        }
      });
    }
    absl::SleepFor(absl::Milliseconds(30 + rng() % 300));
    // No ASSERT while the threads run: a failure is kept for after the kill.
    const absl::Status made = [&]() -> absl::Status {
      // A snapshot of a random writer's branch, and sometimes a branch
      // made from it.
      const int w = static_cast<int>(rng() % writers.size());
      const std::string name = absl::StrCat("r", round, "-", writers[w]->branch());
      v1::CreateSnapshotRequest request;
      request.set_name(name);
      request.set_branch(writers[w]->branch());
      v1::Snapshot snapshot;
      auto context = CallContext();
      const grpc::Status status =
          control.snapshots->CreateSnapshot(context.get(), request, &snapshot);
      if (!status.ok()) return ToStatus(status, "CreateSnapshot " + name);
      snapshots[name] = ExpectedSnapshot{writers[w]->branch(), snapshot.lsn(), w};
      if (round % 3 == 2) {
        v1::PointInTime point;
        point.set_snapshot(name);
        const std::string branch_name = absl::StrCat("from-", name);
        absl::StatusOr<v1::Branch> branch =
            CreateBranch(control, branch_name, writers[w]->branch(), &point);
        if (!branch.ok()) return branch.status();
        if (branch->branch_point_lsn() != snapshot.lsn()) {
          return absl::InternalError(absl::StrCat(
              "branch ", branch_name, " made at snapshot lsn ", snapshot.lsn(),
              " has branch point ", branch->branch_point_lsn()));
        }
        branches[branch_name] = ExpectedBranch{
            branch->id(), writers[w]->branch(), branch->branch_point_lsn(), w,
            snapshot.lsn()};
      }
      return absl::OkStatus();
    }();
    absl::SleepFor(absl::Milliseconds(rng() % 300));
    if (clean) {
      stop = true;
      for (std::thread& thread : threads) thread.join();
      if (gc.joinable()) gc.join();
      absl::StatusOr<int> exit_code = pitrd.Stop();
      ASSERT_TRUE(exit_code.ok()) << exit_code.status();
      EXPECT_EQ(*exit_code, 0) << "pitrd's exit code after SIGTERM";
      ++clean_stops;
    } else {
      killed = true;
      pitrd.Kill();
      stop = true;
      for (std::thread& thread : threads) thread.join();
      if (gc.joinable()) gc.join();
      ++kills;
    }
    EXPECT_TRUE(made.ok()) << made;
    EXPECT_EQ(gc_error, "");
    for (const RoundResult& result : results) {
      EXPECT_EQ(result.unexpected_error, "");
    }

    // --- Restart and check. ---
    const absl::Status restarted = pitrd.Restart();
    ASSERT_TRUE(restarted.ok()) << restarted;
    PitrClient client(pitrd.NewChannel());
    for (size_t w = 0; w < writers.size(); ++w) {
      ServerWriter& writer = *writers[w];
      if (results[w].in_flight) {
        const absl::Status recovered =
            writer.Recover(client, *results[w].in_flight, &counters);
        ASSERT_TRUE(recovered.ok()) << recovered;
      }
      absl::Status s = writer.VerifyLatest(client, &counters);
      ASSERT_TRUE(s.ok()) << s;
      s = writer.VerifyBatches(client, acked_before[w], &counters);
      ASSERT_TRUE(s.ok()) << s;
      s = writer.VerifySample(client, 8, &counters);
      ASSERT_TRUE(s.ok()) << s;
    }
    absl::Status s = CheckBranches(client, branches);
    ASSERT_TRUE(s.ok()) << s;
    s = CheckSnapshots(client, snapshots);
    ASSERT_TRUE(s.ok()) << s;
    // Each snapshot and branch from a snapshot is read the round it is
    // made, and a few at random later.
    for (const auto& [name, snapshot] : snapshots) {
      if (!absl::StartsWith(name, absl::StrCat("r", round, "-")) &&
          rng() % snapshots.size() >= 3) {
        continue;
      }
      v1::PointInTime point;
      point.set_snapshot(name);
      s = writers[snapshot.writer]->VerifyAt(client, snapshot.branch, point,
                                             snapshot.lsn, &counters);
      ASSERT_TRUE(s.ok()) << "snapshot " << name << ": " << s;
    }
    for (const auto& [name, branch] : branches) {
      if (branch.writer < 0) continue;
      if (!absl::StrContains(name, absl::StrCat("-r", round, "-")) &&
          rng() % branches.size() >= 3) {
        continue;
      }
      s = writers[branch.writer]->VerifyAt(client, name, v1::PointInTime(),
                                           branch.model_lsn, &counters);
      ASSERT_TRUE(s.ok()) << "branch " << name << ": " << s;
    }
  }

  // A last full check: every acknowledged batch, at its LSN.
  {
    PitrClient client(pitrd.NewChannel());
    for (const auto& writer : writers) {
      const absl::Status s = writer->VerifyBatches(client, 0, &counters);
      EXPECT_TRUE(s.ok()) << s;
    }
  }
  uint64_t acked = 0;
  for (const auto& writer : writers) acked += writer->acknowledged();
  std::cout << "server_crash_loop_test summary: seed " << seed << ", rounds "
            << kills + clean_stops << " (" << kills << " SIGKILL, "
            << clean_stops << " SIGTERM), " << gc_runs
            << " GC+compaction runs raced, batches acknowledged " << acked
            << " (of which " << counters.in_flight_visible
            << " unacknowledged but committed; " << counters.in_flight_absent
            << " unacknowledged and absent), batches checked at their LSN "
            << counters.batches_checked << ", pages compared "
            << counters.pages_compared << ", snapshots " << snapshots.size()
            << ", branches " << branches.size() << ", "
            << absl::FormatDuration(absl::Trunc(absl::Now() - began,
                                                absl::Milliseconds(1)))
            << std::endl;
}

}  // namespace
}  // namespace pitr::crash

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (const char* env = std::getenv("PITR_CRASH_ROUNDS")) {
    if (!absl::SimpleAtoi(env, &pitr::crash::g_rounds)) {
      std::cerr << "bad PITR_CRASH_ROUNDS: " << env << "\n";
      return 2;
    }
  }
  if (const char* env = std::getenv("PITR_CRASH_SEED")) {
    if (!absl::SimpleAtoi(env, &pitr::crash::g_seed)) {
      std::cerr << "bad PITR_CRASH_SEED: " << env << "\n";
      return 2;
    }
  }
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    bool ok = false;
    if (absl::StartsWith(arg, "--rounds=")) {
      ok = absl::SimpleAtoi(arg.substr(9), &pitr::crash::g_rounds);
    } else if (absl::StartsWith(arg, "--seed=")) {
      ok = absl::SimpleAtoi(arg.substr(7), &pitr::crash::g_seed);
    }
    if (!ok) {
      std::cerr << "unknown or bad argument: " << arg
                << " (expected --rounds=N or --seed=N)\n";
      return 2;
    }
  }
  return RUN_ALL_TESTS();
}
