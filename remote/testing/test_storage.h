// A fresh, empty RemoteStorage for a test, on either backend: a new local
// directory (file://), or a prefix of the test S3 bucket no other test run
// shares (the real server of tools/dev/s3_server.sh; without it the test
// fails, saying how to start it). For suites that run once per backend.
#ifndef PITR_REMOTE_TESTING_TEST_STORAGE_H_
#define PITR_REMOTE_TESTING_TEST_STORAGE_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "remote/remote_storage.h"

namespace pitr::remote::testing {

enum class Backend { kFile, kS3 };

// "file" or "s3", for test names.
void PrintTo(Backend backend, std::ostream* os);

// The storage, or nullptr after failing the test. `name` names the
// directory or the prefix.
std::unique_ptr<RemoteStorage> OpenTestStorage(Backend backend,
                                               absl::string_view name);

// Deletes every object under the storage's root (the S3 server keeps its
// data in memory: tests leave nothing behind).
void DeleteAllObjects(RemoteStorage* storage);

}  // namespace pitr::remote::testing

#endif  // PITR_REMOTE_TESTING_TEST_STORAGE_H_
