// Scratch directories, whole-file reads and writes, and deterministic bytes:
// what nearly every suite's tests need. For tests only.
#ifndef PITR_BASE_TESTING_TEST_FILES_H_
#define PITR_BASE_TESTING_TEST_FILES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace pitr::testing {

// A new empty directory under the test's scratch space ($TEST_TMPDIR, or
// /tmp outside Bazel).
std::string NewTestDir(absl::string_view name);
// The path of `name` right in the test's scratch space.
std::string TestPath(absl::string_view name);

// Makes a self-signed certificate for "localhost" and 127.0.0.1 (a day's
// validity, EC P-256) with its key, as PEM files, with the openssl command;
// false if it failed (openssl missing).
bool MakeSelfSignedCertificate(const std::string& cert_path,
                               const std::string& key_path);

// The whole file; a failed read fails the test and returns what was read.
std::string ReadFileBytes(const std::string& path);
// Replaces the file's content; a failed write fails the test.
void WriteFileBytes(const std::string& path, absl::string_view bytes);
// Copies every regular file of `from` into a new directory `to`.
void CopyDir(const std::string& from, const std::string& to);

// n pseudo-random bytes determined by seed.
std::string RandomBytes(size_t n, uint64_t seed);

}  // namespace pitr::testing

#endif  // PITR_BASE_TESTING_TEST_FILES_H_
