// Generate: a deterministic synthetic workload, from a seed, written to a
// Target. The same options give the same batches, branches and commit
// timestamps every time (a synthetic clock, not the wall clock), so a WAL
// directory generated twice is byte-identical.
//
// Each batch goes to a branch picked at random among those that exist and
// holds 1..batch_size records on pages of spaces [0, spaces) x pages
// [0, pages): full images (image_ratio of the records), truncations of a
// space (truncate_ratio), and deltas (the rest: 1..64 random bytes at a
// random offset). `branches` branches "gen-1", "gen-2", ... are created
// before random batches, each from a random existing branch at a random
// commit LSN of the target since that branch began.
#ifndef PITR_TOOLS_WAL_GENERATOR_H_
#define PITR_TOOLS_WAL_GENERATOR_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "tools/wal/target.h"

namespace pitr::waltool {

struct GenerateOptions {
  uint64_t seed = 1;
  uint32_t spaces = 4;
  uint32_t pages = 256;
  uint32_t page_size = 8192;
  uint64_t batches = 1000;
  uint32_t batch_size = 8;
  double image_ratio = 0.2;
  double truncate_ratio = 0.01;
  uint32_t branches = 0;
  // Commit time of batch i: start_time_us + i * 1e6 / rate (rate 0: i ms).
  int64_t start_time_us = 1700000000000000;
  double rate = 0;
  // Also wait, in real time, so batch i is not sent before i / rate seconds
  // have passed (for a server under a steady load).
  bool pace = false;
  // Called after each batch with the number of batches written so far.
  std::function<void(uint64_t batches)> progress;
};

struct GenerateSummary {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // image and delta bytes
  Lsn end_lsn = 0;     // the target's, after the last batch
};

// INVALID_ARGUMENT for options out of range (no space, page or batch, a
// ratio outside [0, 1]...); the target's own errors.
absl::StatusOr<GenerateSummary> Generate(const GenerateOptions& options,
                                         Target* target);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_GENERATOR_H_
