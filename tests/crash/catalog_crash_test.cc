// Crashes during catalog changes: a child process creating, restoring and
// deleting branches, taking snapshots, running GC and appending is killed
// with SIGKILL at random moments (many rounds in one directory). After each
// kill the store must open, every catalog change the child completed must
// be there, and every branch must be readable, without internal errors.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/testing/test_files.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "tests/crash/catalog_workload.h"
#include "tests/crash/child_process.h"

namespace pitr::crash {
namespace {

// Runs the child until `kill_after` after it has opened the store, kills it,
// and returns what it reported.
std::vector<CatalogMsg> RunAndKill(const std::string& dir, uint64_t seed,
                                   absl::Duration kill_after) {
  std::vector<CatalogMsg> messages;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return messages;
  }
  fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);  // the child never waits for us
  const std::string path = ChildBinaryPath("catalog_crash_child");
  const std::string fd_arg = absl::StrCat(fds[1]);
  const std::string seed_arg = absl::StrCat(seed);
  const pid_t child = fork();
  if (child == 0) {
    fcntl(fds[1], F_SETFD, 0);
    execl(path.c_str(), path.c_str(), dir.c_str(), fd_arg.c_str(),
          seed_arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  auto read_message = [&](CatalogMsg* msg) {
    return read(fds[0], msg, sizeof(*msg)) == sizeof(*msg);
  };
  CatalogMsg first;
  if (!read_message(&first) || first.type != kCatalogOpened) {
    ADD_FAILURE() << "the child did not open the store";
  }
  absl::SleepFor(kill_after);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the child died by itself: " << status;
  CatalogMsg msg;
  while (read_message(&msg)) messages.push_back(msg);
  close(fds[0]);
  return messages;
}

TEST(CatalogCrashTest, KillsDuringBranchChangesLeaveAConsistentCatalog) {
  const std::string dir = testing::NewTestDir("catalog_crash");
  std::mt19937 rng(7);
  std::set<BranchId> must_exist = {kMainBranch};
  int changes = 0;
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    for (const CatalogMsg& m :
         RunAndKill(dir, 1000 + round,
                    absl::Milliseconds(
                        std::uniform_int_distribution<>(20, 300)(rng)))) {
      ++changes;
      if (m.type == kCreated) must_exist.insert(m.a);
      if (m.type == kRestored) must_exist.insert(m.b);  // the backup
      if (m.type == kDeleting) must_exist.erase(m.a);
    }

    absl::StatusOr<std::unique_ptr<Engine>> engine =
        Engine::Open(CatalogCrashOptions(dir));
    ASSERT_TRUE(engine.ok()) << engine.status();
    std::set<BranchId> present;
    for (const Branch& b : (*engine)->ListBranches()) present.insert(b.id);
    for (BranchId id : must_exist) {
      EXPECT_EQ(present.count(id), 1u)
          << "acknowledged branch #" << id << " lost";
    }
    for (const Branch& b : (*engine)->ListBranches()) {
      if (b.parent != 0) {
        EXPECT_TRUE((*engine)->GetBranch(b.parent).ok())
            << "branch #" << b.id << " has a missing parent #" << b.parent;
      }
      absl::StatusOr<HistoryBounds> bounds = (*engine)->GetHistoryBounds(b.id);
      ASSERT_TRUE(bounds.ok()) << bounds.status();
      for (uint32_t page = 0; page < kCatalogPages; ++page) {
        for (Lsn lsn : {bounds->oldest_lsn, bounds->latest_lsn}) {
          absl::StatusOr<std::string> read =
              (*engine)->GetPage(b.id, {1, page}, lsn);
          EXPECT_TRUE(read.ok() || absl::IsNotFound(read.status()))
              << "branch #" << b.id << " page " << page << ": "
              << read.status();
          if (read.ok()) {
            EXPECT_EQ(read->size(), kCatalogPageSize);
          }
        }
      }
    }
    for (const Snapshot& s : (*engine)->snapshots().List()) {
      absl::StatusOr<Branch> from = (*engine)->snapshots().CreateBranch(
          absl::StrCat("check-", round, "-", s.id), s.name);
      ASSERT_TRUE(from.ok()) << from.status();
      EXPECT_TRUE(
          (*engine)->GetPage(from->id, {1, 0}).ok() ||
          absl::IsNotFound((*engine)->GetPage(from->id, {1, 0}).status()));
      ASSERT_TRUE((*engine)->DeleteBranch(from->id, false).ok());
    }
  }
  EXPECT_GT(changes, 20)
      << "the child made too few catalog changes to test much";
}

}  // namespace
}  // namespace pitr::crash
