// What the model-based tests share: their knobs (PITR_MODEL_SEEDS,
// PITR_MODEL_STEPS) and how they describe a mismatch.
#ifndef PITR_TESTS_MODEL_MODEL_REPORTING_H_
#define PITR_TESTS_MODEL_MODEL_REPORTING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace pitr {

// "1,2,3" or "10-20" (or both, comma-separated). A part that does not
// parse fails the test.
std::vector<uint64_t> ParseSeeds(const std::string& text);
// PITR_MODEL_SEEDS, or default_seeds.
std::vector<uint64_t> SeedsFromEnv(const char* default_seeds);
// PITR_MODEL_STEPS, or default_steps.
int StepsFromEnv(int default_steps);

std::string Hex(absl::string_view bytes);
// "absent (NOT_FOUND)" or "<n> bytes, starting <hex of the first 16>".
std::string Describe(const std::optional<std::string>& page);
// Where two pages first (and last) differ, with the bytes around it.
std::string Diff(const std::string& engine, const std::string& model);

}  // namespace pitr

#endif  // PITR_TESTS_MODEL_MODEL_REPORTING_H_
