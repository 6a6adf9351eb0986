// A minimal HTTP/1.1 server for pitrd's operational endpoints (/metrics,
// /healthz): GET only, one request per connection ("Connection: close"),
// served one connection at a time on the server's own thread.
//
// Requests are bounded: a head (request line and headers) over
// kMaxRequestHeadBytes gets 431, one not complete within
// kRequestTimeout is dropped. Unknown paths get 404, other methods 405.
//
// Thread-safety: Start, port and Stop may be called from any thread.
// Handlers run on the server's thread, one at a time.
#ifndef PITR_SERVER_HTTP_SERVER_H_
#define PITR_SERVER_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "server/metrics.h"

namespace pitr {

// What a handler answers to a GET of its path.
struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse()>;
// Handlers by exact path ("/metrics"); the query string is ignored.
using HttpHandlers = std::map<std::string, HttpHandler>;

// Serves `registry->Render()` as Prometheus text format 0.0.4.
// `*registry` must outlive the handler.
HttpHandler MetricsHandler(const Registry* registry);

class HttpServer {
 public:
  static constexpr size_t kMaxRequestHeadBytes = 8192;
  static constexpr absl::Duration kRequestTimeout = absl::Seconds(5);

  // Listens on `address`, "host:port": host is an IPv4 address, "localhost"
  // (127.0.0.1) or empty / "0.0.0.0" (all interfaces); port 0 picks a free
  // port (see port()). Serves until Stop or destruction.
  // INVALID_ARGUMENT for a malformed address, UNAVAILABLE if the socket
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, HttpHandlers handlers);

  // Stops.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port listened on.
  int port() const { return port_; }

  // Stops accepting, drops a connection in progress and joins the thread;
  // returns within about kPollInterval. Idempotent.
  void Stop();

 private:
  static constexpr absl::Duration kPollInterval = absl::Milliseconds(100);

  HttpServer(int listen_fd, int port, HttpHandlers handlers);

  void Serve();
  void ServeConnection(int fd);
  // Reads a request head into *head until the blank line; false if the
  // client went away, timed out, or the server is stopping. Stops reading
  // past kMaxRequestHeadBytes, leaving more than that in *head.
  bool ReadHead(int fd, std::string* head);
  // The response to the request `head`.
  std::string Respond(const std::string& head) const;

  const int listen_fd_;
  const int port_;
  const HttpHandlers handlers_;
  std::atomic<bool> stopping_{false};
  Mutex stop_mu_;
  std::thread thread_ ABSL_GUARDED_BY(stop_mu_);
};

}  // namespace pitr

#endif  // PITR_SERVER_HTTP_SERVER_H_
