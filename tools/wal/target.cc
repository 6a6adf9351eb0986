#include "tools/wal/target.h"

#include "absl/strings/str_cat.h"
#include "base/file_system.h"

namespace pitr::waltool {

absl::Status RequireEmptyDir(const std::string& dir, absl::string_view what) {
  absl::StatusOr<std::vector<std::string>> names =
      FileSystem::Default()->ListDir(dir);
  if (names.ok() && !names->empty()) {
    return absl::AlreadyExistsError(
        absl::StrCat(dir, " is not empty; ", what, " goes in a new directory"));
  }
  return absl::OkStatus();
}

}  // namespace pitr::waltool
