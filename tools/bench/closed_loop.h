// Closed-loop load for the API benchmarks (server_bench, sqlite_bench):
// N threads each calling in a loop, warmed up, then measured over a window:
// the latency of every call that ends inside it, and the CPU it took.
#ifndef PITR_TOOLS_BENCH_CLOSED_LOOP_H_
#define PITR_TOOLS_BENCH_CLOSED_LOOP_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pitr::bench {

// Nanoseconds in `d`.
int64_t Nanos(std::chrono::steady_clock::duration d);
// CPU seconds (user + system) of RUSAGE_SELF or RUSAGE_THREAD.
double CpuSeconds(int who);

// One point: `clients` threads calling in a loop.
struct Point {
  int clients = 0;
  double seconds = 0;       // the measured window
  uint64_t calls = 0;       // completed inside it
  uint64_t items = 0;       // pages read or written by those calls
  std::vector<int64_t> ns;  // latency of each of those calls
  double cpu_s = 0;         // process CPU over the window
  double client_cpu_s = 0;  // the client threads' own CPU in it
  double ItemsPerSecond() const { return items / seconds; }
  double CallsPerSecond() const { return calls / seconds; }
};

// A call of one client thread: returns the items it did.
using Call = std::function<absl::StatusOr<uint64_t>(int thread)>;

// Runs `call` on `clients` threads: unmeasured for `warmup`, then measured
// for `window` (calls that end inside it). The first error of any thread
// is the result.
absl::StatusOr<Point> ClosedLoop(int clients, absl::Duration warmup,
                                 absl::Duration window, const Call& call);

}  // namespace pitr::bench

#endif  // PITR_TOOLS_BENCH_CLOSED_LOOP_H_
