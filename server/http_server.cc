#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/http_message.h"
#include "spdlog/spdlog.h"

namespace pitr {
namespace {

absl::StatusOr<sockaddr_in> ParseAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HTTP listen address \"", address, "\" is not host:port"));
  }
  std::string host = address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP listen address \"", address, "\": host \"", host,
                     "\" is not an IPv4 address or localhost"));
  }
  return addr;
}

// Waits up to `timeout` for `events` on fd; true if they came.
bool PollFor(int fd, short events, absl::Duration timeout) {
  pollfd p = {fd, events, 0};
  return poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) > 0;
}

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n =
        send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // The client went away; nothing to tell it.
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

HttpHandler MetricsHandler(const Registry* registry) {
  return [registry] {
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                        registry->Render()};
  };
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& address, HttpHandlers handlers) {
  absl::StatusOr<sockaddr_in> addr = ParseAddress(address);
  if (!addr.ok()) return addr.status();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("socket() for HTTP on ", address, ": ", strerror(errno)));
  }
  const int one = 1;
  socklen_t length = sizeof(*addr);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(fd, reinterpret_cast<const sockaddr*>(&*addr), length) != 0 ||
      listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&*addr), &length) != 0) {
    const int error = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat(
        "cannot listen for HTTP on ", address, ": ", strerror(error)));
  }
  return std::unique_ptr<HttpServer>(
      new HttpServer(fd, ntohs(addr->sin_port), std::move(handlers)));
}

HttpServer::HttpServer(int listen_fd, int port, HttpHandlers handlers)
    : listen_fd_(listen_fd), port_(port), handlers_(std::move(handlers)) {
  MutexLock lock(&stop_mu_);
  thread_ = std::thread([this] { Serve(); });
}

HttpServer::~HttpServer() {
  Stop();
  close(listen_fd_);
}

void HttpServer::Stop() {
  MutexLock lock(&stop_mu_);
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void HttpServer::Serve() {
  while (!stopping_.load()) {
    if (!PollFor(listen_fd_, POLLIN, kPollInterval)) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EINTR && errno != ECONNABORTED) {
        spdlog::warn("HTTP server on port {}: accept: {}", port_,
                     strerror(errno));
      }
      continue;
    }
    ServeConnection(fd);
    close(fd);
  }
}

void HttpServer::ServeConnection(int fd) {
  std::string head;
  if (!ReadHead(fd, &head)) return;
  SendAll(fd, Respond(head));
  // Closing with unread input would reset the connection, and the client
  // might lose the response: say we are done, then drain (bounded).
  shutdown(fd, SHUT_WR);
  size_t drained = 0;
  char buffer[4096];
  while (drained < 4 * kMaxRequestHeadBytes && !stopping_.load() &&
         PollFor(fd, POLLIN, kPollInterval)) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
}

bool HttpServer::ReadHead(int fd, std::string* head) {
  const absl::Time deadline = absl::Now() + kRequestTimeout;
  char buffer[4096];
  while (head->find("\r\n\r\n") == std::string::npos &&
         head->size() <= kMaxRequestHeadBytes) {
    if (stopping_.load() || absl::Now() > deadline) return false;
    if (!PollFor(fd, POLLIN, kPollInterval)) continue;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    head->append(buffer, static_cast<size_t>(n));
  }
  return true;
}

std::string HttpServer::Respond(const std::string& head) const {
  const size_t end = head.find("\r\n\r\n");
  if (end == std::string::npos || end + 4 > kMaxRequestHeadBytes) {
    return FormatResponse(431, "text/plain", "",
                          absl::StrCat("request head over ",
                                       kMaxRequestHeadBytes, " bytes\n"));
  }
  absl::StatusOr<HttpRequestLine> request = ParseRequestLine(head);
  if (!request.ok()) {
    return FormatResponse(400, "text/plain", "",
                          std::string(request.status().message()) + "\n");
  }
  if (request->method != "GET") {
    return FormatResponse(405, "text/plain", "Allow: GET\r\n",
                          absl::StrCat("method ", request->method,
                                       " not allowed; only GET\n"));
  }
  const auto handler = handlers_.find(request->path);
  if (handler == handlers_.end()) {
    return FormatResponse(404, "text/plain", "",
                          absl::StrCat("no page at ", request->path, "\n"));
  }
  const HttpResponse response = handler->second();
  return FormatResponse(response.status, response.content_type, "",
                        response.body);
}

}  // namespace pitr
