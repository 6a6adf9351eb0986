#include "tests/model/model_reporting.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace pitr {

std::vector<uint64_t> ParseSeeds(const std::string& text) {
  std::vector<uint64_t> seeds;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> range = absl::StrSplit(part, '-');
    uint64_t a = 0, b = 0;
    if (range.size() == 1 && absl::SimpleAtoi(range[0], &a)) {
      seeds.push_back(a);
    } else if (range.size() == 2 && absl::SimpleAtoi(range[0], &a) &&
               absl::SimpleAtoi(range[1], &b) && a <= b) {
      for (uint64_t s = a; s <= b; ++s) seeds.push_back(s);
    } else {
      ADD_FAILURE() << "PITR_MODEL_SEEDS: cannot parse \"" << part
                    << "\" (want e.g. \"1,2,3\" or \"10-20\")";
    }
  }
  return seeds;
}

std::vector<uint64_t> SeedsFromEnv(const char* default_seeds) {
  const char* env = std::getenv("PITR_MODEL_SEEDS");
  return ParseSeeds(env != nullptr && *env != '\0' ? env : default_seeds);
}

int StepsFromEnv(int default_steps) {
  const char* env = std::getenv("PITR_MODEL_STEPS");
  int steps = default_steps;
  if (env != nullptr && *env != '\0' && !absl::SimpleAtoi(env, &steps)) {
    ADD_FAILURE() << "PITR_MODEL_STEPS: not a number: " << env;
  }
  return steps;
}

std::string Hex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Describe(const std::optional<std::string>& page) {
  if (!page) return "absent (NOT_FOUND)";
  return absl::StrCat(page->size(), " bytes, starting ",
                      Hex(absl::string_view(*page).substr(0, 16)));
}

std::string Diff(const std::string& engine, const std::string& model) {
  size_t first = 0;
  while (first < engine.size() && first < model.size() &&
         engine[first] == model[first]) {
    ++first;
  }
  std::string last;
  if (engine.size() == model.size()) {
    size_t i = engine.size();
    while (i > first && engine[i - 1] == model[i - 1]) --i;
    last = absl::StrCat(", last at offset ", i - 1);
  }
  const size_t from = first >= 4 ? first - 4 : 0;
  auto window = [from](const std::string& page) {
    return Hex(absl::string_view(page).substr(std::min(from, page.size()), 16));
  };
  return absl::StrCat("sizes engine ", engine.size(), " model ", model.size(),
                      "; first differing byte at offset ", first, last,
                      "; 16 bytes from offset ", from, ": engine ",
                      window(engine), " model ", window(model));
}

}  // namespace pitr
