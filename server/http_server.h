// HttpServer: pitrd's HTTP side (/metrics, the JSON API, the console) on
// cpp-httplib: a pool of worker threads, keep-alive, bounded request heads
// and bodies, read and write timeouts, and TLS with the gRPC side's
// certificate.
//
// Handlers are registered by path prefix ("/api/v1" serves "/api/v1" and
// everything under it; the longest prefix wins) and answer through an
// HttpExchange: a whole response, or a stream of chunks.
//
// Thread-safety: handlers run on the worker threads, several at once.
#ifndef PITR_SERVER_HTTP_SERVER_H_
#define PITR_SERVER_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace httplib {
class ContentReader;
class Request;
class Response;
class Server;
}  // namespace httplib

namespace pitr {

// Response headers: name, value.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// One request and its response.
class HttpExchange {
 public:
  // Writes one chunk of a streamed body; false once the client is gone.
  using ChunkWriter = std::function<bool(absl::string_view)>;
  // Produces a streamed body through the writer.
  using BodyProducer = std::function<void(const ChunkWriter&)>;

  // `reader` is null for a request without a body (GET).
  HttpExchange(const httplib::Request& request, httplib::Response& response,
               const httplib::ContentReader* reader);
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  const std::string& method() const;
  // The path, URL-decoded, without the query string.
  const std::string& path() const;
  // The query string's parameters, URL-decoded (the last one of a name).
  const std::map<std::string, std::string>& query() const { return query_; }
  std::optional<std::string> Header(const char* name) const;

  // The whole request body; RESOURCE_EXHAUSTED past `max_bytes`.
  absl::StatusOr<std::string> Body(size_t max_bytes);
  // Passes the body to `sink` piece by piece, as it arrives; stops early
  // if `sink` returns false. UNAVAILABLE if the client went away.
  absl::Status ReadBody(const std::function<bool(absl::string_view)>& sink);

  // A whole response.
  void Respond(int status, absl::string_view content_type,
               absl::string_view body, const HttpHeaders& headers = {});
  // A chunked response whose body `produce` writes after the handler
  // returns, on the same worker thread. `produce` must own what it uses.
  void RespondStream(int status, absl::string_view content_type,
                     BodyProducer produce, const HttpHeaders& headers = {});

  bool responded() const { return responded_; }

 private:
  const httplib::Request& request_;
  httplib::Response& response_;
  const httplib::ContentReader* const reader_;
  std::map<std::string, std::string> query_;
  bool body_read_ = false;
  bool responded_ = false;
};

using HttpHandler = std::function<void(HttpExchange&)>;

struct HttpServerOptions {
  // "host:port"; port 0 picks a free one (see HttpServer::port()).
  std::string address = "127.0.0.1:7401";
  // PEM files of the certificate chain and its key: HTTPS only. Both or
  // neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Worker threads: connections served at once (a slow client, or a
  // kept-alive connection between its requests, holds one).
  int threads = 16;
  // A request that does not arrive within this, or a response the client
  // does not take within it, ends the connection.
  absl::Duration io_timeout = absl::Seconds(30);
  // An idle kept-alive connection is closed after this, and after
  // kMaxKeepAliveRequests requests.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  // Largest request body.
  size_t max_body_bytes = 64 << 20;
};

class HttpServer {
 public:
  static constexpr int kMaxKeepAliveRequests = 100;

  // Listens and serves `handlers` by path prefix; a request no prefix
  // matches gets 404. INVALID_ARGUMENT for bad options, UNAVAILABLE if the
  // address cannot be listened on.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const HttpServerOptions& options,
      std::map<std::string, HttpHandler> handlers);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops.
  ~HttpServer();

  int port() const { return port_; }
  bool tls() const { return tls_; }

  // Stops listening, ends the connections and waits for the handlers
  // running. Idempotent.
  void Stop();

 private:
  HttpServer() = default;

  // The handler of the longest prefix of `path`, or null.
  const HttpHandler* HandlerFor(const std::string& path) const;

  std::map<std::string, HttpHandler> handlers_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace pitr

#endif  // PITR_SERVER_HTTP_SERVER_H_
