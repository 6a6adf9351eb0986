#include "tests/crash/workload.h"

#include <algorithm>
#include <cstdlib>
#include <random>

namespace pitr::crash {

EngineOptions CrashEngineOptions(const std::string& dir) {
  EngineOptions options;
  options.dir = dir;
  options.page_size = kPageSize;
  options.wal_segment_size = 16384;
  options.memtable_bytes = 256 << 10;
  options.flush_age = absl::Milliseconds(20);
  options.cache_bytes = 1 << 20;
  options.image_after_deltas = 4;
  options.maintenance_interval = absl::Milliseconds(3);
  return options;
}

namespace {
std::string Bytes(std::mt19937_64& rng, size_t n) {
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}
}  // namespace

std::vector<Op> SeededOps(uint64_t seed) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  const int n = 1 + static_cast<int>(rng() % 5);
  std::vector<Op> ops(n);
  for (Op& op : ops) {
    op.key.space = 1 + static_cast<uint32_t>(rng() % kSpaces);
    op.key.page = static_cast<uint32_t>(rng() % kPagesPerSpace);
    const int dice = static_cast<int>(rng() % 100);
    if (dice < 3) {
      op.kind = RecordKind::kSpaceTruncate;
      op.key.page = 0;
      op.page_count = static_cast<uint32_t>(rng() % kPagesPerSpace);
    } else if (dice < 30) {
      op.kind = RecordKind::kPageImage;
      op.data = Bytes(rng, kPageSize);
    } else {
      op.kind = RecordKind::kPageDelta;
      op.offset = static_cast<uint32_t>(rng() % kPageSize);
      const size_t room = kPageSize - op.offset;
      op.data = Bytes(rng, 1 + rng() % std::min<size_t>(room, 64));
    }
  }
  return ops;
}

WalBatch ToBatch(const std::vector<Op>& ops) {
  WalBatch batch(kMainTimeline);
  for (const Op& op : ops) {
    absl::Status s;
    switch (op.kind) {
      case RecordKind::kPageImage:
        s = batch.PutPageImage(op.key, op.data);
        break;
      case RecordKind::kPageDelta:
        s = batch.PutPageDelta(op.key, op.offset, op.data);
        break;
      case RecordKind::kSpaceTruncate:
        batch.PutSpaceTruncate(op.key.space, op.page_count);
        break;
    }
    if (!s.ok()) std::abort();  // sizes are in range by construction
  }
  return batch;
}

}  // namespace pitr::crash
