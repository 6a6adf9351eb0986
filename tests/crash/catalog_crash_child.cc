// The process catalog_crash_test kills: opens the engine in a directory
// and changes its branches until killed: appends, branch creations,
// restores, deletions of leaf branches, snapshots and GC runs, chosen by a
// seeded random generator. Each catalog change it completes is reported to
// the parent through a pipe (one 32-byte message per write, so each write
// is atomic), so the parent knows what must survive the kill.
//
//   catalog_crash_child <dir> <pipe fd> <seed>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "spdlog/spdlog.h"
#include "tests/crash/catalog_workload.h"

namespace pitr::crash {
namespace {

int fd = -1;

void Send(uint64_t type, uint64_t a = 0, uint64_t b = 0) {
  const CatalogMsg msg{type, a, b, 0};
  if (write(fd, &msg, sizeof(msg)) != sizeof(msg)) _exit(4);
}

[[noreturn]] void Fail(int code, const absl::Status& status) {
  std::fprintf(stderr, "catalog_crash_child: %s\n", status.ToString().c_str());
  _exit(code);
}

[[noreturn]] void ChangeUntilKilled(const std::string& dir, uint64_t seed) {
  absl::StatusOr<std::unique_ptr<Engine>> opened =
      Engine::Open(CatalogCrashOptions(dir));
  if (!opened.ok()) Fail(2, opened.status());
  Engine& engine = **opened;
  Send(kCatalogOpened);
  std::mt19937_64 rng(seed);
  for (uint64_t step = 0;; ++step) {
    const std::vector<Branch> branches = engine.ListBranches();
    const Branch& pick = branches[rng() % branches.size()];
    switch (rng() % 8) {
      case 0: {  // a new branch from a random one, at its latest LSN
        const std::string name = absl::StrCat("b", seed, "-", step);
        absl::StatusOr<Branch> b = engine.CreateBranch(name, pick.id, {});
        if (!b.ok()) Fail(3, b.status());
        Send(kCreated, b->id);
        break;
      }
      case 1: {  // restore a random branch to another one's latest state
        const Branch& source = branches[rng() % branches.size()];
        absl::StatusOr<Catalog::Restored> r =
            engine.RestoreBranch(pick.id, source.id, {});
        if (!r.ok()) Fail(3, r.status());
        Send(kRestored, r->branch.id, r->backup.id);
        break;
      }
      case 2: {  // delete a leaf branch (without snapshots)
        if (pick.id == kMainBranch) break;
        // Announced first: a kill right after the delete must not make
        // the parent expect the branch.
        Send(kDeleting, pick.id);
        engine.DeleteBranch(pick.id, false).IgnoreError();
        break;
      }
      case 3: {
        const std::string name = absl::StrCat("s", seed, "-", step);
        if (engine.snapshots().Create(name, pick.id, {}).ok())
          Send(kSnapshotted, pick.id);
        break;
      }
      case 4: {
        if (!engine
                 .SetRetention(pick.id,
                               Retention{std::nullopt, 1 + rng() % 4096})
                 .ok()) {
          Fail(3, absl::InternalError("SetRetention failed"));
        }
        absl::StatusOr<GcReport> gc = engine.gc().Run(rng() % 2 == 0);
        if (!gc.ok()) Fail(3, gc.status());
        break;
      }
      default: {  // an append to a random branch
        absl::StatusOr<WalBatch> batch = engine.NewBatch(pick.id);
        if (!batch.ok()) Fail(3, batch.status());
        const PageKey key{1, static_cast<uint32_t>(rng() % kCatalogPages)};
        if (rng() % 3 == 0) {
          if (!batch
                   ->PutPageImage(
                       key, std::string(kCatalogPageSize, 'a' + rng() % 26))
                   .ok())
            _exit(5);
        } else {
          if (!batch->PutPageDelta(key, rng() % 100, "delta").ok()) _exit(5);
        }
        absl::StatusOr<AppendResult> r = engine.Append(pick.id, *batch);
        if (!r.ok()) Fail(3, r.status());
        break;
      }
    }
  }
}

}  // namespace
}  // namespace pitr::crash

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <pipe fd> <seed>\n", argv[0]);
    return 1;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
  spdlog::set_level(spdlog::level::warn);
  if (getppid() == 1) return 1;
  pitr::crash::fd = std::atoi(argv[2]);
  pitr::crash::ChangeUntilKilled(argv[1], std::strtoull(argv[3], nullptr, 10));
}
