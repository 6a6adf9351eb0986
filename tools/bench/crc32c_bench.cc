// crc32c_bench: the CPU cost of checksumming and building WAL batches,
// which wal_bench's `build%` column shows as a share of a durable append.
//
//   bazel run -c opt //tools/bench:crc32c_bench
//
// Crc32c/<implementation>/<source>: each CRC32C implementation this CPU
// runs, over 8 KiB pages taken in turn from 32 KiB (always in L1), 16 MiB
// (wal_bench's pool of pages; in this CPU's L3) or 256 MiB (memory).
// BuildBatch4MiB/<copy|no-copy>/<source>: a WalBatch of 512 such pages,
// added with PutPageImage (checksum and copy) or PutPageImageNoCopy
// (checksum only). Rates are bytes of page data per second.
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/crc32c.h"
#include "benchmark/benchmark.h"
#include "tools/bench/bench_util.h"
#include "wal/batch.h"

namespace pitr {
namespace {

using crc32c::internal::Crc32cImplementation;

constexpr size_t kPageSize = 8 << 10;

constexpr size_t kPoolSize = 256 << 20;

// Random bytes; a benchmark cycles through a prefix of them.
const std::string& Pool() {
  static const std::string* const pool =
      new std::string(bench::RandomPool(kPoolSize, 7));
  return *pool;
}

// Where the pages come from: the prefix of the pool cycled through.
struct Source {
  const char* name;
  size_t bytes;
};
constexpr Source kSources[] = {
    {"l1", 32 << 10},       // always in L1
    {"16MiB", 16 << 20},    // wal_bench's pool: in this CPU's L3
    {"memory", kPoolSize},  // larger than any cache
};

void Crc32c(benchmark::State& state, Crc32cImplementation which,
            Source source) {
  const std::string& pool = Pool();
  size_t offset = 0;
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = crc32c::internal::ExtendWith(which, crc, pool.data() + offset,
                                       kPageSize);
    offset = (offset + kPageSize) % source.bytes;
  }
  benchmark::DoNotOptimize(crc);
  state.SetBytesProcessed(state.iterations() * kPageSize);
}

void RegisterCrc32c() {
  for (Crc32cImplementation which :
       crc32c::internal::kAllCrc32cImplementations) {
    if (!crc32c::internal::Supported(which)) continue;
    for (const Source& source : kSources) {
      benchmark::RegisterBenchmark(
          absl::StrCat("Crc32c/",
                       crc32c::internal::Crc32cImplementationName(which), "/",
                       source.name)
              .c_str(),
          Crc32c, which, source);
    }
  }
}

void BuildBatch(benchmark::State& state, bool copy, Source source) {
  constexpr size_t kPages = 512;
  const std::string& pool = Pool();
  const size_t pool_pages = source.bytes / kPageSize;
  WalBatch batch(kMainTimeline);
  uint32_t page = 0;
  for (auto _ : state) {
    batch.Clear();
    for (size_t i = 0; i < kPages; ++i, ++page) {
      const absl::string_view image(
          pool.data() + (page % pool_pages) * kPageSize, kPageSize);
      const absl::Status s = copy ? batch.PutPageImage({1, page}, image)
                                  : batch.PutPageImageNoCopy({1, page}, image);
      if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    }
    benchmark::DoNotOptimize(batch.encoded_size());
  }
  state.SetBytesProcessed(state.iterations() * kPages * kPageSize);
}

void RegisterBuildBatch() {
  for (bool copy : {true, false}) {
    for (const Source& source : kSources) {
      if (source.bytes < (4 << 20)) continue;  // a batch's pages are distinct
      benchmark::RegisterBenchmark(
          absl::StrCat("BuildBatch4MiB/", copy ? "copy" : "no-copy", "/",
                       source.name)
              .c_str(),
          BuildBatch, copy, source);
    }
  }
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  pitr::RegisterCrc32c();
  pitr::RegisterBuildBatch();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
