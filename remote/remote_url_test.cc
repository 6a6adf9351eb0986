#include "remote/remote_url.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/open_remote_storage.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;

TEST(RemoteUrlTest, FileUrls) {
  auto url = ParseRemoteUrl("file:///var/pitr/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->scheme, RemoteUrl::Scheme::kFile);
  EXPECT_EQ(url->dir, "/var/pitr");
}

TEST(RemoteUrlTest, S3Urls) {
  auto bare = ParseRemoteUrl("s3://my-bucket");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->scheme, RemoteUrl::Scheme::kS3);
  EXPECT_EQ(bare->bucket, "my-bucket");
  EXPECT_EQ(bare->prefix, "");
  auto prefixed = ParseRemoteUrl("s3://my.bucket/a/b/");
  ASSERT_TRUE(prefixed.ok()) << prefixed.status();
  EXPECT_EQ(prefixed->bucket, "my.bucket");
  EXPECT_EQ(prefixed->prefix, "a/b/");
  EXPECT_EQ(ParseRemoteUrl("s3://bkt/x")->prefix, "x/");
}

TEST(RemoteUrlTest, BadUrlsNameThemselvesAndTheValidForms) {
  for (const char* bad :
       {"", "/var/pitr", "file://relative/dir", "file:///", "http://host/x",
        "s3://", "s3://UPPER", "s3://ab", "s3://-bucket", "s3://b_u_c",
        "s3://bucket/a//b", "s3://bucket/../x", "s3://bucket/x?y=1",
        "file:///dir#frag"}) {
    auto url = ParseRemoteUrl(bad);
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(url.status().message(), HasSubstr(absl::StrCat("\"", bad)));
    EXPECT_THAT(url.status().message(),
                HasSubstr("file:///absolute/dir and s3://bucket[/prefix]"));
  }
}

TEST(RemoteUrlTest, OpenRefusesBadUrlsAndBadOptions) {
  EXPECT_EQ(OpenRemoteStorage("ftp://x").status().code(),
            absl::StatusCode::kInvalidArgument);
  RemoteOptions options;
  options.credentials = Credentials{"id", "secret", ""};
  options.part_size = 1 << 20;
  auto small_parts = OpenRemoteStorage("s3://bucket/p", options);
  EXPECT_EQ(small_parts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(small_parts.status().message(), HasSubstr("part_size 1048576"));
  options = RemoteOptions();
  options.credentials = Credentials{"id", "secret", ""};
  options.endpoint = "127.0.0.1:9000";
  EXPECT_THAT(OpenRemoteStorage("s3://bucket", options).status().message(),
              HasSubstr("endpoint \"127.0.0.1:9000\""));
  options.endpoint = "http://127.0.0.1:9000";
  options.list_page_size = 0;
  EXPECT_EQ(OpenRemoteStorage("s3://bucket", options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pitr::remote
