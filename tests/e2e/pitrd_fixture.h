// PitrdFixture: a GoogleTest fixture for tests that talk to one real pitrd
// (pitrd_process.h) through one client.
//
//   class MyTest : public PitrdFixture {
//     void SetUp() override { StartPitrd({"--gc_period=inf"}); }
//   };
//
// A failure to start is a fatal failure of the calling SetUp or test.
#ifndef PITR_TESTS_E2E_PITRD_FIXTURE_H_
#define PITR_TESTS_E2E_PITRD_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/pitrd_process.h"

namespace pitr::e2e {

// The tokens of the file WriteTestTokens writes.
inline constexpr char kTestAdminToken[] = "admin-token-0123456789";
inline constexpr char kTestReadToken[] = "read-token-0123456789";

// Writes a pitrd token file (--token_file) holding those two tokens into
// the test's scratch space; its path.
std::string WriteTestTokens();

class PitrdFixture : public ::testing::Test {
 protected:
  // Starts pitrd with `flags` (PitrdOptions::flags) and connects client_.
  void StartPitrd(std::vector<std::string> flags);
  // Restarts the stopped pitrd on its data directory and reconnects.
  void RestartPitrd();

  std::unique_ptr<PitrdProcess> pitrd_;
  std::unique_ptr<PitrClient> client_;
};

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_PITRD_FIXTURE_H_
