// pitrd's HTTP side through the real server: /metrics in Prometheus' text
// format with the figures operators ask for, bearer tokens as on gRPC
// (401 without one, a read token enough, --metrics_without_token), HTTPS
// with --tls_cert, and unknown paths.
#include <string>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"
#include "clients/common/channel_credentials.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

using ::pitr::testing::MakeSelfSignedCertificate;
using ::pitr::testing::TestPath;

HttpReply Get(const std::string& url, const std::string& token = "",
              const std::string& ca = "") {
  HttpRequest request;
  request.url = url;
  request.token = token;
  request.ca_file = ca;
  return SendHttp(request);
}

class HttpE2eTest : public PitrdFixture {
 protected:
  // pitrd with its HTTP side on a free port and `flags`.
  void Start(std::vector<std::string> flags) {
    flags.push_back("--http_listen=127.0.0.1:0");
    StartPitrd(flags);
    http_port_ = pitrd_->http_port();
    ASSERT_NE(http_port_, 0) << pitrd_->Log();
  }

  std::string Url(const std::string& path, bool tls = false) const {
    return absl::StrCat(tls ? "https" : "http", "://127.0.0.1:", http_port_,
                        path);
  }

  // "name{labels} value" of the rendered metrics; -1 if absent.
  static double Sample(const std::string& text, const std::string& series) {
    const std::string start = "\n" + series + " ";
    const size_t at = text.find(start);
    if (at == std::string::npos) return -1;
    return std::strtod(text.c_str() + at + start.size(), nullptr);
  }

  int http_port_ = 0;
};

TEST_F(HttpE2eTest, MetricsCarryWhatOperatorsWatch) {
  Start({});
  v1::AppendResponse appended;
  ASSERT_TRUE(
      Append(*client_, "main", {Image(1, 0, MarkedPage(8192, "m"))}, &appended)
          .ok());
  HttpReply metrics = Get(Url("/metrics"));
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  const std::string& text = metrics.body;
  EXPECT_THAT(text, HasSubstr("# TYPE pitr_rpcs_total counter"));
  EXPECT_EQ(Sample(text, "pitr_rpcs_total{code=\"OK\",method=\"Append\"}"), 1)
      << text;
  EXPECT_THAT(text, HasSubstr("pitr_rpc_duration_seconds_bucket{"));
  EXPECT_EQ(Sample(text, "pitr_latest_lsn"), appended.commit_lsn());
  EXPECT_EQ(Sample(text, "pitr_branch_latest_lsn{branch=\"main\"}"),
            appended.commit_lsn());
  EXPECT_GE(Sample(text, "pitr_branch_restorable_seconds{branch=\"main\"}"), 0);
  EXPECT_EQ(Sample(text, "pitr_branch_oldest_lsn{branch=\"main\"}"), 0);
  EXPECT_THAT(text, HasSubstr("pitr_build_info{version=\""));
  EXPECT_EQ(Sample(text, "pitr_watchers"), 0);
  EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(Sample(text, "process_open_fds"), 3);
  EXPECT_GT(Sample(text, "process_start_time_seconds"), 1.7e9);
  EXPECT_GT(Sample(text, "process_threads"), 1);

  HttpReply missing = Get(Url("/nothing"));
  EXPECT_EQ(missing.status, 404);
}

TEST_F(HttpE2eTest, HotPagesInTheMetricsAndOffWithTheirFlag) {
  // The first miss of a page makes it known, the second keeps it, the
  // third read is answered from memory.
  auto read_three_times = [&]() -> std::string {
    v1::AppendResponse appended;
    EXPECT_TRUE(Append(*client_, "main", {Image(1, 0, MarkedPage(8192, "h"))},
                       &appended)
                    .ok());
    v1::GetPageRequest request;
    *request.mutable_key() = Key(1, 0);
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(
          Call(client_->pages.get(), &v1::PageService::Stub::GetPage, request)
              .ok());
    }
    return Get(Url("/metrics")).body;
  };
  Start({});
  std::string text = read_three_times();
  EXPECT_EQ(Sample(text, "pitr_hot_page_hits_total"), 1) << text;
  EXPECT_EQ(Sample(text, "pitr_hot_page_bytes"), 8192) << text;
  Start({"--hot_page_bytes=0"});
  text = read_three_times();
  EXPECT_EQ(Sample(text, "pitr_hot_page_hits_total"), 0) << text;
  EXPECT_EQ(Sample(text, "pitr_hot_page_bytes"), 0) << text;
}

TEST_F(HttpE2eTest, MetricsNeedATokenWhenGrpcDoes) {
  Start({"--token_file=" + WriteTestTokens()});
  HttpReply none = Get(Url("/metrics"));
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.body, HasSubstr("\"codeName\": \"UNAUTHENTICATED\""));
  EXPECT_EQ(Get(Url("/metrics"), "not-a-token-0123456789").status, 401);
  HttpReply read = Get(Url("/metrics"), kTestReadToken);
  EXPECT_EQ(read.status, 200);
  EXPECT_THAT(read.body, HasSubstr("pitr_latest_lsn"));
  EXPECT_EQ(Get(Url("/metrics"), kTestAdminToken).status, 200);
}

TEST_F(HttpE2eTest, MetricsWithoutTokenWhenAsked) {
  Start({"--token_file=" + WriteTestTokens(), "--metrics_without_token"});
  EXPECT_EQ(Get(Url("/metrics")).status, 200);
}

TEST_F(HttpE2eTest, HttpsWithTheGrpcCertificate) {
  ASSERT_TRUE(MakeSelfSignedCertificate(TestPath("http_cert.pem"),
                                        TestPath("http_key.pem")));
  PitrdOptions options;
  options.flags = {"--tls_cert=" + TestPath("http_cert.pem"),
                   "--tls_key=" + TestPath("http_key.pem"),
                   "--http_listen=127.0.0.1:0"};
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      clients::ChannelCredentialsFor(TestPath("http_cert.pem"));
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  options.credentials = *credentials;
  absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
      PitrdProcess::Start(options);
  ASSERT_TRUE(pitrd.ok()) << pitrd.status();
  http_port_ = (*pitrd)->http_port();
  ASSERT_NE(http_port_, 0) << (*pitrd)->Log();
  EXPECT_THAT((*pitrd)->Log(),
              HasSubstr(absl::StrCat("HTTP on port ", http_port_, " (TLS)")));
  HttpReply https = Get(Url("/metrics", true), "", TestPath("http_cert.pem"));
  EXPECT_EQ(https.status, 200);
  EXPECT_THAT(https.body, HasSubstr("pitr_latest_lsn"));
  EXPECT_NE(Get(Url("/metrics")).status, 200) << "plain HTTP on a TLS port";
}

}  // namespace
}  // namespace pitr::e2e
