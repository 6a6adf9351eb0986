// What the S3 backend says when the server, the bucket, the keys or the
// stored object are wrong, against the real radosgw.
#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/http_client.h"
#include "remote/open_remote_storage.h"
#include "remote/s3_url.h"
#include "remote/testing/s3_test_env.h"

namespace pitr::remote {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

class S3ErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<testing::S3TestEnv> env = testing::S3TestEnvOrFail();
    ASSERT_TRUE(env.has_value());
    env_ = *env;
    prefix_ = testing::UniquePrefix("errors");
  }

  std::unique_ptr<RemoteStorage> Open(const RemoteOptions& options,
                                      const std::string& bucket) {
    auto storage = OpenRemoteStorage(
        absl::StrCat("s3://", bucket, "/", prefix_), options);
    EXPECT_TRUE(storage.ok()) << storage.status();
    return storage.ok() ? *std::move(storage) : nullptr;
  }

  testing::S3TestEnv env_;
  std::string prefix_;
};

TEST_F(S3ErrorsTest, WrongSecretKeyIsUnauthenticated) {
  RemoteOptions options = env_.Options();
  options.credentials->secret_access_key = "wrong";
  auto storage = Open(options, env_.bucket);
  ASSERT_NE(storage, nullptr);
  auto put = storage->Put("k", "x");
  EXPECT_EQ(put.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(put.status().message(), HasSubstr("HTTP 403 SignatureDoesNotMatch"));
  EXPECT_THAT(put.status().message(), HasSubstr(env_.bucket));
}

TEST_F(S3ErrorsTest, UnknownAccessKeyIsUnauthenticated) {
  RemoteOptions options = env_.Options();
  options.credentials->access_key_id = "nobody";
  auto storage = Open(options, env_.bucket);
  ASSERT_NE(storage, nullptr);
  auto list = storage->List("");
  EXPECT_EQ(list.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(list.status().message(), HasSubstr("InvalidAccessKeyId"));
}

TEST_F(S3ErrorsTest, MissingBucketIsNotFoundNamingIt) {
  auto storage = Open(env_.Options(), "no-such-bucket-pitr");
  ASSERT_NE(storage, nullptr);
  auto get = storage->Get("k");
  EXPECT_EQ(get.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(get.status().message(), HasSubstr("s3://no-such-bucket-pitr/"));
  EXPECT_THAT(get.status().message(), HasSubstr("NoSuchBucket"));
  EXPECT_EQ(storage->List("").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(storage->Put("k", "x").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(S3ErrorsTest, WrongEndpointIsUnavailableAfterRetries) {
  RemoteOptions options = env_.Options();
  options.endpoint = "http://127.0.0.1:1";  // nothing listens there
  auto storage = Open(options, env_.bucket);
  ASSERT_NE(storage, nullptr);
  auto get = storage->Get("k");
  EXPECT_EQ(get.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(get.status().message(), HasSubstr("http://127.0.0.1:1/"));
  EXPECT_THAT(get.status().message(), HasSubstr("gave up after 3 tries"));
}

TEST_F(S3ErrorsTest, ObjectWithoutChecksumIsDataLoss) {
  // Written behind the backend's back, without the checksum metadata.
  HttpClient http({"us-east-1", env_.access_key, env_.secret_key});
  HttpRequest put;
  put.method = "PUT";
  put.url = S3Url(env_.endpoint, "us-east-1", env_.bucket)
                .Object(prefix_ + "/foreign", "");
  put.headers = {"x-amz-content-sha256: UNSIGNED-PAYLOAD"};
  put.body = "not ours";
  auto response = http.Send(put);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  auto storage = Open(env_.Options(), env_.bucket);
  ASSERT_NE(storage, nullptr);
  auto get = storage->Get("foreign");
  EXPECT_EQ(get.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(get.status().message(),
              AnyOf(HasSubstr("x-amz-meta-pitr-crc32c"), HasSubstr("CRC32C")));
  EXPECT_TRUE(storage->Delete("foreign").ok());
}

}  // namespace
}  // namespace pitr::remote
