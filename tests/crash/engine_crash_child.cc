// The process engine_crash_test kills: opens (and so recovers) the engine
// in a directory, then appends seeded batches until it is killed, telling
// its parent what it does through a pipe (workload.h, MsgType).
//
//   engine_crash_child <dir> <pipe fd> <first seed>
//
// The test starts it with fork + exec rather than a bare fork: the parent
// has RocksDB's background thread pool running (from checking earlier
// rounds), and a forked copy would inherit that pool's bookkeeping without
// its threads.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/engine.h"
#include "tests/crash/workload.h"

namespace pitr::crash {
namespace {

int fd = -1;

void Send(uint64_t type, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0) {
  const Msg msg{type, a, b, c};
  if (write(fd, &msg, sizeof(msg)) != sizeof(msg)) _exit(4);
}

[[noreturn]] void Fail(int code, const absl::Status& status) {
  std::fprintf(stderr, "engine_crash_child: %s\n", status.ToString().c_str());
  _exit(code);
}

[[noreturn]] void AppendUntilKilled(const std::string& dir,
                                    uint64_t first_seed) {
  Send(kOpening);
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(CrashEngineOptions(dir));
  if (!engine.ok()) Fail(2, engine.status());
  Send(kOpened, (*engine)->latest_lsn());
  for (uint64_t seed = first_seed;; ++seed) {
    const WalBatch batch = ToBatch(SeededOps(seed));
    Send(kAttempt, seed);
    absl::StatusOr<AppendResult> r = (*engine)->Append(batch);
    if (!r.ok()) Fail(3, r.status());
    Send(kAck, seed, r->start_lsn, r->commit_lsn);
    if (seed % 16 == 0) {
      const EngineStats stats = (*engine)->stats();
      Send(kStats, stats.flushes, stats.images_materialized, stats.flushed_lsn);
    }
  }
}

}  // namespace
}  // namespace pitr::crash

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <pipe fd> <first seed>\n", argv[0]);
    return 1;
  }
  // Never outlive the test, whatever happens to it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 1;
  pitr::crash::fd = std::atoi(argv[2]);
  pitr::crash::AppendUntilKilled(argv[1], std::strtoull(argv[3], nullptr, 10));
}
