// The version of pitr: one number for every binary (pitrd, pitrctl,
// pitr-wal), printed by their --version and reported by the server
// (GetStoreInfo).
#ifndef PITR_BASE_VERSION_H_
#define PITR_BASE_VERSION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace pitr {

inline constexpr char kPitrVersion[] = "0.17.0";

// "PROGRAM VERSION\n": what `PROGRAM --version` prints.
std::string VersionLine(absl::string_view program);

// Makes absl's built-in --version flag print VersionLine(program); for
// binaries that parse their flags with absl. Call before parsing.
void SetFlagsVersion(absl::string_view program);

}  // namespace pitr

#endif  // PITR_BASE_VERSION_H_
