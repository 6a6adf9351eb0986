#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

// A connected client socket, closed at the end of its scope.
class Client {
 public:
  explicit Client(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() { close(fd_); }

  bool connected() const { return connected_; }

  // Sends `request` and returns all the server sends back until it closes.
  std::string Exchange(const std::string& request) {
    EXPECT_EQ(send(fd_, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::string response;
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd_, buffer, sizeof(buffer), 0)) > 0) {
      response.append(buffer, static_cast<size_t>(n));
    }
    return response;
  }

 private:
  const int fd_;
  bool connected_;
};

class HttpServerTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Counter*> counter = registry_.AddCounter("pitr_c", "C.");
    ASSERT_TRUE(counter.ok());
    (*counter)->Increment(5);
    HttpHandlers handlers;
    handlers["/metrics"] = MetricsHandler(&registry_);
    handlers["/healthz"] = [] { return HttpResponse{200, "text/plain", "ok\n"}; };
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::Start("localhost:0", std::move(handlers));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::string Get(const std::string& request) {
    Client client(server_->port());
    EXPECT_TRUE(client.connected());
    return client.Exchange(request);
  }

  Registry registry_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, PicksAPort) { EXPECT_GT(server_->port(), 0); }

TEST_F(HttpServerTest, ServesMetrics) {
  EXPECT_EQ(Get("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: 48\r\n"
            "Connection: close\r\n\r\n"
            "# HELP pitr_c C.\n# TYPE pitr_c counter\npitr_c 5\n");
}

TEST_F(HttpServerTest, IgnoresQueryString) {
  EXPECT_TRUE(absl::StartsWith(Get("GET /healthz?verbose=1 HTTP/1.0\r\n\r\n"),
                               "HTTP/1.1 200 OK\r\n"));
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  const std::string response = Get("GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 404 Not Found\r\n"))
      << response;
  EXPECT_TRUE(absl::EndsWith(response, "no page at /nope\n")) << response;
}

TEST_F(HttpServerTest, PostIs405) {
  const std::string response =
      Get("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 405 Method Not Allowed\r\n"))
      << response;
  EXPECT_TRUE(absl::StrContains(response, "\r\nAllow: GET\r\n")) << response;
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  EXPECT_TRUE(absl::StartsWith(Get("HELLO\r\n\r\n"), "HTTP/1.1 400 "));
}

TEST_F(HttpServerTest, HugeHeadIs431) {
  const std::string request = "GET /metrics HTTP/1.1\r\nX-Big: " +
                              std::string(HttpServer::kMaxRequestHeadBytes, 'x') +
                              "\r\n\r\n";
  EXPECT_TRUE(absl::StartsWith(
      Get(request), "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

TEST_F(HttpServerTest, ServesRequestsInTurn) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(absl::EndsWith(Get("GET /healthz HTTP/1.1\r\n\r\n"), "ok\n"));
  }
}

TEST_F(HttpServerTest, StopsPromptlyWithAnIdleClient) {
  Client idle(server_->port());
  ASSERT_TRUE(idle.connected());
  absl::SleepFor(absl::Milliseconds(200));  // Let the server pick it up.
  const absl::Time start = absl::Now();
  server_->Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  server_->Stop();  // Idempotent.
}

TEST(HttpServerStartTest, RejectsBadAddresses) {
  for (const char* address : {"localhost", "localhost:x", "localhost:70000",
                              "example.com:80", "::1:80"}) {
    EXPECT_EQ(HttpServer::Start(address, {}).status().code(),
              absl::StatusCode::kInvalidArgument)
        << address;
  }
}

TEST(HttpServerStartTest, PortInUseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<HttpServer>> first =
      HttpServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(HttpServer::Start("127.0.0.1:" + std::to_string((*first)->port()),
                              {})
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pitr
