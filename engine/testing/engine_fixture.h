// The base of the engine's test suites: an Engine over a scratch
// directory, opened and reopened with the suite's options, and the append
// most tests make. Uses only Engine's public API. For tests only.
//
//   class GcTest : public testing::EngineFixture {
//    protected:
//     void SetUp() override {
//       options_ = testing::TestEngineOptions("gc", 4096);
//       options_.gc_period = absl::InfiniteDuration();
//       Reopen();
//     }
//   };
#ifndef PITR_ENGINE_TESTING_ENGINE_FIXTURE_H_
#define PITR_ENGINE_TESTING_ENGINE_FIXTURE_H_

#include <cstdint>
#include <memory>

#include "absl/strings/string_view.h"
#include "engine/engine.h"
#include "gtest/gtest.h"

namespace pitr::testing {

// Options of an engine in a new empty scratch directory (named after
// `name`) with pages of `page_size` bytes; everything else the default.
EngineOptions TestEngineOptions(absl::string_view name, uint32_t page_size);

// The engine `options` open; nullptr, failing the test, if it does not.
std::unique_ptr<Engine> OpenTestEngine(const EngineOptions& options);

class EngineFixture : public ::testing::Test {
 protected:
  // Closes engine_, if open, and opens options_ in its place; fails the
  // test (fatally) if it cannot.
  void Reopen();

  // Appends `batch` to `branch`: its commit LSN, or 0 if the append is
  // refused (which fails the test).
  Lsn AppendBatch(BranchId branch, const WalBatch& batch);

  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace pitr::testing

#endif  // PITR_ENGINE_TESTING_ENGINE_FIXTURE_H_
