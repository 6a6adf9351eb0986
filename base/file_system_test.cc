#include "base/file_system.h"

#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::pitr::testing::NewTestDir;
using ::pitr::testing::ReadFileBytes;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = NewTestDir("fs"); }
  FileSystem* fs_ = FileSystem::Default();
  std::string dir_;
};

TEST_F(FileSystemTest, AppendVWritesEveryPieceInOrderPastIovMax) {
  auto file = fs_->NewWritableFile(JoinPath(dir_, "f"));
  ASSERT_TRUE(file.ok());
  std::vector<std::string> storage;
  std::string expected;
  for (int i = 0; i < 3000; ++i) {  // more pieces than one writev takes
    storage.push_back(std::string(i % 7, static_cast<char>('a' + i % 26)));
    expected += storage.back();
  }
  std::vector<absl::string_view> pieces(storage.begin(), storage.end());
  ASSERT_TRUE((*file)->AppendV(pieces).ok());
  ASSERT_TRUE((*file)->Append("end").ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(ReadFileBytes(JoinPath(dir_, "f")), expected + "end");
}

TEST_F(FileSystemTest, AppendableFileWritesAtTheEnd) {
  const std::string path = JoinPath(dir_, "f");
  {
    auto file = fs_->NewWritableFile(path);
    ASSERT_TRUE((*file)->Append("abc").ok());
  }
  auto file = fs_->NewAppendableFile(path);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("def").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  EXPECT_EQ(ReadFileBytes(path), "abcdef");
  EXPECT_EQ(*fs_->FileSize(path), 6u);
  ASSERT_TRUE(fs_->TruncateFile(path, 2).ok());
  EXPECT_EQ(ReadFileBytes(path), "ab");
}

TEST_F(FileSystemTest, RandomAccessReadsStopAtTheEnd) {
  const std::string path = JoinPath(dir_, "f");
  ASSERT_TRUE((*fs_->NewWritableFile(path))->Append("0123456789").ok());
  auto file = fs_->NewRandomAccessFile(path);
  ASSERT_TRUE(file.ok());
  char buf[8];
  EXPECT_EQ(*(*file)->Read(6, sizeof(buf), buf), 4u);
  EXPECT_EQ(absl::string_view(buf, 4), "6789");
  EXPECT_EQ(*(*file)->Read(20, sizeof(buf), buf), 0u);
}

TEST_F(FileSystemTest, DirectoriesAndErrorsNameThePath) {
  ASSERT_TRUE(fs_->CreateDirs(JoinPath(dir_, "a/b/c")).ok());
  ASSERT_TRUE(fs_->CreateDirs(JoinPath(dir_, "a/b/c")).ok());  // exists: fine
  ASSERT_TRUE((*fs_->NewWritableFile(JoinPath(dir_, "a/x")))->Close().ok());
  EXPECT_THAT(*fs_->ListDir(JoinPath(dir_, "a")),
              UnorderedElementsAre("b", "x"));
  ASSERT_TRUE(
      fs_->RenameFile(JoinPath(dir_, "a/x"), JoinPath(dir_, "a/y")).ok());
  ASSERT_TRUE(fs_->DeleteFile(JoinPath(dir_, "a/y")).ok());
  ASSERT_TRUE(fs_->SyncDir(JoinPath(dir_, "a")).ok());

  absl::Status missing = fs_->DeleteFile(JoinPath(dir_, "a/y"));
  EXPECT_TRUE(absl::IsNotFound(missing));
  EXPECT_THAT(missing.message(), HasSubstr(JoinPath(dir_, "a/y")));
  EXPECT_TRUE(absl::IsNotFound(fs_->FileSize(JoinPath(dir_, "nope")).status()));
}

TEST_F(FileSystemTest, ALockIsExclusiveUntilReleased) {
  const std::string path = JoinPath(dir_, "LOCK");
  auto lock = fs_->LockFile(path);
  ASSERT_TRUE(lock.ok());
  auto second = fs_->LockFile(path);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  lock->reset();
  EXPECT_TRUE(fs_->LockFile(path).ok());
}

TEST_F(FileSystemTest, WriteFileDurablyReplacesWholeAndLeavesNoTemporary) {
  const std::string path = JoinPath(dir_, "small");
  ASSERT_TRUE(WriteFileDurably(fs_, path, "first").ok());
  ASSERT_TRUE(WriteFileDurably(fs_, path, "second, longer").ok());
  absl::StatusOr<std::string> read = ReadWholeFile(fs_, path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "second, longer");
  absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"small"});
  EXPECT_EQ(ReadWholeFile(fs_, JoinPath(dir_, "none")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(JoinPathTest, AddsOneSlash) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
}

}  // namespace
}  // namespace pitr
