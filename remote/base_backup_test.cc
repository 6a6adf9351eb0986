// Base backups in the bucket, over a directory store: manifest names and
// text round trip (a damaged manifest is DATA_LOSS naming it), a second
// backup uploads only the files the first does not hold (by path and
// size), mutable files always go again, and a download brings back every
// file byte for byte, or fails naming a missing object.
#include "remote/base_backup.h"

#include <memory>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/testing/test_storage.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;

TEST(BackupManifestTest, NamesAndTextRoundTrip) {
  const std::string key = BackupManifestKey(0x2036, 4);
  EXPECT_EQ(key, "backups/0000000000002036-00000000000000000004/manifest");
  auto parsed = ParseBackupManifestKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->first, 0x2036u);
  EXPECT_EQ(parsed->second, 4u);
  EXPECT_FALSE(ParseBackupManifestKey("backups/files/x/000012.sst"));
  EXPECT_FALSE(ParseBackupManifestKey(
      "backups/0000000000002036-00000000000000000004/pages/CURRENT"));

  BackupManifest m;
  m.generation = 4;
  m.lsn = 0x2036;
  m.applied_lsn = 0x2000;
  m.created_us = 1764813600000000;
  m.identity = "3f1c-77";
  m.new_bytes = 10;
  m.files = {{"pages/000012.sst", 10, "backups/files/3f1c-77/000012.sst"},
             {"pages/CURRENT", 16, "backups/x/pages/CURRENT"}};
  const std::string text = EncodeBackupManifest(m);
  absl::StatusOr<BackupManifest> decoded = DecodeBackupManifest(text, key);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeBackupManifest(*decoded), text);
  EXPECT_EQ(decoded->total_bytes(), 26u);
  for (size_t cut : {size_t{0}, size_t{10}, text.size() - 30, text.size() - 1}) {
    absl::StatusOr<BackupManifest> torn =
        DecodeBackupManifest(text.substr(0, cut), key);
    EXPECT_EQ(torn.status().code(), absl::StatusCode::kDataLoss) << cut;
    EXPECT_THAT(torn.status().message(), HasSubstr(key));
  }
}

class BackupUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = testing::OpenTestStorage(testing::Backend::kFile, "backups");
    ASSERT_NE(storage_, nullptr);
    source_.dir = pitr::testing::NewTestDir("backup_source");
    source_.generation = 1;
    source_.identity = "db1";
  }
  void WriteFile(const std::string& path, const std::string& bytes) {
    FileSystem* fs = FileSystem::Default();
    const std::string full = JoinPath(source_.dir, path);
    ASSERT_TRUE(fs->CreateDirs(full.substr(0, full.rfind('/'))).ok());
    ASSERT_TRUE(WriteFileDurably(fs, full, bytes).ok());
  }
  std::unique_ptr<RemoteStorage> storage_;
  BackupSource source_;
};

TEST_F(BackupUploadTest, UploadsOnlyWhatTheBaseLacksAndDownloadsItBack) {
  WriteFile("pages/000010.sst", std::string(1000, 'a'));
  WriteFile("pages/000011.blob", std::string(3000, 'b'));
  WriteFile("pages/CURRENT", "MANIFEST-000005\n");
  source_.paths = {"pages/000010.sst", "pages/000011.blob", "pages/CURRENT"};
  source_.lsn = 100;
  absl::StatusOr<BackupManifest> first =
      UploadBackup(storage_.get(), source_, nullptr);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->new_bytes, first->total_bytes());

  // Compaction replaced the SST; the blob file stays; CURRENT changed.
  ASSERT_TRUE(FileSystem::Default()
                  ->DeleteFile(JoinPath(source_.dir, "pages/000010.sst"))
                  .ok());
  WriteFile("pages/000014.sst", std::string(500, 'c'));
  WriteFile("pages/CURRENT", "MANIFEST-000013\n");
  source_.paths = {"pages/000011.blob", "pages/000014.sst", "pages/CURRENT"};
  source_.lsn = 200;
  absl::StatusOr<BackupManifest> second =
      UploadBackup(storage_.get(), source_, &*first);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->new_bytes, 500u + 16u);  // the new SST and CURRENT
  EXPECT_EQ(second->files[0].key, first->files[1].key);  // the blob, reused

  absl::StatusOr<std::vector<BackupManifest>> listed =
      ListBackups(storage_.get(), Lineage({{1, 0, 0, "a"}}, 1));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].lsn, 200u);

  const std::string into = pitr::testing::NewTestDir("backup_download");
  ASSERT_TRUE(DownloadBackup(storage_.get(), *second, into).ok());
  for (const BackupFile& file : second->files) {
    absl::StatusOr<std::string> got =
        ReadWholeFile(FileSystem::Default(), JoinPath(into, file.path));
    absl::StatusOr<std::string> want =
        ReadWholeFile(FileSystem::Default(), JoinPath(source_.dir, file.path));
    ASSERT_TRUE(got.ok() && want.ok());
    EXPECT_EQ(*got, *want) << file.path;
  }
  ASSERT_TRUE(storage_->Delete(second->files[1].key).ok());
  absl::Status missing = DownloadBackup(
      storage_.get(), *second, pitr::testing::NewTestDir("backup_missing"));
  EXPECT_EQ(missing.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(missing.message(), HasSubstr(second->files[1].key));
}

}  // namespace
}  // namespace pitr::remote
