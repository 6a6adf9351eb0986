#include "remote/testing/test_storage.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"
#include "gtest/gtest.h"
#include "remote/open_remote_storage.h"
#include "remote/testing/s3_test_env.h"

namespace pitr::remote::testing {

void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::kFile ? "file" : "s3");
}

std::unique_ptr<RemoteStorage> OpenTestStorage(Backend backend,
                                               absl::string_view name) {
  std::string url;
  RemoteOptions options;
  if (backend == Backend::kFile) {
    url = "file://" + pitr::testing::NewTestDir(std::string(name));
  } else {
    std::optional<S3TestEnv> env = S3TestEnvOrFail();
    if (!env) return nullptr;
    options = env->Options();
    url = absl::StrCat("s3://", env->bucket, "/", UniquePrefix(name));
  }
  absl::StatusOr<std::unique_ptr<RemoteStorage>> storage =
      OpenRemoteStorage(url, options);
  EXPECT_TRUE(storage.ok()) << storage.status();
  return storage.ok() ? std::move(*storage) : nullptr;
}

void DeleteAllObjects(RemoteStorage* storage) {
  absl::StatusOr<std::vector<ObjectInfo>> objects = storage->List("");
  ASSERT_TRUE(objects.ok()) << objects.status();
  std::vector<std::string> keys;
  for (const ObjectInfo& o : *objects) keys.push_back(o.key);
  EXPECT_TRUE(storage->DeleteBatch(keys).ok());
}

}  // namespace pitr::remote::testing
