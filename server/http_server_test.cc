#include "server/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/testing/test_files.h"
#include "gtest/gtest.h"
#include "server/http_endpoints.h"
#include "server/metrics.h"

namespace pitr {
namespace {

struct Reply {
  long status = 0;  // 0: the request failed
  std::string body;
  std::string content_type;
  long new_connections = 0;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One request with libcurl on `curl` (reused: keep-alive).
Reply Fetch(CURL* curl, const std::string& url, const std::string& post = "",
            const std::string& ca = "") {
  Reply reply;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  if (!post.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post.c_str());
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  if (!ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  if (curl_easy_perform(curl) != CURLE_OK) return reply;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  char* type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) reply.content_type = type;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &reply.new_connections);
  return reply;
}

Reply Fetch(const std::string& url, const std::string& post = "") {
  CURL* curl = curl_easy_init();
  Reply reply = Fetch(curl, url, post);
  curl_easy_cleanup(curl);
  return reply;
}

std::map<std::string, HttpHandler> TestHandlers() {
  std::map<std::string, HttpHandler> handlers;
  handlers["/hello"] = [](HttpExchange& exchange) {
    auto name = exchange.query().find("name");
    exchange.Respond(
        200, "text/plain",
        absl::StrCat(exchange.method(), " ", exchange.path(), " ",
                     name == exchange.query().end() ? std::string("nobody")
                                                    : name->second));
  };
  handlers["/echo"] = [](HttpExchange& exchange) {
    absl::StatusOr<std::string> body = exchange.Body(1 << 20);
    exchange.Respond(body.ok() ? 200 : 413, "application/octet-stream",
                     body.ok() ? *body : body.status().ToString());
  };
  handlers["/stream"] = [](HttpExchange& exchange) {
    exchange.RespondStream(200, "text/plain",
                           [](const HttpExchange::ChunkWriter& write) {
                             for (int i = 0; i < 100; ++i) {
                               if (!write(absl::StrCat(i, ","))) return;
                             }
                           });
  };
  return handlers;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options = {}) {
    options.address = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::Start(options, TestHandlers());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    base_ = absl::StrCat("http://127.0.0.1:", server_->port());
  }

  std::unique_ptr<HttpServer> server_;
  std::string base_;
};

TEST_F(HttpServerTest, RoutesByPrefixWithQueryAndBody) {
  Start();
  Reply hello = Fetch(base_ + "/hello/there?name=a%20b&x=1");
  EXPECT_EQ(hello.status, 200);
  EXPECT_EQ(hello.body, "GET /hello/there a b");
  EXPECT_EQ(hello.content_type, "text/plain");
  EXPECT_EQ(Fetch(base_ + "/nothing").status, 404);
  EXPECT_EQ(Fetch(base_ + "/").status, 404);
  Reply echo = Fetch(base_ + "/echo", std::string(100000, 'e'));
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.body, std::string(100000, 'e'));
}

TEST_F(HttpServerTest, ChunkedResponses) {
  Start();
  Reply stream = Fetch(base_ + "/stream");
  EXPECT_EQ(stream.status, 200);
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += absl::StrCat(i, ",");
  EXPECT_EQ(stream.body, expected);
}

TEST_F(HttpServerTest, KeepsConnectionsAlive) {
  Start();
  CURL* curl = curl_easy_init();
  EXPECT_EQ(Fetch(curl, base_ + "/hello").new_connections, 1);
  EXPECT_EQ(Fetch(curl, base_ + "/stream").new_connections, 0);
  EXPECT_EQ(Fetch(curl, base_ + "/hello").new_connections, 0);
  curl_easy_cleanup(curl);
}

TEST_F(HttpServerTest, OversizedHeadIsRefusedAndTheServerGoesOn) {
  Start();
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(
      nullptr, ("X-Big: " + std::string(64 << 10, 'x')).c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  Reply big = Fetch(curl, base_ + "/hello");
  EXPECT_TRUE(big.status == 0 || big.status >= 400) << big.status;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  EXPECT_EQ(Fetch(base_ + "/hello").status, 200);
}

// A client that sends half a request head and then nothing.
class StalledClient {
 public:
  explicit StalledClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address),
                         sizeof(address)) == 0;
    const char half[] = "GET /hello HTTP/1.1\r\nHost: x\r\n";
    connected_ = connected_ && write(fd_, half, sizeof(half) - 1) > 0;
  }
  ~StalledClient() { close(fd_); }
  bool connected() const { return connected_; }

 private:
  const int fd_;
  bool connected_ = false;
};

TEST_F(HttpServerTest, ManyScrapersAndStalledClientsDoNotStallEachOther) {
  // pitrd's /metrics endpoint, with a figure that takes a while to read.
  Metrics metrics;
  ASSERT_TRUE(metrics
                  .AddFigure("pitr_slow_figure", "Read slowly.",
                             prometheus::MetricType::Gauge,
                             [] {
                               absl::SleepFor(absl::Milliseconds(1));
                               return 1.0;
                             })
                  .ok());
  HttpServerOptions options;
  options.threads = 8;
  options.address = "127.0.0.1:0";
  std::map<std::string, HttpHandler> handlers = TestHandlers();
  handlers["/metrics"] = MetricsEndpoint(&metrics, nullptr, false);
  absl::StatusOr<std::unique_ptr<HttpServer>> started =
      HttpServer::Start(options, std::move(handlers));
  ASSERT_TRUE(started.ok()) << started.status();
  server_ = *std::move(started);
  base_ = absl::StrCat("http://127.0.0.1:", server_->port());
  // Stalled clients hold a worker each for the whole request timeout (30 s)
  // and the scrapers must still all be served, each within curl's 10 s.
  std::vector<std::unique_ptr<StalledClient>> stalled;
  for (int i = 0; i < 2; ++i) {
    stalled.push_back(std::make_unique<StalledClient>(server_->port()));
    ASSERT_TRUE(stalled.back()->connected());
  }
  constexpr int kScrapers = 50;
  constexpr int kEach = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> scrapers;
  for (int i = 0; i < kScrapers; ++i) {
    scrapers.emplace_back([&] {
      CURL* curl = curl_easy_init();
      for (int j = 0; j < kEach; ++j) {
        Reply scrape = Fetch(curl, base_ + "/metrics");
        if (scrape.status == 200 &&
            scrape.body.find("pitr_slow_figure 1") != std::string::npos) {
          ++ok;
        }
      }
      curl_easy_cleanup(curl);
    });
  }
  for (std::thread& t : scrapers) t.join();
  EXPECT_EQ(ok.load(), kScrapers * kEach);
}

TEST_F(HttpServerTest, ServesTlsWithTheGivenCertificate) {
  const std::string cert = ::pitr::testing::TestPath("http_cert.pem");
  const std::string key = ::pitr::testing::TestPath("http_key.pem");
  ASSERT_TRUE(::pitr::testing::MakeSelfSignedCertificate(cert, key));
  HttpServerOptions options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  Start(options);
  EXPECT_TRUE(server_->tls());
  const std::string https =
      absl::StrCat("https://127.0.0.1:", server_->port(), "/hello");
  CURL* curl = curl_easy_init();
  Reply reply = Fetch(curl, https, "", cert);
  curl_easy_cleanup(curl);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "GET /hello nobody");
  // Plain HTTP gets no answer from a TLS port.
  EXPECT_NE(Fetch(base_ + "/hello").status, 200);
}

TEST(HttpServerStartTest, RefusesBadOptions) {
  HttpServerOptions options;
  options.address = "127.0.0.1:0";
  options.tls_cert_file = "/x.pem";
  EXPECT_EQ(HttpServer::Start(options, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.tls_key_file = "/y.pem";
  EXPECT_EQ(HttpServer::Start(options, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.tls_key_file.clear();
  options.tls_cert_file.clear();
  options.threads = 0;
  EXPECT_EQ(HttpServer::Start(options, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.threads = 2;
  absl::StatusOr<std::unique_ptr<HttpServer>> first =
      HttpServer::Start(options, {});
  ASSERT_TRUE(first.ok()) << first.status();
  options.address = absl::StrCat("127.0.0.1:", (*first)->port());
  absl::StatusOr<std::unique_ptr<HttpServer>> second =
      HttpServer::Start(options, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable)
      << second.status();
}

}  // namespace
}  // namespace pitr
