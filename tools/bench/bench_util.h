// Small helpers the benchmarks share: the machine facts they print, where
// their scratch data goes, timing and flag parsing.
#ifndef PITR_TOOLS_BENCH_BENCH_UTIL_H_
#define PITR_TOOLS_BENCH_BENCH_UTIL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pitr::bench {

// The file system holding `path`, e.g. "ext4 (ext2/3/4)".
std::string FsTypeName(const std::string& path);
// "1.00 0.50 0.25": the 1, 5 and 15 minute load averages.
std::string LoadAvg();
double Seconds(std::chrono::steady_clock::duration d);
// `size` random bytes from seed: the pool benchmarks slice page images
// and deltas from (incompressible, and the same in every run).
std::string RandomPool(size_t size, uint64_t seed);
// Nearest-rank percentile (q in [0, 1]) of v, in the unit of v.
double Percentile(std::vector<int64_t> v, double q);
// Where scratch data goes: `dir` if set, else $TEST_TMPDIR, $TMPDIR, /tmp.
std::string ScratchParent(const std::string& dir);
// A new directory "<ScratchParent(dir)>/<name>.XXXXXX" for one run.
absl::StatusOr<std::string> MakeScratchDir(const std::string& dir,
                                           const std::string& name);
// The end of a benchmark's main: removes `scratch` (unless keep), prints
// the failure or the total time since `start`, and returns the exit code.
int Finish(const std::string& name, const std::string& scratch, bool keep,
           const absl::Status& status,
           std::chrono::steady_clock::time_point start);

// Positive numbers from a list flag; INVALID_ARGUMENT naming --flag.
template <typename T>
absl::StatusOr<std::vector<T>> ParseList(const std::vector<std::string>& in,
                                         absl::string_view flag) {
  std::vector<T> out;
  for (const std::string& s : in) {
    T v;
    if (!absl::SimpleAtoi(s, &v) || v <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": bad value '", s, "'"));
    }
    out.push_back(v);
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " is empty"));
  }
  return out;
}

}  // namespace pitr::bench

#endif  // PITR_TOOLS_BENCH_BENCH_UTIL_H_
