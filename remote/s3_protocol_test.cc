// The S3 backend's pure pieces: XML, URLs and canonical queries, statuses.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/content_md5.h"
#include "remote/s3_status.h"
#include "remote/s3_url.h"
#include "remote/s3_xml.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;

TEST(S3XmlTest, ParsesAListPage) {
  auto page = ParseListPage(
      R"(<?xml version="1.0"?><ListBucketResult xmlns="x"><Name>b</Name>)"
      R"(<IsTruncated>true</IsTruncated><Contents><Key>p/a&amp;b</Key>)"
      R"(<ETag>&quot;abc&quot;</ETag><Size>12</Size></Contents>)"
      R"(<Contents><Key>p/&#x263A;</Key><ETag>"d-2"</ETag><Size>0</Size>)"
      R"(</Contents><NextContinuationToken>tok/=+</NextContinuationToken>)"
      R"(</ListBucketResult>)");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].key, "p/a&b");
  EXPECT_EQ(page->entries[0].etag, "\"abc\"");
  EXPECT_EQ(page->entries[0].size, 12u);
  EXPECT_EQ(page->entries[1].key, "p/\xE2\x98\xBA");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "tok/=+");
}

TEST(S3XmlTest, RefusesMalformedListPages) {
  EXPECT_EQ(ParseListPage("<Error/>").status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(ParseListPage("<ListBucketResult><Contents><Key>a</Key>"
                          "</Contents></ListBucketResult>")
                .status()
                .code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(ParseListPage("<ListBucketResult><IsTruncated>true</IsTruncated>"
                          "</ListBucketResult>")
                .status()
                .code(),
            absl::StatusCode::kInternal);
}

TEST(S3XmlTest, ErrorsAndDeleteFailures) {
  S3Error error = ParseError(
      "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>");
  EXPECT_EQ(error.code, "NoSuchKey");
  EXPECT_EQ(error.message, "gone");
  auto failures = ParseDeleteFailures(
      "<DeleteResult><Error><Key>k1</Key><Code>AccessDenied</Code>"
      "<Message>no</Message></Error></DeleteResult>");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].key, "k1");
  EXPECT_EQ(failures[0].error.code, "AccessDenied");
}

TEST(S3XmlTest, BuildsRequestBodies) {
  EXPECT_EQ(DeleteRequestXml({"a<b"}),
            "<Delete><Quiet>true</Quiet><Object><Key>a&lt;b</Key></Object>"
            "</Delete>");
  EXPECT_EQ(CompleteMultipartXml({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
            "&quot;e1&quot;</ETag></Part><Part><PartNumber>2</PartNumber>"
            "<ETag>&quot;e2&quot;</ETag></Part></CompleteMultipartUpload>");
  EXPECT_EQ(XmlUnescape(XmlEscape("<&>\"'")), "<&>\"'");
  EXPECT_EQ(XmlUnescape("a & b &bogus; c"), "a & b &bogus; c");
}

TEST(S3UrlTest, QueriesAreCanonical) {
  EXPECT_EQ(S3Query({}), "");
  EXPECT_EQ(S3Query({{"prefix", "a/b c"}, {"list-type", "2"}, {"delete", ""}}),
            "?delete=&list-type=2&prefix=a%2Fb%20c");
  EXPECT_EQ(UriEncode("a/b c~_.-+", true), "a/b%20c~_.-%2B");
}

TEST(S3UrlTest, PathStyleWithAnEndpointVirtualHostOtherwise) {
  EXPECT_EQ(S3Url("http://127.0.0.1:7481/", "us-east-1", "bkt")
                .Object("p/k 1", "?x=1"),
            "http://127.0.0.1:7481/bkt/p/k%201?x=1");
  EXPECT_EQ(S3Url("", "eu-west-1", "bkt").Object("k", ""),
            "https://bkt.s3.eu-west-1.amazonaws.com/k");
  EXPECT_EQ(S3Url("", "eu-west-1", "bkt").Bucket("?list-type=2"),
            "https://bkt.s3.eu-west-1.amazonaws.com/?list-type=2");
}

TEST(S3StatusTest, CodesAndMessages) {
  HttpResponse response;
  response.status = 404;
  response.body = "<Error><Code>NoSuchBucket</Code></Error>";
  response.headers["x-amz-request-id"] = "tx1";
  absl::Status status = S3Status({"get", "k", "s3://b/p/"}, response);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "get of object \"k\" in s3://b/p/ failed: HTTP 404 NoSuchBucket "
            "(request tx1)");
  auto code = [&](long http, const char* s3_code) {
    response.status = http;
    response.body = absl::StrCat("<Error><Code>", s3_code, "</Code></Error>");
    return S3Status({"put", "", "s3://b/"}, response).code();
  };
  EXPECT_EQ(code(403, "SignatureDoesNotMatch"),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code(403, "AccessDenied"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(code(412, "PreconditionFailed"),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(416, "InvalidRange"), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(code(503, "SlowDown"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(code(429, ""), absl::StatusCode::kUnavailable);
  EXPECT_EQ(code(500, "InternalError"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(code(400, "InvalidArgument"), absl::StatusCode::kInvalidArgument);
}

TEST(ContentMd5Test, Base64OfTheDigest) {
  EXPECT_EQ(ContentMd5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(ContentMd5("hello"), "XUFAKrxLKna5cZ2REBfFkg==");
}

}  // namespace
}  // namespace pitr::remote
