#include "base/testing/test_files.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace pitr::testing {

namespace fs = std::filesystem;

namespace {

fs::path ScratchSpace() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return fs::path(tmp ? tmp : "/tmp");
}

}  // namespace

std::string NewTestDir(absl::string_view name) {
  static int counter = 0;
  fs::path dir = ScratchSpace() /
                 absl::StrCat("pitr_", name, "_", ::getpid(), "_", counter++);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string TestPath(absl::string_view name) {
  return (ScratchSpace() / std::string(name)).string();
}

bool MakeSelfSignedCertificate(const std::string& cert_path,
                               const std::string& key_path) {
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 1 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ",
      key_path, " -out ", cert_path, " >/dev/null 2>&1");
  return std::system(command.c_str()) == 0;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteFileBytes(const std::string& path, absl::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(out.good()) << path;
}

void CopyDir(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    if (entry.is_regular_file()) {
      fs::copy_file(entry.path(), fs::path(to) / entry.path().filename());
    }
  }
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

}  // namespace pitr::testing
