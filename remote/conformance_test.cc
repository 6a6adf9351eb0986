// One suite for every backend: the behaviour remote_storage.h promises, run
// against a directory (file://) and against the real S3 server
// (tools/dev/s3_server.sh: Ceph's radosgw), each test under a key prefix of
// its own.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/crc32c.h"
#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/file_object_format.h"
#include "remote/http_client.h"
#include "remote/object_checksum.h"
#include "remote/open_remote_storage.h"
#include "remote/s3_url.h"
#include "remote/testing/s3_test_env.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;
using ::testing::NotNull;

enum class Backend { kFile, kS3 };

void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::kFile ? "file" : "s3");
}

class ConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    options_.part_size = 5 << 20;
    options_.multipart_threshold = 5 << 20;
    options_.list_page_size = 7;  // so that listings page
    std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(0, name.find('/'));
    if (GetParam() == Backend::kFile) {
      dir_ = pitr::testing::NewTestDir(name);
      url_ = "file://" + dir_;
    } else {
      std::optional<testing::S3TestEnv> env = testing::S3TestEnvOrFail();
      ASSERT_TRUE(env.has_value());
      env_ = *env;
      RemoteOptions s3 = env_.Options();
      s3.part_size = options_.part_size;
      s3.multipart_threshold = options_.multipart_threshold;
      s3.list_page_size = options_.list_page_size;
      options_ = s3;
      prefix_ = testing::UniquePrefix(name) + "/";
      url_ = absl::StrCat("s3://", env_.bucket, "/", prefix_);
    }
    auto storage = OpenRemoteStorage(url_, options_);
    ASSERT_TRUE(storage.ok()) << storage.status();
    storage_ = *std::move(storage);
  }

  void TearDown() override {
    if (storage_ == nullptr || GetParam() != Backend::kS3) return;
    // The server keeps its data in memory: leave nothing behind.
    auto objects = storage_->List("");
    ASSERT_TRUE(objects.ok()) << objects.status();
    std::vector<std::string> keys;
    for (const ObjectInfo& o : *objects) keys.push_back(o.key);
    EXPECT_TRUE(storage_->DeleteBatch(keys).ok());
  }

  // Replaces the stored bytes of `key` (whose bytes were `original`) by
  // `damaged` behind the backend's back, keeping the stored checksum.
  void Corrupt(const std::string& key, const std::string& original,
               const std::string& damaged) {
    ASSERT_EQ(original.size(), damaged.size());
    if (GetParam() == Backend::kFile) {
      std::string path =
          absl::StrCat(dir_, "/", file_format::kObjectsDir, "/", key);
      std::string bytes = pitr::testing::ReadFileBytes(path);
      bytes.replace(0, damaged.size(), damaged);
      pitr::testing::WriteFileBytes(path, bytes);
      return;
    }
    HttpClient http({options_.region, env_.access_key, env_.secret_key});
    HttpRequest put;
    put.method = "PUT";
    put.url = S3Url(env_.endpoint, options_.region, env_.bucket)
                  .Object(prefix_ + key, "");
    put.headers = {"x-amz-content-sha256: UNSIGNED-PAYLOAD",
                   absl::StrCat(kChecksumHeader, ": ",
                                FormatCrc32c(crc32c::Value(original)))};
    put.body = damaged;
    auto response = http.Send(put);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << response->body;
  }

  std::string LocalPath(absl::string_view name) {
    if (local_dir_.empty()) local_dir_ = pitr::testing::NewTestDir("local");
    return absl::StrCat(local_dir_, "/", name);
  }

  RemoteOptions options_;
  testing::S3TestEnv env_;
  std::string dir_;
  std::string prefix_;
  std::string url_;
  std::string local_dir_;
  std::unique_ptr<RemoteStorage> storage_;
};

TEST_P(ConformanceTest, PutThenGetReturnsTheBytesAndOneETag) {
  const std::string data = pitr::testing::RandomBytes(10000, 1);
  auto put = storage_->Put("a/b/c", data);
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->size, data.size());
  EXPECT_FALSE(put->etag.empty());
  auto got = storage_->Get("a/b/c");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->data, data);
  EXPECT_EQ(got->info.etag, put->etag);
  auto listed = storage_->List("");
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "a/b/c");
  EXPECT_EQ((*listed)[0].size, data.size());
  EXPECT_EQ((*listed)[0].etag, put->etag);
}

TEST_P(ConformanceTest, EmptyObject) {
  auto put = storage_->Put("empty", "");
  ASSERT_TRUE(put.ok()) << put.status();
  auto got = storage_->Get("empty");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->data, "");
  EXPECT_EQ(got->info.size, 0u);
  EXPECT_EQ(storage_->GetRange("empty", 0, 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST_P(ConformanceTest, OverwriteReplacesTheBytesAndTheETag) {
  auto first = storage_->Put("k", "one");
  auto second = storage_->Put("k", "two!");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->etag, second->etag);
  EXPECT_EQ(storage_->Get("k")->data, "two!");
}

TEST_P(ConformanceTest, LargeFileGoesInPartsAndComesBackWhole) {
  const std::string data = pitr::testing::RandomBytes((21 << 20) + 123, 2);
  const std::string source = LocalPath("source");
  pitr::testing::WriteFileBytes(source, data);
  auto put = storage_->PutFile("big/object", source);
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->size, data.size());
  if (GetParam() == Backend::kS3) {
    // A multipart ETag is "<md5 of the parts' md5s>-<number of parts>".
    EXPECT_THAT(put->etag, HasSubstr("-5")) << put->etag;
  }
  const std::string copy = LocalPath("copy");
  auto got = storage_->GetToFile("big/object", copy);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->size, data.size());
  EXPECT_TRUE(pitr::testing::ReadFileBytes(copy) == data);
  auto tail = storage_->GetRange("big/object", data.size() - 10, 100);
  ASSERT_TRUE(tail.ok()) << tail.status();
  EXPECT_EQ(*tail, data.substr(data.size() - 10));
}

TEST_P(ConformanceTest, SmallFileIsPutFromTheFile) {
  const std::string source = LocalPath("small");
  pitr::testing::WriteFileBytes(source, "from a file");
  ASSERT_TRUE(storage_->PutFile("f", source).ok());
  EXPECT_EQ(storage_->Get("f")->data, "from a file");
  EXPECT_EQ(storage_->PutFile("g", LocalPath("missing")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(storage_->Get("g").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(ConformanceTest, RangedReads) {
  const std::string data = "0123456789";
  ASSERT_TRUE(storage_->Put("r", data).ok());
  EXPECT_EQ(*storage_->GetRange("r", 0, 1), "0");
  EXPECT_EQ(*storage_->GetRange("r", 4, 1), "4");
  EXPECT_EQ(*storage_->GetRange("r", 9, 1), "9");
  EXPECT_EQ(*storage_->GetRange("r", 3, 4), "3456");
  EXPECT_EQ(*storage_->GetRange("r", 7, 100), "789");
  EXPECT_EQ(*storage_->GetRange("r", 0, UINT64_MAX), data);
  auto past = storage_->GetRange("r", 10, 1);
  EXPECT_EQ(past.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(past.status().message(), HasSubstr("\"r\""));
  EXPECT_EQ(storage_->GetRange("r", 1000, 5).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(storage_->GetRange("r", 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(storage_->GetRange("nothing", 0, 1).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(ConformanceTest, ListPagesThroughManyKeysInOrder) {
  std::vector<std::string> keys;
  for (int i = 0; i < 23; ++i) keys.push_back(absl::StrFormat("dir/k%03d", i));
  keys.push_back("dir/sub/x");
  keys.push_back("dir/sub/y");
  keys.push_back("dirt");
  keys.push_back("other/z");
  for (const std::string& key : keys) {
    ASSERT_TRUE(storage_->Put(key, key).ok()) << key;
  }
  auto all = storage_->List("");
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::string> listed;
  for (const ObjectInfo& o : *all) listed.push_back(o.key);
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(listed, sorted);

  auto under = [&](absl::string_view prefix) {
    std::vector<std::string> out;
    auto objects = storage_->List(prefix);
    EXPECT_TRUE(objects.ok()) << objects.status();
    if (objects.ok()) {
      for (const ObjectInfo& o : *objects) out.push_back(o.key);
    }
    return out;
  };
  EXPECT_EQ(under("dir/").size(), 25u);
  EXPECT_EQ(under("dir").size(), 26u);  // "dirt" too
  EXPECT_EQ(under("dir/sub/"),
            (std::vector<std::string>{"dir/sub/x", "dir/sub/y"}));
  EXPECT_EQ(under("dir/su"),
            (std::vector<std::string>{"dir/sub/x", "dir/sub/y"}));
  EXPECT_EQ(under("dir/k02"),
            (std::vector<std::string>{"dir/k020", "dir/k021", "dir/k022"}));
  EXPECT_TRUE(under("nothing/").empty());
}

TEST_P(ConformanceTest, MissingKeyIsNotFoundNamingIt) {
  auto got = storage_->Get("no/such/key");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(got.status().message(), HasSubstr("no/such/key"));
  EXPECT_EQ(storage_->GetToFile("no/such/key", LocalPath("x")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(ConformanceTest, DeleteAndBatchDelete) {
  for (const char* key : {"a", "b/1", "b/2", "c"}) {
    ASSERT_TRUE(storage_->Put(key, key).ok());
  }
  EXPECT_TRUE(storage_->Delete("a").ok());
  EXPECT_TRUE(storage_->Delete("a").ok());  // already gone: fine
  EXPECT_TRUE(storage_->Delete("never/was").ok());
  EXPECT_EQ(storage_->Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(storage_->DeleteBatch({"b/1", "b/2", "missing", "b/3"}).ok());
  EXPECT_TRUE(storage_->DeleteBatch({}).ok());
  auto left = storage_->List("");
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].key, "c");
}

TEST_P(ConformanceTest, BatchDeleteOfMoreThanOneRequestHolds) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1003; ++i) keys.push_back(absl::StrCat("m/", i));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(storage_->Put(keys[i * 200], "x").ok());
  EXPECT_TRUE(storage_->DeleteBatch(keys).ok());
  EXPECT_TRUE(storage_->List("m/")->empty());
}

TEST_P(ConformanceTest, CreateOnlyPutRacingFromThreadsHasOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> won{0};
  std::atomic<int> refused{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> winner{-1};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto put = storage_->Put("lease", absl::StrCat("writer ", t),
                               WriteCondition::CreateOnly());
      if (put.ok()) {
        ++won;
        winner = t;
      } else if (absl::IsAlreadyExists(put.status())) {
        ++refused;
      } else {
        errors[t] = std::string(put.status().message());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kThreads - 1);
  EXPECT_EQ(storage_->Get("lease")->data, absl::StrCat("writer ", winner.load()));
  auto again = storage_->Put("lease", "late", WriteCondition::CreateOnly());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("lease"));
}

TEST_P(ConformanceTest, IfMatchReplacesOnlyTheVersionItNames) {
  auto v1 = storage_->Put("manifest", "v1");
  ASSERT_TRUE(v1.ok());
  auto v2 = storage_->Put("manifest", "v2", WriteCondition::IfMatch(v1->etag));
  ASSERT_TRUE(v2.ok()) << v2.status();
  auto stale = storage_->Put("manifest", "v3", WriteCondition::IfMatch(v1->etag));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("manifest"));
  EXPECT_EQ(storage_->Get("manifest")->data, "v2");
  auto absent =
      storage_->Put("nothing", "x", WriteCondition::IfMatch(v2->etag));
  EXPECT_EQ(absent.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(storage_->Get("nothing").status().code(),
            absl::StatusCode::kNotFound);
  // From a file too.
  const std::string source = LocalPath("v3");
  pitr::testing::WriteFileBytes(source, "v3");
  EXPECT_EQ(storage_->PutFile("manifest", source,
                              WriteCondition::IfMatch(v1->etag))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      storage_->PutFile("manifest", source, WriteCondition::IfMatch(v2->etag))
          .ok());
  EXPECT_EQ(storage_->Get("manifest")->data, "v3");
}

TEST_P(ConformanceTest, CorruptObjectIsDataLossOnWholeReads) {
  const std::string data = pitr::testing::RandomBytes(4096, 3);
  ASSERT_TRUE(storage_->Put("victim", data).ok());
  std::string damaged = data;
  damaged[100] ^= 0x20;
  Corrupt("victim", data, damaged);
  auto got = storage_->Get("victim");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("victim"));
  EXPECT_THAT(got.status().message(),
              HasSubstr(FormatCrc32c(crc32c::Value(data))));
  EXPECT_THAT(got.status().message(),
              HasSubstr(FormatCrc32c(crc32c::Value(damaged))));
  const std::string target = LocalPath("victim");
  EXPECT_EQ(storage_->GetToFile("victim", target).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_NE(access(target.c_str(), F_OK), 0) << "a corrupt copy was left";
}

TEST_P(ConformanceTest, InvalidKeysAreRefusedAndChangeNothing) {
  ASSERT_TRUE(storage_->Put("keep", "x").ok());
  for (const char* key : {"", "/a", "a/", "a//b", "a/../b", "./a"}) {
    auto put = storage_->Put(key, "x");
    EXPECT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(storage_->Get(key).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(storage_->DeleteBatch({"keep", "a//b"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(storage_->Get("keep")->data, "x");
}

TEST_P(ConformanceTest, ManyThreadsShareOneStorage) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10 && errors[t].empty(); ++i) {
        std::string key = absl::StrCat("t", t, "/", i);
        std::string data = pitr::testing::RandomBytes(1000 + i, t * 100 + i);
        auto put = storage_->Put(key, data);
        auto got = storage_->Get(key);
        if (!put.ok()) errors[t] = std::string(put.status().message());
        else if (!got.ok()) errors[t] = std::string(got.status().message());
        else if (got->data != data) errors[t] = "wrong bytes for " + key;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(storage_->List("")->size(), kThreads * 10u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kFile ? "file" : "s3";
                         });

}  // namespace
}  // namespace pitr::remote
