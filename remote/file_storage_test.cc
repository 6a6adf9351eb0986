// What only the directory backend has: its layout, atomicity across
// processes, and the one limit S3 does not have. The behaviour both
// backends share is in conformance_test.
#include "remote/file_storage.h"

#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/file_object_format.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;

TEST(FileStorageTest, CreateOnlyPutRacingFromProcessesHasOneWinner) {
  const std::string dir = pitr::testing::NewTestDir("processes");
  constexpr int kProcesses = 6;
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Each child opens its own storage, as another pitrd would.
      auto storage = FileStorage::Open(dir);
      if (!storage.ok()) _exit(3);
      auto put = (*storage)->Put("lease", absl::StrCat("process ", i),
                                 WriteCondition::CreateOnly());
      _exit(put.ok() ? 0 : absl::IsAlreadyExists(put.status()) ? 1 : 2);
    }
    children.push_back(pid);
  }
  int won = 0, refused = 0;
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 0) ++won;
    if (WEXITSTATUS(status) == 1) ++refused;
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(refused, kProcesses - 1);
  auto storage = FileStorage::Open(dir);
  ASSERT_TRUE(storage.ok());
  EXPECT_THAT((*storage)->Get("lease")->data, HasSubstr("process "));
}

TEST(FileStorageTest, ObjectsLiveUnderObjectsWithAFooterAndNoTempFilesLeft) {
  const std::string dir = pitr::testing::NewTestDir("layout");
  auto storage = FileStorage::Open(dir);
  ASSERT_TRUE(storage.ok());
  ASSERT_TRUE((*storage)->Put("a/b", "bytes").ok());
  EXPECT_EQ((*storage)->ObjectPath("a/b"), dir + "/objects/a/b");
  EXPECT_EQ(pitr::testing::ReadFileBytes(dir + "/objects/a/b").size(),
            5 + file_format::kFooterSize);
  EXPECT_NE(access((dir + "/tmp").c_str(), F_OK), -1);
  EXPECT_EQ(FileStorage::Open(dir + "/tmp")->get()->List("")->size(), 0u);
  ASSERT_TRUE((*storage)->Delete("a/b").ok());
  // The emptied directory goes with its last key.
  EXPECT_EQ(access((dir + "/objects/a").c_str(), F_OK), -1);
}

TEST(FileStorageTest, AKeyCannotBeAnObjectAndADirectory) {
  auto storage = FileStorage::Open(pitr::testing::NewTestDir("conflict"));
  ASSERT_TRUE(storage.ok());
  ASSERT_TRUE((*storage)->Put("a/b", "x").ok());
  auto over_dir = (*storage)->Put("a", "y");
  EXPECT_EQ(over_dir.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(over_dir.status().message(), HasSubstr("\"a\""));
  ASSERT_TRUE((*storage)->Put("c", "x").ok());
  EXPECT_EQ((*storage)->Put("c/d", "y").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*storage)->Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*storage)->Get("c")->data, "x");
}

TEST(FileStorageTest, ATruncatedObjectFileIsDataLoss) {
  const std::string dir = pitr::testing::NewTestDir("truncated");
  auto storage = FileStorage::Open(dir);
  ASSERT_TRUE(storage.ok());
  ASSERT_TRUE((*storage)->Put("k", "some bytes").ok());
  pitr::testing::WriteFileBytes((*storage)->ObjectPath("k"), "short");
  auto got = (*storage)->Get("k");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("no valid footer"));
}

}  // namespace
}  // namespace pitr::remote
