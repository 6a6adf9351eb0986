// The crash test's workload, shared by the test (which keeps the reference
// model) and the child process it kills (engine_crash_child.cc): the engine
// options, batches that are a pure function of a seed, and the messages the
// child sends its parent through a pipe.
#ifndef PITR_TESTS_CRASH_WORKLOAD_H_
#define PITR_TESTS_CRASH_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "wal/batch.h"
#include "wal/record.h"

namespace pitr::crash {

// 1 KiB pages: an image (1025 bytes with its kind byte) reaches RocksDB's
// min_blob_size, so images go through blob files too.
inline constexpr uint32_t kPageSize = 1024;
// The key space: pages 0..kPagesPerSpace-1 of spaces 1..kSpaces.
inline constexpr uint32_t kSpaces = 2;
inline constexpr uint32_t kPagesPerSpace = 8;

// Options that make background work race with the kill: small memtables
// and WAL segments, a flush 20 ms after the oldest unflushed batch (so the
// WAL is trimmed all the time), images after 4 deltas.
EngineOptions CrashEngineOptions(const std::string& dir);

// One change of a batch.
struct Op {
  RecordKind kind = RecordKind::kPageImage;
  PageKey key;              // truncate: key.space only
  uint32_t offset = 0;      // delta
  uint32_t page_count = 0;  // truncate
  std::string data;         // image or delta bytes
};

// The changes of the batch named `seed`: 1 to 5 images, deltas and (rarely)
// truncations over the key space. Deterministic.
std::vector<Op> SeededOps(uint64_t seed);
WalBatch ToBatch(const std::vector<Op>& ops);

// What the child writes to the pipe, one fixed-size message per write (so
// each write is atomic, PIPE_BUF).
enum MsgType : uint64_t {
  kOpening = 1,  // about to call Engine::Open (recovery)
  kOpened = 2,   // a = latest_lsn after recovery
  kAttempt = 3,  // a = seed, about to be appended
  kAck = 4,      // a = seed, b = start_lsn, c = commit_lsn: acknowledged
  kStats = 5,    // a = flushes, b = images materialised, c = flushed_lsn
};
struct Msg {
  uint64_t type = 0;
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t c = 0;
};

}  // namespace pitr::crash

#endif  // PITR_TESTS_CRASH_WORKLOAD_H_
