// The cost of Engine::MeasureBranchSizes: builds a store of --pages pages
// (random images, so nothing compresses) on main and a branch, flushes,
// reopens (a cold block cache) and times a measurement, against the store's
// size on disk.
//   bazel run -c opt //engine:branch_sizes_bench -- --pages=100000
#include <cstdio>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "engine/engine.h"

ABSL_FLAG(uint32_t, pages, 20000, "Pages written on main.");
ABSL_FLAG(uint32_t, page_size, 8192, "Page size.");
ABSL_FLAG(uint32_t, spaces, 10, "Spaces the pages are spread over.");
ABSL_FLAG(std::string, dir, "/tmp/pitr_branch_sizes_bench", "Store (erased).");

namespace pitr {
namespace {

int Die(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return 1;
}

int Main() {
  const uint32_t pages = absl::GetFlag(FLAGS_pages);
  const uint32_t spaces = absl::GetFlag(FLAGS_spaces);
  EngineOptions options;
  options.dir = absl::GetFlag(FLAGS_dir);
  options.page_size = absl::GetFlag(FLAGS_page_size);
  options.sync = SyncPolicy::kNone;
  std::string command = "rm -rf " + options.dir;
  if (std::system(command.c_str()) != 0) return 1;
  std::mt19937_64 random(1);
  std::string image(options.page_size, '\0');
  {
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
    if (!engine.ok()) return Die(engine.status());
    absl::StatusOr<Branch> dev = (*engine)->CreateBranch("dev", kMainBranch, {});
    if (!dev.ok()) return Die(dev.status());
    // Main gets `pages` pages, dev a tenth as many of its own.
    for (uint32_t i = 0; i < pages + pages / 10; i += 16) {
      const BranchId branch = i < pages ? kMainBranch : dev->id;
      absl::StatusOr<WalBatch> batch = (*engine)->NewBatch(branch);
      if (!batch.ok()) return Die(batch.status());
      for (uint32_t j = i; j < i + 16; ++j) {
        for (size_t k = 0; k < image.size(); k += 8) {
          const uint64_t r = random();
          image.replace(k, 8, reinterpret_cast<const char*>(&r), 8);
        }
        absl::Status put =
            batch->PutPageImage({j % spaces, j / spaces}, image);
        if (!put.ok()) return Die(put);
      }
      absl::StatusOr<AppendResult> r = (*engine)->Append(branch, *batch);
      if (!r.ok()) return Die(r.status());
    }
    absl::Status closed = (*engine)->Close();
    if (!closed.ok()) return Die(closed);
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  if (!engine.ok()) return Die(engine.status());
  const uint64_t store_bytes = (*engine)->stats().store_bytes;
  for (int run = 0; run < 2; ++run) {
    absl::StatusOr<BranchSizes> sizes = (*engine)->MeasureBranchSizes();
    if (!sizes.ok()) return Die(sizes.status());
    uint64_t physical = sizes->unowned_physical_bytes;
    for (const BranchSize& b : sizes->branches) physical += b.physical_bytes;
    std::printf(
        "run %d: %llu records, %.1f MiB measured (store files %.1f MiB) in "
        "%s: %.0f MiB/s\n",
        run, static_cast<unsigned long long>(sizes->records_scanned),
        physical / 1048576.0, store_bytes / 1048576.0,
        absl::FormatDuration(sizes->took).c_str(),
        physical / 1048576.0 / absl::ToDoubleSeconds(sizes->took));
    for (const BranchSize& b : sizes->branches) {
      std::printf("  %s: logical %llu, physical %llu\n", b.name.c_str(),
                  static_cast<unsigned long long>(b.logical_bytes),
                  static_cast<unsigned long long>(b.physical_bytes));
    }
  }
  return 0;
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return pitr::Main();
}
