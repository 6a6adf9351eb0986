// The cost of Engine::MeasureBranchSizes: builds a store of --pages pages
// (random images, so nothing compresses) on main and a branch, flushes,
// reopens (a cold block cache) and times a measurement, against the store's
// size on disk. The store is written to a fresh directory under --dir,
// deleted at the end.
//   bazel run -c opt //tools/bench:branch_sizes_bench -- --pages=100000
#include <chrono>
#include <cstdio>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "tools/bench/bench_util.h"

ABSL_FLAG(uint32_t, pages, 20000, "Pages written on main.");
ABSL_FLAG(uint32_t, page_size, 8192, "Page size.");
ABSL_FLAG(uint32_t, spaces, 10, "Spaces the pages are spread over.");
ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "branch_sizes_bench.XXXXXX is made under it and deleted at the "
          "end). Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");

namespace pitr {
namespace {

absl::Status Run(const std::string& scratch) {
  const uint32_t pages = absl::GetFlag(FLAGS_pages);
  const uint32_t spaces = absl::GetFlag(FLAGS_spaces);
  EngineOptions options;
  options.dir = scratch + "/store";
  options.page_size = absl::GetFlag(FLAGS_page_size);
  options.sync = SyncPolicy::kNone;
  std::mt19937_64 random(1);
  std::string image(options.page_size, '\0');
  {
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                          Engine::Open(options));
    PITR_ASSIGN_OR_RETURN(Branch dev,
                          engine->CreateBranch("dev", kMainBranch, {}));
    // Main gets `pages` pages, dev a tenth as many of its own.
    for (uint32_t i = 0; i < pages + pages / 10; i += 16) {
      const BranchId branch = i < pages ? kMainBranch : dev.id;
      PITR_ASSIGN_OR_RETURN(WalBatch batch, engine->NewBatch(branch));
      for (uint32_t j = i; j < i + 16; ++j) {
        for (size_t k = 0; k < image.size(); k += 8) {
          const uint64_t r = random();
          image.replace(k, 8, reinterpret_cast<const char*>(&r), 8);
        }
        PITR_RETURN_IF_ERROR(
            batch.PutPageImage({j % spaces, j / spaces}, image));
      }
      PITR_RETURN_IF_ERROR(engine->Append(branch, batch).status());
    }
    PITR_RETURN_IF_ERROR(engine->Close());
  }
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(options));
  const uint64_t store_bytes = engine->stats().store_bytes;
  for (int run = 0; run < 2; ++run) {
    PITR_ASSIGN_OR_RETURN(BranchSizes sizes, engine->MeasureBranchSizes());
    uint64_t physical = sizes.unowned_physical_bytes;
    for (const BranchSize& b : sizes.branches) physical += b.physical_bytes;
    std::printf(
        "run %d: %llu records, %.1f MiB measured (store files %.1f MiB) in "
        "%s: %.0f MiB/s\n",
        run, static_cast<unsigned long long>(sizes.records_scanned),
        physical / 1048576.0, store_bytes / 1048576.0,
        absl::FormatDuration(sizes.took).c_str(),
        physical / 1048576.0 / absl::ToDoubleSeconds(sizes.took));
    for (const BranchSize& b : sizes.branches) {
      std::printf("  %s: logical %llu, physical %llu\n", b.name.c_str(),
                  static_cast<unsigned long long>(b.logical_bytes),
                  static_cast<unsigned long long>(b.physical_bytes));
    }
  }
  return engine->Close();
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  const absl::StatusOr<std::string> scratch = pitr::bench::MakeScratchDir(
      absl::GetFlag(FLAGS_dir), "branch_sizes_bench");
  if (!scratch.ok()) {
    std::fprintf(stderr, "%s\n", scratch.status().ToString().c_str());
    return 1;
  }
  std::printf("scratch %s (%s)\n", scratch->c_str(),
              pitr::bench::FsTypeName(*scratch).c_str());
  return pitr::bench::Finish("branch_sizes_bench", *scratch, /*keep=*/false,
                             pitr::Run(*scratch), start);
}
