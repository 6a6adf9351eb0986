// A main() for fuzz targets in the normal build: runs every file under the
// directories (or the files) named on the command line through
// LLVMFuzzerTestOneInput, in name order, plus the empty input. A crash or a
// failed check in the target fails the run; so does an argument that names
// no input, so a misplaced corpus cannot pass unnoticed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> InputsUnder(const std::string& arg) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    files.push_back(arg);
  } else if (fs::is_directory(arg, ec)) {
    for (const auto& entry : fs::recursive_directory_iterator(arg, ec)) {
      if (entry.is_regular_file()) files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  LLVMFuzzerTestOneInput(nullptr, 0);
  size_t total = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::string> files = InputsUnder(argv[i]);
    if (files.empty()) {
      std::fprintf(stderr, "corpus_driver: no inputs in %s\n", argv[i]);
      return 1;
    }
    for (const std::string& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "corpus_driver: cannot read %s\n", file.c_str());
        return 1;
      }
      std::fprintf(stderr, "corpus_driver: %s (%zu bytes)\n", file.c_str(),
                   bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                             bytes.size());
      ++total;
    }
  }
  std::printf("corpus_driver: %zu inputs ran clean\n", total);
  return 0;
}
