#include "tools/pitrctl/gc_progress.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pitr::ctl {

std::string GcProgressLine(const v1::GcProgress& progress,
                           absl::Duration elapsed) {
  std::string line = absl::StrCat(
      "GC ",
      absl::AsciiStrToLower(v1::GcProgress::Phase_Name(progress.phase())), ":");
  const uint64_t examined = progress.versions_examined();
  const uint64_t estimate = progress.versions_estimate();
  if (estimate > 0) {
    absl::StrAppend(&line, " ", examined, " of about ", estimate,
                    " versions examined (",
                    std::min<uint64_t>(99, examined * 100 / estimate), "%)");
  } else if (examined > 0) {
    absl::StrAppend(&line, " ", examined, " versions examined");
  }
  absl::StrAppend(&line,
                  absl::StrFormat("  %.1fs", absl::ToDoubleSeconds(elapsed)));
  return line;
}

}  // namespace pitr::ctl
