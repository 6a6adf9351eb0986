#include "tests/crash/child_process.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace pitr::crash {

std::string ChildBinaryPath(absl::string_view name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return absl::StrCat(srcdir, "/", workspace, "/tests/crash/", name);
  }
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() /
          std::string(name))
      .string();
}

}  // namespace pitr::crash
