// TcpProxy: a TCP relay on loopback between a client under test and a real
// server, that a test can cut: while cut, every connection it holds is
// closed and new ones are accepted and closed at once, as when the network
// to the server fails. For tests only.
//
//   TcpProxy proxy(7481);                       // to 127.0.0.1:7481
//   ... point the client at 127.0.0.1:proxy.port() ...
//   proxy.Cut();   ... proxy.Restore();
#ifndef PITR_TESTS_E2E_TCP_PROXY_H_
#define PITR_TESTS_E2E_TCP_PROXY_H_

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "base/mutex.h"

namespace pitr::e2e {

class TcpProxy {
 public:
  // Listens on a free loopback port and relays to 127.0.0.1:target_port.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int target_port);
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;
  ~TcpProxy();

  int port() const { return port_; }
  void Cut();
  void Restore();

 private:
  TcpProxy(int listen_fd, int port, int target_port);
  void AcceptLoop();
  // Copies one connection's bytes both ways until either side closes.
  void Relay(int client_fd);
  void CloseAll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int listen_fd_;
  const int port_;
  const int target_port_;
  std::atomic<bool> stopping_{false};
  Mutex mu_;
  bool cut_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int> open_fds_ ABSL_GUARDED_BY(mu_);  // both ends of each relay
  std::vector<std::thread> relays_ ABSL_GUARDED_BY(mu_);
  std::thread acceptor_;
};

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_TCP_PROXY_H_
