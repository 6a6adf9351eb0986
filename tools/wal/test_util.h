// Helpers shared by the pitr-wal tests: small generated workloads, fresh
// stores, and comparing the history of two stores page by page. Tests only.
#ifndef PITR_TOOLS_WAL_TEST_UTIL_H_
#define PITR_TOOLS_WAL_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "tools/wal/generator.h"

namespace pitr::waltool::testing {

// A workload small enough to check every page at every commit: 2 spaces of
// 8 pages of 512 bytes, `batches` batches, 3 branches.
GenerateOptions SmallWorkload(uint64_t seed, uint64_t batches = 40);

// Generates `options` into a new WAL directory (with timelines.txt) and
// returns its path.
std::string GenerateWalDir(const std::string& name,
                           const GenerateOptions& options);

// A store in a new directory, GC off.
std::unique_ptr<Engine> OpenFreshEngine(const std::string& name,
                                        uint32_t page_size);

// The commit LSN of every batch of the WAL in `dir` (read-only).
std::vector<Lsn> CommitLsns(const std::string& dir);

// Expects every page of the workload's key space to read the same (content
// or error code) in `want` and `got`, on every branch of `want`, at every
// LSN of `lsns` at or past its branch point that `want` can still read (not
// below its GC horizon).
void ExpectSameHistory(Engine& want, Engine& got,
                       const GenerateOptions& workload,
                       const std::vector<Lsn>& lsns);

}  // namespace pitr::waltool::testing

#endif  // PITR_TOOLS_WAL_TEST_UTIL_H_
