#include "remote/testing/scripted_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace pitr::remote::testing {

ScriptedHttpServer::ScriptedHttpServer(std::vector<Answer> script)
    : script_(std::move(script)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (listen_fd_ < 0 ||
      bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "ScriptedHttpServer cannot listen on 127.0.0.1";
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

std::string ScriptedHttpServer::endpoint() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

std::vector<std::string> ScriptedHttpServer::requests() {
  MutexLock lock(&mu_);
  return requests_;
}

void ScriptedHttpServer::Serve() {
  while (true) {
    {
      MutexLock lock(&mu_);
      if (stop_) return;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Answer1(fd);
    close(fd);
  }
}

// Reads one request (headers and a Content-Length body) from `fd` and
// answers it with the script's next answer.
void ScriptedHttpServer::Answer1(int fd) {
  std::string in;
  char buf[65536];
  size_t header_end = std::string::npos;
  uint64_t body_size = 0;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) return;
    in.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      for (absl::string_view line :
           absl::StrSplit(absl::string_view(in).substr(0, header_end), "\r\n")) {
        std::string lower = absl::AsciiStrToLower(line);
        if (absl::StartsWith(lower, "content-length:")) {
          if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(lower.substr(15)),
                                &body_size)) {
            return;
          }
        }
      }
      if (absl::AsciiStrToLower(in).find("expect: 100-continue") !=
          std::string::npos) {
        const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (write(fd, kContinue, sizeof(kContinue) - 1) < 0) return;
      }
    }
    if (in.size() >= header_end + 4 + body_size) break;
  }
  size_t index;
  {
    MutexLock lock(&mu_);
    requests_.push_back(in.substr(0, in.find("\r\n")));
    index = std::min(requests_.size(), script_.size()) - 1;
  }
  const Answer& answer = script_[index];
  // Silent, but not past the server's own end.
  for (int waited = 0; waited < answer.silence_ms; waited += 20) {
    {
      MutexLock lock(&mu_);
      if (stop_) return;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (answer.drop) return;
  std::string out = absl::StrCat("HTTP/1.1 ", answer.status, " Scripted\r\n",
                                 "Content-Length: ", answer.body.size(),
                                 "\r\nConnection: close\r\n");
  for (const std::string& h : answer.headers) absl::StrAppend(&out, h, "\r\n");
  absl::StrAppend(&out, "\r\n", answer.body);
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = write(fd, out.data() + done, out.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace pitr::remote::testing
