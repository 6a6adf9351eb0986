// Pins engine/rocksdb_crc32c.cc: RocksDB's blob checksums go through pitr's
// hardware CRC32C, and they still catch a corrupt blob.
#include <dlfcn.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "base/testing/test_files.h"
#include "engine/rocksdb_logger.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace rocksdb::crc32c {
uint32_t Extend(uint32_t crc, const char* data, size_t n);
}  // namespace rocksdb::crc32c

namespace pitr {
namespace {

TEST(RocksDbCrc32cTest, TheLibraryResolvesToOurDefinition) {
  void* in_use = ::dlsym(RTLD_DEFAULT, "_ZN7rocksdb6crc32c6ExtendEjPKcm");
  ASSERT_NE(in_use, nullptr) << "librocksdb no longer exports crc32c::Extend";
  EXPECT_EQ(in_use, reinterpret_cast<void*>(&rocksdb::crc32c::Extend))
      << "RocksDB's CRC32C calls go to the library's own (slow) code";
}

TEST(RocksDbCrc32cTest, ComputesTheStandardCrc32c) {
  // RFC 3720, B.4: 32 bytes of zeros, and "123456789".
  const std::string zeros(32, '\0');
  EXPECT_EQ(rocksdb::crc32c::Extend(0, zeros.data(), zeros.size()),
            0x8a9136aau);
  EXPECT_EQ(rocksdb::crc32c::Extend(0, "123456789", 9), 0xe3069283u);
  // Extending is concatenation, the convention RocksDB relies on.
  EXPECT_EQ(rocksdb::crc32c::Extend(rocksdb::crc32c::Extend(0, "1234", 4),
                                    "56789", 5),
            0xe3069283u);
  EXPECT_EQ(rocksdb::crc32c::Extend(0, zeros.data(), zeros.size()),
            crc32c::internal::ExtendWith(
                crc32c::internal::Crc32cImplementation::kPortable, 0,
                zeros.data(), zeros.size()));
}

std::unique_ptr<rocksdb::DB> OpenBlobDb(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  // RocksDB's own LOG writer would race, under TSan, with RocksDB's
  // threads on its level (inline code compiled into our binary, so the
  // suppression of the uninstrumented library does not cover it).
  options.info_log = RocksDbLogger::Get();
  options.enable_blob_files = true;
  options.min_blob_size = 16;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::unique_ptr<rocksdb::DB>(db);
}

std::vector<std::filesystem::path> BlobFiles(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".blob") files.push_back(entry.path());
  }
  return files;
}

TEST(RocksDbCrc32cTest, BlobsReadBackAndACorruptBlobIsCaught) {
  const std::string dir = testing::NewTestDir("rocksdb_crc32c") + "/db";
  const std::string value(8192, 'p');
  {
    std::unique_ptr<rocksdb::DB> db = OpenBlobDb(dir);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "page", value).ok());
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    std::string read;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "page", &read).ok());
    EXPECT_EQ(read, value);
  }
  const std::vector<std::filesystem::path> blobs = BlobFiles(dir);
  ASSERT_EQ(blobs.size(), 1u);
  {
    // Flip one byte in the middle of the value, well inside the record.
    std::fstream file(blobs[0],
                      std::ios::in | std::ios::out | std::ios::binary);
    const auto size = std::filesystem::file_size(blobs[0]);
    ASSERT_GT(size, value.size());
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.put('q');
  }
  std::unique_ptr<rocksdb::DB> db = OpenBlobDb(dir);
  ASSERT_NE(db, nullptr);
  std::string read;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), "page", &read);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace pitr
