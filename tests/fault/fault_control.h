// The control block shared by fault_shim.so (LD_PRELOADed into pitrd) and
// the test that drives it: one small file both map with MAP_SHARED, named by
// the environment variable PITR_FAULT_CONTROL. The test arms and disarms
// rules in it while pitrd runs; the shim counts what it sees and injects in
// it, so the counts survive a SIGKILL of pitrd.
//
// The shim watches only files opened under `dir`'s wal/ and pages/
// directories (pitr's WAL and the RocksDB page store); every other file,
// socket and pipe passes straight through.
//
// A rule for a kind of operation (sync, write, read) is armed while
// `error` is non-zero or `short_io` is set; from then on each operation of
// that kind on a watched file in `scope` is "seen"; the first `skip` seen
// pass (operations on files whose path lacks `path_contains` are not
// seen), then each later one fails (or, with short_io, writes half its
// bytes) with probability probability_ppm / 1e6, until `limit` faults have
// been injected (-1: no limit).
//
// Arm a rule only with its `error`/`short_io` stored last (FaultInjector,
// fault_injector.h, does it so); the shim reads them first.
//
// Layout: both sides are built from this header by the same compiler; the
// atomics are lock-free, so they work across processes.
#ifndef PITR_TESTS_FAULT_FAULT_CONTROL_H_
#define PITR_TESTS_FAULT_FAULT_CONTROL_H_

#include <atomic>
#include <cstdint>

namespace pitr::fault {

inline constexpr char kControlEnv[] = "PITR_FAULT_CONTROL";
inline constexpr uint32_t kControlMagic = 0x70667331;  // "pfs1"

// Kinds of operation.
enum Op : int {
  kSync = 0,   // fsync, fdatasync, sync_file_range
  kWrite = 1,  // write, pwrite, writev, pwritev
  kRead = 2,   // read, pread, readv, preadv
  kOpCount = 3,
};

// Where a watched file lives (a bitmask in Rule::scope).
enum Scope : int32_t {
  kWal = 1,    // <dir>/wal/...
  kPages = 2,  // <dir>/pages/...
};

struct Rule {
  std::atomic<int32_t> error;            // errno to fail with; 0: none
  std::atomic<int32_t> short_io;         // 1: write half instead (kWrite)
  std::atomic<int32_t> scope;            // Scope bits
  std::atomic<int32_t> probability_ppm;  // of each seen op after skip
  std::atomic<int64_t> skip;             // seen ops let through first
  std::atomic<int64_t> limit;            // most faults; -1: no limit
  std::atomic<int64_t> seen;             // ops seen while armed
  std::atomic<int64_t> injected;         // faults injected while armed
  // Only files whose path contains this (e.g. ".sst"); empty: every file.
  char path_contains[64];
};

struct Control {
  uint32_t magic;
  char dir[1024];  // the data directory, absolute, NUL-terminated
  Rule rules[kOpCount];
  // Every operation on watched files, armed or not: [op][0 WAL, 1 pages].
  std::atomic<int64_t> ops[kOpCount][2];
  // Faults injected since the file was made, by op (never reset).
  std::atomic<int64_t> total_injected[kOpCount];
  std::atomic<int64_t> total_short_writes;
};

static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::atomic<int32_t>::is_always_lock_free);

}  // namespace pitr::fault

#endif  // PITR_TESTS_FAULT_FAULT_CONTROL_H_
